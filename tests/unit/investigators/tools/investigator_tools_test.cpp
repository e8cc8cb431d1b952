// The built-in investigator tools against the protocol fakes over real loopback HTTP (Prometheus,
// Jaeger, Tempo, Loki, GitHub) and a real git repository: the numbers each answer carries, unknown
// services, services without the backend, hostile arguments, and a hanging backend cut off by the
// per-call deadline (on a FakeClock, so no real time passes).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>

#include "investigators/source_registry.hpp"
#include "investigators/sources/past_search.hpp"
#include "investigators/tools/investigator_tools.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/github_fake.hpp"
#include "tests/fakes/jaeger_fake.hpp"
#include "tests/fakes/loki_fake.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/fakes/tempo_fake.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/git_repo.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/unit/investigators/tools/tools_test_util.hpp"
#include "tests/unit/investigators/traces/trace_builders.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;
using alertbot::testing::FakeClock;
using alertbot::testing::run_coro;
using alertbot::testing::run_until;
using investigators::testing::kT0us;
using investigators::testing::TraceBuilder;
using namespace std::chrono_literals;

const Time kT0 = from_unix_seconds(1795578000);  // 03:40 UTC, the default window's start
const Time kNow = kT0 + 60min;
constexpr std::int64_t kMinuteUs = 60LL * 1000000;

std::string sha(char c) { return std::string(40, c); }

// Twelve checkout traces, one every five minutes: GET /checkout (50 ms) calling payments charge
// (30 ms); trace 7 is slow (900 ms, 850 of them in charge) and trace 10's charge failed.
std::vector<Trace> checkout_traces() {
  std::vector<Trace> out;
  for (int m = 0; m < 12; ++m) {
    unsigned n = static_cast<unsigned>(m + 1);
    TraceBuilder b(n, kT0us + (m * 5 + 2) * kMinuteUs);
    bool slow = n == 7;
    int root = b.span(-1, "checkout", "GET /checkout", 0, slow ? 900 : 50);
    b.span(root, "payments", "charge", 5, slow ? 850 : 30);
    if (n == 10) b.last().error = true;
    out.push_back(b.build());
  }
  return out;
}

Trace payments_trace() {
  TraceBuilder b(100, kT0us + 30 * kMinuteUs);
  int root = b.span(-1, "payments", "POST /pay", 0, 120);
  b.span(root, "ledger", "db.query", 10, 100);
  b.last().db_statement = "SELECT * FROM ledger WHERE id = $1";
  return b.build();
}

class FakePast final : public PastSearch {
 public:
  std::string service, words;
  int limit = 0;
  awaitable<Result<std::vector<PastInvestigation>>> similar(std::string s, std::string w, Time, int l) override {
    service = s;
    words = w;
    limit = l;
    PastInvestigation p;
    p.id = "inv-41";
    p.at = kT0 - 48h;
    p.service = "checkout";
    p.alert_name = "CheckoutLatencyHigh";
    p.top_cause = "deploy v41 added a retry loop";
    p.suspect_kind = "deploy";
    p.suspect_ref = "d-41";
    p.feedback = "helpful";
    p.similarity = 0.876543;
    std::vector<PastInvestigation> out;
    out.push_back(p);
    co_return out;
  }
};

class InvestigatorToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceSettings bare;
    bare.name = "bare";
    services_.push_back(bare);
  }

  void TearDown() override {
    if (prometheus_) run_coro(io_, prometheus_->stop());
    if (jaeger_) run_coro(io_, jaeger_->stop());
    if (tempo_) run_coro(io_, tempo_->stop());
    if (loki_) run_coro(io_, loki_->stop());
    if (github_) run_coro(io_, github_->stop());
  }

  // The checkout service on every fake backend (each started here).
  void add_checkout() {
    auto p = fakes::FakePrometheus::start(
        io_.get_executor(), {{"http_requests_total", {{"service", "checkout"}}, 10, 40, 0, kT0 + 30min},
                             {"checkout_latency", {{"service", "checkout"}}, 0.1, 0.8, 0, kT0 + 40min}});
    ASSERT_TRUE(p) << p.error().describe();
    prometheus_ = std::move(*p);
    auto j = fakes::FakeJaeger::start(io_.get_executor(), checkout_traces());
    ASSERT_TRUE(j) << j.error().describe();
    jaeger_ = std::move(*j);
    auto l = fakes::FakeLoki::start(io_.get_executor(), checkout_logs());
    ASSERT_TRUE(l) << l.error().describe();
    loki_ = std::move(*l);
    auto g = fakes::FakeGitHub::start(io_.get_executor(), github_data());
    ASSERT_TRUE(g) << g.error().describe();
    github_ = std::move(*g);
    ServiceSettings s;
    s.name = "checkout";
    s.prometheus = PrometheusSettings{prometheus_->url(), "histogram_quantile(0.99, sum(rate(checkout_latency_bucket[5m])) by (le))",
                                      "", "", ""};
    s.traces = TracesSettings{jaeger_->url(), "", "checkout"};
    s.logs = LogsSettings{loki_->url(), "{app=\"checkout\"}"};
    s.repo = RepoSettings{"", "acme/orders", github_->url(), ""};
    s.deploys.source = DeploySource::GitHub;
    s.deploys.environment = "production";
    services_.push_back(s);
  }

  void add_payments() {
    auto t = fakes::FakeTempo::start(io_.get_executor(), {payments_trace()});
    ASSERT_TRUE(t) << t.error().describe();
    tempo_ = std::move(*t);
    ServiceSettings s;
    s.name = "payments";
    s.traces = TracesSettings{"", tempo_->url(), "payments"};
    services_.push_back(s);
  }

  static std::vector<fakes::FakeLogEntry> checkout_logs() {
    std::vector<fakes::FakeLogEntry> out;
    for (int i = 0; i < 60; ++i) {
      Time t = kT0 + std::chrono::minutes(i) + 10s;
      out.push_back({t, {{"app", "checkout"}, {"level", "info"}}, "served request " + std::to_string(1000 + i) + " in 12ms", {}});
      if (i >= 30 && i % 3 == 0) {
        out.push_back({t + 5s, {{"app", "checkout"}, {"level", "error"}},
                       "payment failed for order " + std::to_string(7000 + i) + ": timeout after 5000ms", {}});
      }
      out.push_back({t, {{"app", "ledger"}}, "ledger line", {}});
    }
    return out;
  }

  static fakes::FakeGitHubData github_data() {
    fakes::FakeGitHubData d;
    auto at = [](std::chrono::minutes ago) { return format_rfc3339(kNow - ago, false); };
    d.deployments = {
        {201, sha('1'), "main", "production", "release 1", "dana", at(300min), {{1, "success", at(299min)}}},
        {202, sha('2'), "main", "production", "release 2", "lee", at(120min), {{2, "success", at(119min)}}},
    };
    return d;
  }

  void build(PastSearch* past = nullptr) {
    register_builtin_sources(sources_, SourceDeps{*http_, clock_, nullptr, nullptr, io_.get_executor()});
    auto r = register_investigator_tools(tools_, ToolDeps{*http_, clock_, sources_, services_, past, 2000ms});
    ASSERT_TRUE(r) << r.error().describe();
  }

  Result<json::object> call(std::string_view name, std::string_view args) {
    auto r = run_coro(io_, tools_.call(name, args));
    if (!r) return r.error();
    EXPECT_LE(r->size(), kMaxToolResultBytes);
    boost::system::error_code ec;
    json::value v = json::parse(*r, ec);
    if (ec || !v.is_object()) return fail(Errc::ParseError, "not a JSON object: " + *r);
    const json::value* cut = v.as_object().if_contains("truncated");
    EXPECT_FALSE(cut && cut->is_bool()) << "cut by the registry: " << *r;
    return std::move(v.as_object());
  }

  asio::io_context io_;
  FakeClock clock_{kNow};
  std::unique_ptr<Clock> real_clock_ = make_system_clock();  // the HTTP client's (backoff only)
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *real_clock_, [] {
    HttpClientSettings s;
    s.default_max_attempts = 1;
    return s;
  }());
  SourceRegistry sources_;
  std::vector<ServiceSettings> services_;
  ToolRegistry tools_;
  std::unique_ptr<fakes::FakePrometheus> prometheus_;
  std::unique_ptr<fakes::FakeJaeger> jaeger_;
  std::unique_ptr<fakes::FakeTempo> tempo_;
  std::unique_ptr<fakes::FakeLoki> loki_;
  std::unique_ptr<fakes::FakeGitHub> github_;
};

