// The full report page: signed links, the HTML rendered from real reports (tests/data/reports),
// escaping of hostile report strings, garbled input, and the /reports/* route served by the real
// HttpServer from a SQLite store (403 / 404 / 200 and the page's security headers).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <regex>

#include "bot/config.hpp"
#include "bot/report_links.hpp"
#include "bot/report_page.hpp"
#include "bot/report_routes.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/support/test_data.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using testing::read_test_file;

constexpr std::string_view kSecret = "test-link-secret";

TEST(ReportLinks, LinkCarriesAValidSignature) {
  const std::string url = report_link("https://bot.example/", 42, kSecret);
  ASSERT_EQ(url.rfind("https://bot.example/reports/42?sig=", 0), 0u) << url;
  const std::string sig = url.substr(url.find("sig=") + 4);
  EXPECT_EQ(sig.size(), 32u);
  EXPECT_TRUE(std::all_of(sig.begin(), sig.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(c); }));
  EXPECT_TRUE(valid_report_signature(42, sig, kSecret));
  EXPECT_EQ(sig, report_signature(42, kSecret));
}

TEST(ReportLinks, RejectsOtherIdsSecretsAndAlteredOrEmptySignatures) {
  const std::string sig = report_signature(42, kSecret);
  EXPECT_FALSE(valid_report_signature(43, sig, kSecret));
  EXPECT_FALSE(valid_report_signature(42, sig, "another-secret"));
  EXPECT_FALSE(valid_report_signature(42, "", kSecret));
  EXPECT_FALSE(valid_report_signature(42, sig.substr(0, 31), kSecret));
  EXPECT_FALSE(valid_report_signature(42, sig + "0", kSecret));
  std::string altered = sig;
  altered[5] = altered[5] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(valid_report_signature(42, altered, kSecret));
  std::string upper = sig;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != sig) {
    EXPECT_FALSE(valid_report_signature(42, upper, kSecret));
  }
  // Nothing to sign with: no link validates, not even one signed with the empty key.
  EXPECT_FALSE(valid_report_signature(42, report_signature(42, ""), ""));
}

TEST(ReportLinks, SecretIsTheConfiguredOneElseDerivedFromSlackCredentials) {
  Config c;
  EXPECT_EQ(link_secret_for(c), "");
  c.slack.signing_secret = "signing";
  const std::string from_signing = link_secret_for(c);
  EXPECT_EQ(from_signing.size(), 64u);
  EXPECT_NE(from_signing.find_first_not_of("0123456789abcdef"), 0u);
  EXPECT_EQ(from_signing.find("signing"), std::string::npos);
  c.slack.bot_token = "xoxb-1";
  const std::string from_token = link_secret_for(c);
  EXPECT_NE(from_token, from_signing);
  c.server.link_secret = "configured";
  EXPECT_EQ(link_secret_for(c), "configured");
  const auto secrets = c.secrets();
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "configured"), secrets.end()) << "link_secret is masked in logs";
}

TEST(ReportLinks, LinkSecretIsReadFromTheServerSectionAndMaskedInTheDump) {
  const Config c = load_config_text("server: { public_url: 'https://bot.example', link_secret: 'k3y-from-yaml' }\n", "l.yaml");
  EXPECT_EQ(c.server.link_secret, "k3y-from-yaml");
  EXPECT_EQ(link_secret_for(c), "k3y-from-yaml");
  const std::string dump = dump_config_masked(c);
  EXPECT_EQ(dump.find("k3y-from-yaml"), std::string::npos) << dump;
  EXPECT_NE(dump.find("link_secret"), std::string::npos) << dump;
}

// --- The page ---

bool has_id(const std::string& html, const std::string& id) { return html.find("id=\"" + id + "\"") != std::string::npos; }

TEST(ReportPage, NPlusOneReportHasEverySection) {
  const std::string html = render_report_page(read_test_file("reports/n_plus_one.json"));
  for (const char* id : {"alert-name", "summary", "causes", "timeline", "charts", "trace-diff", "icicle", "diff", "findings", "sources", "timings"}) {
    EXPECT_TRUE(has_id(html, id)) << id;
  }
  EXPECT_NE(html.find("OrdersLatencyHigh"), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"chart\""), std::string::npos);
  // Evidence ids link to their findings' anchors.
  EXPECT_NE(html.find("href=\"#finding-c1\""), std::string::npos);
  EXPECT_TRUE(has_id(html, "finding-c1"));
  // The trace differential: the N+1 statement's self time 5 ms -> 60 ms.
  EXPECT_NE(html.find("orders:SELECT products"), std::string::npos);
  EXPECT_NE(html.find("60 ms"), std::string::npos);
  // The suspect commit's hunk with the per-line query is highlighted; the other commits' are not.
  EXPECT_NE(html.find("<div class=\"commit suspect\">"), std::string::npos);
  const auto lit = html.find("<pre class=\"hunk highlight\"");
  ASSERT_NE(lit, std::string::npos);
  EXPECT_NE(html.find("SELECT * FROM products WHERE id = $1", lit), std::string::npos);
  EXPECT_EQ(html.find("<pre class=\"hunk highlight\"", lit + 1), std::string::npos);
  EXPECT_NE(html.find("Revert commit 9f1b284"), std::string::npos) << "the proposed fix";
}