using tools_test::num;
using tools_test::str;

TEST_F(InvestigatorToolsTest, RegistersEveryToolAndTheHistoryOneOnlyWithAStore) {
  build();
  for (const char* name : {"list_services", "query_metrics", "search_traces", "get_trace", "list_deploys", "get_diff", "search_logs"}) {
    EXPECT_TRUE(tools_.has(name)) << name;
  }
  EXPECT_FALSE(tools_.has("find_similar_investigations"));
  for (const auto& info : tools_.list()) {
    auto schema = json::parse(info.input_schema_json);
    EXPECT_EQ(schema.at("additionalProperties"), false) << info.name;
    EXPECT_FALSE(info.description.empty()) << info.name;
  }
  ToolRegistry again;
  ASSERT_TRUE(register_investigator_tools(again, ToolDeps{*http_, clock_, sources_, services_}));
  EXPECT_EQ(register_investigator_tools(again, ToolDeps{*http_, clock_, sources_, services_}).error().code, Errc::Conflict);
}

TEST_F(InvestigatorToolsTest, ListServicesNamesTheBackendsOfEach) {
  add_checkout();
  add_payments();
  build();
  auto r = call("list_services", "");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(num(*r, "count"), 3);
  const auto& list = r->at("services").as_array();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(str(list[0].as_object(), "name"), "bare");
  EXPECT_TRUE(list[0].at("backends").as_array().empty());
  EXPECT_EQ(json::serialize(list[1].at("backends")), R"(["prometheus","github-deploys","jaeger","loki","github"])");
  EXPECT_EQ(json::serialize(list[1].at("metrics")), R"(["latency"])");
  EXPECT_EQ(json::serialize(list[2].at("backends")), R"(["tempo"])");
}

TEST_F(InvestigatorToolsTest, UnknownServiceListsTheKnownOnes) {
  add_payments();
  build();
  for (const char* tool : {"query_metrics", "search_traces", "search_logs", "list_deploys"}) {
    auto r = call(tool, R"({"service":"nope"})");
    ASSERT_FALSE(r) << tool;
    EXPECT_EQ(r.error().code, Errc::InvalidArgument);
    EXPECT_EQ(r.error().message, "unknown service \"nope\"; known services: bare, payments");
  }
}

TEST_F(InvestigatorToolsTest, AServiceWithoutTheBackendIsUnavailable) {
  build();
  const std::pair<const char*, const char*> calls[] = {
      {"query_metrics", R"({"service":"bare"})"},
      {"search_traces", R"({"service":"bare"})"},
      {"get_trace", R"({"service":"bare","trace_id":"4bf92f3577b34da6"})"},
      {"search_logs", R"({"service":"bare","text":"x"})"},
      {"list_deploys", R"({"service":"bare"})"},
      {"get_diff", R"({"service":"bare","from":"v1","to":"v2"})"},
  };
  for (const auto& [tool, args] : calls) {
    auto r = call(tool, args);
    ASSERT_FALSE(r) << tool;
    EXPECT_EQ(r.error().code, Errc::Unavailable) << tool << ": " << r.error().message;
    EXPECT_NE(r.error().message.find("service bare has no"), std::string::npos) << r.error().message;
  }
}

TEST_F(InvestigatorToolsTest, QueryMetricsSummarisesAPromqlRangeQuery) {
  add_checkout();
  build();
  auto r = call("query_metrics", R"j({"service":"checkout","promql":"sum(rate(http_requests_total[5m]))"})j");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(str(r->at("window").as_object(), "start"), "2026-11-25T03:40:00Z");
  EXPECT_EQ(str(r->at("window").as_object(), "end"), "2026-11-25T04:40:00Z");
  EXPECT_EQ(num(*r, "series_total"), 1);
  const auto& s = r->at("series").as_array().at(0).as_object();
  EXPECT_EQ(str(s, "query"), "sum(rate(http_requests_total[5m]))");
  EXPECT_EQ(str(s.at("labels").as_object(), "service"), "checkout");
  EXPECT_EQ(num(s, "min"), 10);
  EXPECT_EQ(num(s, "max"), 40);
  EXPECT_EQ(num(s, "last"), 40);
  EXPECT_EQ(str(s, "max_at"), "2026-11-25T04:10:00Z");  // the onset
  EXPECT_GT(num(s, "points_total"), 200);
  const auto& points = s.at("points").as_array();
  ASSERT_EQ(points.size(), 30u);
  EXPECT_EQ(points.front().as_array().at(0), "2026-11-25T03:40:00Z");
  EXPECT_EQ(points.back().as_array().at(1).to_number<double>(), 40);
  EXPECT_EQ(prometheus_->queries().back(), "sum(rate(http_requests_total[5m]))");

  auto shorter = call("query_metrics", R"j({"service":"checkout","promql":"sum(rate(http_requests_total[5m]))","minutes":20.0})j");
  ASSERT_TRUE(shorter) << shorter.error().describe();
  EXPECT_EQ(str(shorter->at("window").as_object(), "start"), "2026-11-25T04:20:00Z");
  EXPECT_EQ(num(shorter->at("series").as_array().at(0).as_object(), "min"), 40);
}

TEST_F(InvestigatorToolsTest, QueryMetricsWithoutPromqlRunsTheConfiguredQueries) {
  add_checkout();
  build();
  auto r = call("query_metrics", R"({"service":"checkout"})");
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(num(*r, "series_total"), 1);
  const auto& s = r->at("series").as_array().at(0).as_object();
  EXPECT_EQ(str(s, "name"), "latency");
  EXPECT_EQ(str(s, "unit"), "seconds");
  EXPECT_DOUBLE_EQ(num(s, "max"), 0.8);
  EXPECT_DOUBLE_EQ(num(s, "min"), 0.1);
  EXPECT_EQ(str(s, "max_at"), "2026-11-25T04:20:00Z");
  auto bad = call("query_metrics", R"({"service":"checkout","minutes":1441})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "query_metrics: argument minutes: must be at most 1440");
}

TEST_F(InvestigatorToolsTest, SearchTracesFindsTheSlowestAndTheErrors) {
  add_checkout();
  build();
  auto r = call("search_traces", R"({"service":"checkout"})");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(num(*r, "traces"), 12);
  EXPECT_EQ(num(*r, "spans"), 24);
  EXPECT_EQ(json::serialize(r->at("backends")), R"(["jaeger"])");
  const auto& d = r->at("duration_ms").as_object();
  EXPECT_EQ(num(d, "p50"), 50);
  EXPECT_EQ(num(d, "max"), 900);
  EXPECT_EQ(num(*r, "error_traces"), 1);
  EXPECT_EQ(r->at("error_trace_ids").as_array().at(0).as_string(), TraceBuilder(10, 0).build().trace_id);
  const auto& slowest = r->at("slowest").as_array();
  ASSERT_EQ(slowest.size(), 5u);
  EXPECT_EQ(str(slowest[0].as_object(), "trace_id"), TraceBuilder(7, 0).build().trace_id);
  EXPECT_EQ(num(slowest[0].as_object(), "duration_ms"), 900);
  EXPECT_EQ(str(slowest[0].as_object(), "root"), "checkout: GET /checkout");
  EXPECT_EQ(str(slowest[0].as_object(), "start"), "2026-11-25T04:12:00Z");
  const auto& top = r->at("top_self_time").as_array();
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(str(top[0].as_object(), "operation"), "charge");
  EXPECT_EQ(num(top[0].as_object(), "self_ms_total"), 11 * 30 + 850);
  EXPECT_EQ(num(top[0].as_object(), "error_spans"), 1);
  EXPECT_EQ(num(top[1].as_object(), "self_ms_total"), 11 * 20 + 50);

  auto late = call("search_traces", R"({"service":"checkout","minutes":10})");
  ASSERT_TRUE(late) << late.error().describe();
  EXPECT_EQ(num(*late, "traces"), 2);  // at 04:32 and 04:37
}

TEST_F(InvestigatorToolsTest, GetTraceFromJaegerListsTheLongestSpansWithSelfTime) {
  add_checkout();
  build();
  std::string id = TraceBuilder(7, 0).build().trace_id;
  auto r = call("get_trace", R"({"service":"checkout","trace_id":")" + id + "\"}");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(str(*r, "trace_id"), id);
  EXPECT_EQ(num(*r, "duration_ms"), 900);
  EXPECT_EQ(num(*r, "spans_total"), 2);
  EXPECT_EQ(json::serialize(r->at("services")), R"(["checkout","payments"])");
  const auto& spans = r->at("spans").as_array();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(str(spans[0].as_object(), "operation"), "GET /checkout");
  EXPECT_EQ(num(spans[0].as_object(), "self_ms"), 50);
  EXPECT_EQ(str(spans[1].as_object(), "operation"), "charge");
  EXPECT_EQ(num(spans[1].as_object(), "start_ms"), 5);
  EXPECT_EQ(num(spans[1].as_object(), "self_ms"), 850);
  EXPECT_EQ(jaeger_->requests().back(), "GET /api/traces/" + id);

  // Upper case is accepted; anything not hex never reaches the backend.
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(call("get_trace", R"({"service":"checkout","trace_id":")" + upper + "\"}"));
  const auto before = jaeger_->requests().size();
  auto hostile = call("get_trace", R"({"service":"checkout","trace_id":"../../api/services"})");
  ASSERT_FALSE(hostile);
  EXPECT_EQ(hostile.error().code, Errc::InvalidArgument);
  EXPECT_EQ(jaeger_->requests().size(), before);
  auto unknown = call("get_trace", R"({"service":"checkout","trace_id":"00000000000000000000000000000abc"})");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::NotFound) << unknown.error().describe();
}