TEST(ReportPage, ProfileReportDrawsTheFlameDiffAndHighlightsTheHotFunctionsFile) {
  const std::string html = render_report_page(read_test_file("reports/cpu_profile_only.json"));
  EXPECT_TRUE(has_id(html, "icicle"));
  EXPECT_NE(html.find("regexp.Compile"), std::string::npos);
  EXPECT_NE(html.find("<pre class=\"hunk highlight\""), std::string::npos);
  EXPECT_FALSE(has_id(html, "trace-diff")) << "no trace findings, no table";
  // Grew: red frames.
  EXPECT_TRUE(std::regex_search(html, std::regex("fill=\"#e6[0-9a-f]{4}\"")));
}

TEST(ReportPage, EscapesHostileStringsAndDropsNonHttpLinks) {
  json::value r = json::parse(read_test_file("reports/n_plus_one.json"));
  auto& o = r.as_object();
  o["alert"].as_object()["name"] = "<script>alert(1)</script>";
  o["alert"].as_object()["severity"] = "\"><img src=x onerror=alert(2)>";
  o["alert"].as_object()["links"].as_object()["dashboard"] = "javascript:alert(3)";
  o["service"] = "o'rders\"<b>";
  auto& f = o["findings"].as_array()[0].as_object();
  f["id"] = "m1\" onmouseover=\"alert(4)";
  f["summary"] = "</div><script>alert(5)</script>";
  f["links"] = json::array{"javascript:alert(6)", "JaVaScRiPt:alert(7)", "data:text/html,x", "https://ok.example/a?b=1&c=2"};
  o["causes"].as_array()[0].as_object()["fix"] = "<iframe src=//evil>";
  o["series"].as_array()[0].as_object()["link"] = " javascript:alert(8)";
  o["deploys"].as_array()[0].as_object()["version"] = "<svg onload=alert(9)>";
  const std::string html = render_report_page(json::serialize(r));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<iframe"), std::string::npos);
  EXPECT_EQ(html.find("<svg onload"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
  EXPECT_EQ(html.find("JaVaScRiPt:"), std::string::npos);
  EXPECT_EQ(html.find("href=\"data:"), std::string::npos);
  EXPECT_EQ(html.find("onmouseover=\""), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("o&#39;rders&quot;&lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("href=\"https://ok.example/a?b=1&amp;c=2\""), std::string::npos);
  // Every attribute value is quoted and holds no raw quote from the report: count tags sanely.
  EXPECT_EQ(html.find("\" onerror="), std::string::npos);
}

TEST(ReportPage, GarbledJsonGivesAnUnreadablePage) {
  for (const char* bad : {"", "{", "not json", "[1,2]", "null", "\"x\"", "{\"findings\":"}) {
    const std::string html = render_report_page(bad);
    EXPECT_TRUE(has_id(html, "unreadable")) << bad;
    EXPECT_NE(html.find("This report is unreadable"), std::string::npos);
  }
}

TEST(ReportPage, TruncatedMistypedAndMutatedReportsNeverCrash) {
  const std::string good = read_test_file("reports/n_plus_one.json");
  for (std::size_t cut = 0; cut < good.size(); cut += 97) {
    const std::string html = render_report_page(std::string_view(good).substr(0, cut));
    EXPECT_NE(html.find("</html>"), std::string::npos);
  }
  // Right keys, wrong types: every section just goes away.
  const std::string wrong = R"j({"alert":5,"service":[],"window":"x","onset":7,"sources":{},"findings":[1,"a",null,{"data":3,"kind":"fanout"}],
    "causes":[{"evidence":"m1","confidence":"high","suspect":[]}],"series":[{"points":[[1],"x",[null,2],[1e308,1e308],[2,-1e308]]}],
    "changes":[{"commits":[{"files":[1,{"path":2,"patch":"@@\n+x\n"}],"patches":5}]}],"timings":[],"llm":"no",
    "deploys":[{"at":"garbage"}]})j";
  const std::string html = render_report_page(wrong);
  EXPECT_FALSE(has_id(html, "unreadable"));
  EXPECT_NE(html.find("</html>"), std::string::npos);
  // Random byte flips of a real report.
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string s = good;
    for (int k = 0; k < 5; ++k) s[rng() % s.size()] = static_cast<char>("{}[]\":,0-e\\x"[rng() % 12]);
    EXPECT_NE(render_report_page(s).find("</html>"), std::string::npos);
  }
}