TEST_F(InvestigatorToolsTest, AHugeTraceIsSummarisedUnderTheCap) {
  TraceBuilder b(500, kT0us + 20 * kMinuteUs);
  int root = b.span(-1, "checkout", "GET /checkout", 0, 5000);
  for (int i = 0; i < 300; ++i) {
    b.span(root, "orders-" + std::string(90, 'x'), "query " + std::to_string(i) + std::string(140, 'q'), i, 10 + i);
    b.last().db_statement = "SELECT " + std::string(500, 'c');
    b.last().http_route = "/" + std::string(200, 'r');
  }
  auto j = fakes::FakeJaeger::start(io_.get_executor(), {b.build()});
  ASSERT_TRUE(j) << j.error().describe();
  jaeger_ = std::move(*j);
  ServiceSettings s;
  s.name = "checkout";
  s.traces = TracesSettings{jaeger_->url(), "", ""};
  services_.push_back(s);
  build();
  auto r = call("get_trace", R"({"service":"checkout","trace_id":")" + b.build().trace_id + "\"}");
  ASSERT_TRUE(r) << r.error().describe();  // call() checks the size and that the registry did not cut it
  EXPECT_EQ(num(*r, "spans_total"), 301);
  const auto& spans = r->at("spans").as_array();
  ASSERT_GE(spans.size(), 5u);
  EXPECT_LT(spans.size(), 30u);
  EXPECT_EQ(str(*r, "truncated"), "the " + std::to_string(spans.size()) + " longest of 301 spans");
  EXPECT_EQ(num(spans[1].as_object(), "duration_ms"), 309);  // after the root, the longest child
}

TEST_F(InvestigatorToolsTest, GetTraceFromTempo) {
  add_payments();
  build();
  std::string id = payments_trace().trace_id;
  auto r = call("get_trace", R"({"service":"payments","trace_id":")" + id + "\"}");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(num(*r, "duration_ms"), 120);
  const auto& spans = r->at("spans").as_array();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(num(spans[0].as_object(), "self_ms"), 20);
  EXPECT_EQ(str(spans[1].as_object(), "db"), "SELECT * FROM ledger WHERE id = $1");
  auto unknown = call("get_trace", R"({"service":"payments","trace_id":"4bf92f3577b34da6ffffffffffffffff"})");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::NotFound) << unknown.error().describe();
}

TEST_F(InvestigatorToolsTest, SearchLogsCountsTemplates) {
  add_checkout();
  build();
  auto r = call("search_logs", R"({"service":"checkout"})");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(num(*r, "lines"), 70);
  EXPECT_EQ(str(*r, "query"), "{app=\"checkout\"}");
  EXPECT_EQ(num(r->at("levels").as_object(), "info"), 60);
  EXPECT_EQ(num(r->at("levels").as_object(), "error"), 10);
  EXPECT_EQ(num(*r, "templates_total"), 2);
  const auto& t = r->at("templates").as_array();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(num(t[0].as_object(), "count"), 60);
  EXPECT_EQ(str(t[0].as_object(), "template"), "served request <*> in <*>");
  EXPECT_EQ(num(t[1].as_object(), "count"), 10);
  EXPECT_EQ(str(t[1].as_object(), "level"), "error");
  EXPECT_EQ(str(t[1].as_object(), "first"), "2026-11-25T04:10:15Z");
  EXPECT_EQ(str(t[1].as_object(), "last"), "2026-11-25T04:37:15Z");
  EXPECT_NE(str(t[1].as_object(), "example").find("payment failed for order"), std::string::npos);
}

TEST_F(InvestigatorToolsTest, SearchLogsSendsTheTextAsOneEscapedLineFilter) {
  tools_test::MiniLoki loki(io_.get_executor());
  ServiceSettings s;
  s.name = "checkout";
  s.logs = LogsSettings{loki.url(), ""};  // no selector: the default one
  services_.push_back(s);
  build();
  auto r = call("search_logs", R"({"service":"checkout","text":"say \"hi\" \\ now","minutes":30})");
  ASSERT_TRUE(r) << r.error().describe();
  auto queries = loki.queries();
  ASSERT_EQ(queries.size(), 6u);
  for (const auto& q : queries) EXPECT_EQ(q, R"({service_name="checkout"} |= "say \"hi\" \\ now")");
  EXPECT_EQ(num(*r, "lines"), 6);
  EXPECT_EQ(str(*r, "text"), R"(say "hi" \ now)");
  run_coro(io_, loki.stop());
}