// --- The route ---

class ReportRoutes : public store_test::SqliteOnlyFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    Router router;
    add_report_routes(router, *store_, std::string(kSecret));
    HttpServerSettings settings;
    settings.listen = "127.0.0.1:0";
    auto server = start_http_server(io_.get_executor(), settings, std::move(router));
    ASSERT_TRUE(server) << server.error().describe();
    server_ = std::move(*server);
    http_ = make_curl_http_client(io_.get_executor(), clock_);
  }
  void TearDown() override {
    run(server_->stop());
    server_.reset();
    StoreFixture::TearDown();
  }

  store::Id seed(store::InvestigationStatus status, std::string report_json) {
    store::InvestigationRow inv;
    inv.service = "orders";
    inv.trigger = "alert";
    const store::Id id = run(store_->create_investigation(inv)).value();
    if (status != store::InvestigationStatus::Queued) {
      EXPECT_TRUE(run(store_->update_investigation(id, status, std::move(report_json), "")));
    }
    return id;
  }

  HttpResponse get(const std::string& target) {
    HttpRequest req;
    req.method = "GET";
    req.url = "http://127.0.0.1:" + std::to_string(server_->port()) + target;
    auto r = run(http_->send(std::move(req)));
    EXPECT_TRUE(r) << r.error().describe();
    return r ? *r : HttpResponse{};
  }

  std::string signed_path(store::Id id) { return "/reports/" + std::to_string(id) + "?sig=" + report_signature(id, kSecret); }

  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> http_;
};

TEST_F(ReportRoutes, ServesTheSignedReportWithStrictHeaders) {
  const store::Id id = seed(store::InvestigationStatus::Done, read_test_file("reports/n_plus_one.json"));
  const HttpResponse r = get(signed_path(id));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(r.header("content-security-policy").value_or(""), "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  EXPECT_EQ(r.header("x-content-type-options").value_or(""), "nosniff");
  EXPECT_EQ(r.header("referrer-policy").value_or(""), "no-referrer");
  EXPECT_EQ(r.header("cache-control").value_or(""), "private, max-age=60");
  EXPECT_NE(r.body.find("id=\"trace-diff\""), std::string::npos);
}

TEST_F(ReportRoutes, BadSignaturesAre403WhetherOrNotTheReportExists) {
  const store::Id id = seed(store::InvestigationStatus::Done, read_test_file("reports/n_plus_one.json"));
  const std::string other = "/reports/" + std::to_string(id + 100) + "?sig=" + report_signature(id, kSecret);
  for (const std::string& target : {"/reports/" + std::to_string(id), "/reports/" + std::to_string(id) + "?sig=00",
                                    "/reports/" + std::to_string(id) + "?sig=" + report_signature(id, "wrong"), other,
                                    std::string("/reports/abc?sig=x"), std::string("/reports/?sig=x"), "/reports/0" + std::to_string(id) + "?sig=" + report_signature(id, kSecret)}) {
    const HttpResponse r = get(target);
    EXPECT_EQ(r.status, 403) << target;
    EXPECT_EQ(r.body, "invalid or expired link\n") << target;
  }
}

TEST_F(ReportRoutes, MissingOrRunningInvestigationsAre404WithAValidSignature) {
  const HttpResponse none = get(signed_path(999));
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body.find("running"), std::string::npos);
  const store::Id running = seed(store::InvestigationStatus::Running, "");
  const HttpResponse r = get(signed_path(running));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("still running"), std::string::npos);
  // The same investigation without a valid signature says nothing about it.
  EXPECT_EQ(get("/reports/" + std::to_string(running) + "?sig=" + std::string(32, '0')).body, "invalid or expired link\n");
}

TEST_F(ReportRoutes, AStoredReportThatDoesNotParseIsServedAsUnreadable) {
  const store::Id id = seed(store::InvestigationStatus::Done, "{\"schema_version\":1,");
  const HttpResponse r = get(signed_path(id));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("This report is unreadable"), std::string::npos);
}

}  // namespace
}  // namespace alertbot::bot