TEST_F(InvestigatorToolsTest, ListDeploysReadsTheDeploySourcesNewestFirst) {
  add_checkout();
  build();
  auto r = call("list_deploys", R"({"service":"checkout"})");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(str(r->at("window").as_object(), "start"), "2026-11-24T04:40:00Z");
  ASSERT_EQ(num(*r, "count"), 2);
  const auto& d = r->at("deploys").as_array();
  EXPECT_EQ(str(d[0].as_object(), "version"), sha('2'));
  EXPECT_EQ(str(d[0].as_object(), "previous_version"), sha('1'));
  EXPECT_EQ(str(d[0].as_object(), "at"), "2026-11-25T02:41:00Z");  // its first success
  EXPECT_EQ(str(d[0].as_object(), "source"), "github");
  EXPECT_EQ(str(d[1].as_object(), "version"), sha('1'));
  auto recent = call("list_deploys", R"({"service":"checkout","hours":3})");
  ASSERT_TRUE(recent) << recent.error().describe();
  EXPECT_EQ(num(*recent, "count"), 1);
  auto bad = call("list_deploys", R"({"service":"checkout","hours":169})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "list_deploys: argument hours: must be at most 168");
}

TEST_F(InvestigatorToolsTest, GetDiffReadsTheCommitsBetweenTwoRevisions) {
  using alertbot::testing::GitRepo;
  if (!GitRepo::available()) GTEST_SKIP() << "the git command is not installed";
  alertbot::testing::TempDir dir{"alertbot-tools"};
  GitRepo repo = GitRepo::create(dir.path() / "orders");
  std::string base = repo.commit("initial", "ci", kT0 - 3h, {{"orders/client.go", "package orders\n\nconst retries = 0\n"}});
  repo.tag("v1");
  std::string c1 = repo.commit("retry payments three times", "dana", kT0 - 2h, {{"orders/client.go", "package orders\n\nconst retries = 3\n"}});
  std::string c2 = repo.commit("docs", "lee", kT0 - 1h, {{"README.md", "# orders\n"}});
  ServiceSettings s;
  s.name = "orders";
  s.repo = RepoSettings{repo.path().string(), ""};
  services_.push_back(s);
  build();
  auto r = call("get_diff", R"({"service":"orders","from":"v1","to":")" + c2 + "\"}");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(str(*r, "backend"), "git");
  ASSERT_EQ(num(*r, "commits_total"), 2);
  const auto& commits = r->at("commits").as_array();
  const auto& first = commits[0].as_object();
  EXPECT_EQ(str(first, "sha"), c1);
  EXPECT_EQ(str(first, "author"), "dana");
  EXPECT_EQ(str(first, "message"), "retry payments three times");
  const auto& file = first.at("files").as_array().at(0).as_object();
  EXPECT_EQ(str(file, "path"), "orders/client.go");
  EXPECT_EQ(num(file, "additions"), 1);
  EXPECT_NE(str(file, "patch").find("+const retries = 3"), std::string::npos) << str(file, "patch");
  EXPECT_EQ(str(commits[1].as_object(), "sha"), c2);
  (void)base;

  auto hostile = call("get_diff", R"({"service":"orders","from":"--output=/tmp/x","to":"v1"})");
  ASSERT_FALSE(hostile);
  EXPECT_EQ(hostile.error().code, Errc::InvalidArgument);
}

TEST_F(InvestigatorToolsTest, FindSimilarInvestigationsAsksTheStore) {
  add_payments();
  FakePast past;
  build(&past);
  auto r = call("find_similar_investigations", R"({"service":"payments","words":"latency high","limit":3})");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(past.service, "payments");
  EXPECT_EQ(past.words, "latency high");
  EXPECT_EQ(past.limit, 3);
  const auto& list = r->at("investigations").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(str(list[0].as_object(), "id"), "inv-41");
  EXPECT_EQ(str(list[0].as_object(), "top_cause"), "deploy v41 added a retry loop");
  EXPECT_EQ(str(list[0].as_object().at("suspect").as_object(), "ref"), "d-41");
  EXPECT_DOUBLE_EQ(num(list[0].as_object(), "similarity"), 0.8765);
  EXPECT_TRUE(call("find_similar_investigations", R"({"service":"payments"})"));
  EXPECT_EQ(past.words, "payments");
}

TEST_F(InvestigatorToolsTest, AHangingBackendTimesOutAtTheDeadline) {
  // Accepts connections (the kernel's backlog) and never answers.
  asio::ip::tcp::acceptor silent(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::string url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  ServiceSettings s;
  s.name = "stuck";
  s.prometheus = PrometheusSettings{url, "up", "", "", ""};
  s.traces = TracesSettings{url, "", ""};
  services_.push_back(s);
  build();
  for (const char* tool : {"query_metrics", "search_traces"}) {
    std::optional<Result<std::string>> result;
    asio::co_spawn(io_, tools_.call(tool, R"({"service":"stuck"})"), [&](std::exception_ptr e, Result<std::string> r) {
      ASSERT_FALSE(e);
      result = std::move(r);
    });
    ASSERT_TRUE(run_until(io_, [&] { return clock_.sleepers() == 1; }));  // the call's deadline
    clock_.advance(1999ms);
    io_.restart();
    io_.poll();
    EXPECT_FALSE(result.has_value()) << tool;
    clock_.advance(1ms);
    ASSERT_TRUE(run_until(io_, [&] { return result.has_value(); })) << tool;
    ASSERT_FALSE(*result) << tool;
    EXPECT_EQ(result->error().code, Errc::Timeout) << tool;
    EXPECT_EQ(result->error().message, std::string(tool) + ": no answer within 2s");
  }
}

}  // namespace
}  // namespace alertbot::investigators
