// The Jaeger and Tempo sources against FakeJaeger and FakeTempo over real loopback HTTP: the
// slices they search, deduplication, the alert's trace, failed slices as notes, and plain-text
// answers as clear errors.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <set>

#include "investigators/sources/jaeger_source.hpp"
#include "investigators/sources/tempo_source.hpp"
#include "net/clock.hpp"
#include "net/form.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/fakes/jaeger_fake.hpp"
#include "tests/fakes/tempo_fake.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/unit/investigators/traces/trace_builders.hpp"

namespace alertbot::investigators {
namespace {

using alertbot::testing::run_coro;
using investigators::testing::kT0us;
using investigators::testing::TraceBuilder;
using namespace std::chrono_literals;

constexpr std::int64_t kMinute = 60LL * 1000000;
const Time kStart = Time(std::chrono::microseconds(kT0us));
const Time kEnd = kStart + 60min;

// One checkout trace per minute from T0 to T0 + 60 min (61: slice boundaries included), and a
// trace of another service at every half minute.
std::vector<Trace> minute_traces() {
  std::vector<Trace> out;
  for (int m = 0; m <= 60; ++m) {
    TraceBuilder b(static_cast<unsigned>(m + 1), kT0us + m * kMinute);
    int root = b.span(-1, "checkout", "GET /checkout", 0, 50);
    b.span(root, "payments", "charge", 5, 30);
    out.push_back(b.build());
    TraceBuilder o(static_cast<unsigned>(m + 500), kT0us + m * kMinute + kMinute / 2);
    o.span(-1, "billing", "cron", 0, 10);
    out.push_back(o.build());
  }
  return out;
}

// A trace outside the window, for the alert to name.
Trace named_trace() {
  TraceBuilder b(999, kT0us - 120 * kMinute);
  b.span(-1, "checkout", "GET /checkout", 0, 2000);
  return b.build();
}

std::map<std::string, std::string> params_of(const std::string& request) {
  std::map<std::string, std::string> out;
  auto q = request.find('?');
  if (q == std::string::npos) return out;
  auto fields = form_decode(request.substr(q + 1));
  if (fields) {
    for (auto& [k, v] : *fields) out[k] = v;
  }
  return out;
}

class TraceSourceTest : public ::testing::Test {
 protected:
  ServiceSettings service(const std::string& jaeger, const std::string& tempo) {
    ServiceSettings s;
    s.name = "checkout-svc";
    s.traces = TracesSettings{jaeger, tempo, "checkout"};
    return s;
  }

  Result<SourceData> fetch(SourceFactory& factory, const ServiceSettings& svc, const Alert* alert = nullptr) {
    auto source = factory.create(svc);
    if (!source) return fail(Errc::NotFound, "no source created");
    Query q;
    q.service = svc.name;
    q.settings = &svc;
    q.alert = alert;
    q.start = kStart;
    q.end = kEnd;
    return run_coro(io_, source->fetch(q));
  }

  template <class Fake>
  void stop(Fake& fake) {
    run_coro(io_, fake.stop());
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_,
                                                            HttpClientSettings{.backoff_base = 1ms, .backoff_max = 2ms});
};

TEST_F(TraceSourceTest, FactoriesCreateSourcesOnlyForTheirBackend) {
  auto jaeger = make_jaeger_factory(*http_);
  auto tempo = make_tempo_factory(*http_);
  EXPECT_EQ(jaeger->name(), "jaeger");
  EXPECT_EQ(tempo->name(), "tempo");
  EXPECT_EQ(jaeger->create(service("", "http://t")), nullptr);
  EXPECT_EQ(tempo->create(service("http://j", "")), nullptr);
  EXPECT_EQ(jaeger->create(ServiceSettings{}), nullptr);
  auto j = jaeger->create(service("http://j", ""));
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->name(), "jaeger");
  EXPECT_EQ(j->kind(), SourceKind::Traces);
  auto t = tempo->create(service("", "http://t"));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->kind(), SourceKind::Traces);
}

TEST_F(TraceSourceTest, JaegerSearchesSixSlicesAndDedupesTheTraces) {
  auto fake = fakes::FakeJaeger::start(io_.get_executor(), minute_traces());
  ASSERT_TRUE(fake) << fake.error().describe();
  auto factory = make_jaeger_factory(*http_);
  auto data = fetch(*factory, service((*fake)->url() + "/", ""));
  ASSERT_TRUE(data) << data.error().describe();

  auto requests = (*fake)->requests();
  ASSERT_EQ(requests.size(), 6u);
  std::set<std::pair<std::int64_t, std::int64_t>> slices;
  for (const auto& r : requests) {
    EXPECT_EQ(r.rfind("GET /api/traces?", 0), 0u) << r;
    auto p = params_of(r);
    EXPECT_EQ(p["service"], "checkout");
    EXPECT_EQ(p["limit"], "20");
    slices.emplace(std::stoll(p["start"]), std::stoll(p["end"]));
  }
  std::set<std::pair<std::int64_t, std::int64_t>> want;
  for (int i = 0; i < 6; ++i) want.emplace(kT0us + i * 10 * kMinute, kT0us + (i + 1) * 10 * kMinute);
  EXPECT_EQ(slices, want);

  ASSERT_EQ(data->traces.size(), 1u);
  const TraceSample& sample = data->traces[0];
  EXPECT_EQ(sample.backend, "jaeger");
  EXPECT_EQ(sample.service, "checkout");
  EXPECT_EQ(sample.link.rfind((*fake)->url() + "/search?", 0), 0u) << sample.link;
  // 61 checkout traces; the 5 on inner slice boundaries came twice and are kept once.
  ASSERT_EQ(sample.traces.size(), 61u);
  for (std::size_t i = 0; i < sample.traces.size(); ++i) {
    EXPECT_EQ(sample.traces[i].spans.front().start_us, kT0us + static_cast<std::int64_t>(i) * kMinute);
    EXPECT_EQ(sample.traces[i].spans.front().service, "checkout");
    EXPECT_EQ(sample.traces[i].spans.back().parent_id, sample.traces[i].spans.front().span_id);
  }
  EXPECT_TRUE(data->notes.empty());
  stop(**fake);
}

TEST_F(TraceSourceTest, JaegerFetchesTheTraceTheAlertNames) {
  auto traces = minute_traces();
  Trace named = named_trace();
  traces.push_back(named);
  auto fake = fakes::FakeJaeger::start(io_.get_executor(), traces);
  ASSERT_TRUE(fake);
  Alert alert;
  std::string upper = named.trace_id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  alert.annotations["trace_id"] = upper;
  auto factory = make_jaeger_factory(*http_);
  auto data = fetch(*factory, service((*fake)->url(), ""), &alert);
  ASSERT_TRUE(data) << data.error().describe();
  auto requests = (*fake)->requests();
  EXPECT_EQ(std::count(requests.begin(), requests.end(), "GET /api/traces/" + named.trace_id), 1);
  const auto& got = data->traces.at(0).traces;
  ASSERT_EQ(got.size(), 62u);
  EXPECT_EQ(got.front().trace_id, named.trace_id);  // the earliest

  // An id the backend does not know is a note, not a failure.
  alert.annotations["trace_id"] = "00000000000000000000000000abcdef";
  auto again = fetch(*factory, service((*fake)->url(), ""), &alert);
  ASSERT_TRUE(again) << again.error().describe();
  ASSERT_EQ(again->notes.size(), 1u);
  EXPECT_NE(again->notes[0].find("trace not found"), std::string::npos) << again->notes[0];
  // Text that is not an id is never put in a URL.
  alert.annotations["trace_id"] = "../../admin?x=1";
  auto hostile = fetch(*factory, service((*fake)->url(), ""), &alert);
  ASSERT_TRUE(hostile);
  EXPECT_EQ((*fake)->requests().size(), 6u + 1u + 6u + 1u + 6u);
  stop(**fake);
}

TEST_F(TraceSourceTest, JaegerFailingSliceBecomesANoteAndAllFailingIsAnError) {
  auto fake = fakes::FakeJaeger::start(io_.get_executor(), minute_traces());
  ASSERT_TRUE(fake);
  (*fake)->fail_searches_at(kT0us + 25 * kMinute);  // inside the third slice only
  auto factory = make_jaeger_factory(*http_);
  auto data = fetch(*factory, service((*fake)->url(), ""));
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->notes.size(), 1u);
  EXPECT_NE(data->notes[0].find("jaeger search 04:00:00-04:10:00 UTC failed"), std::string::npos) << data->notes[0];
  EXPECT_NE(data->notes[0].find("storage backend unavailable"), std::string::npos) << data->notes[0];
  // Minutes 20..30 are gone except the boundary traces the neighbours also return.
  EXPECT_EQ(data->traces.at(0).traces.size(), 61u - 9u);

  for (int i = 0; i < 6; ++i) (*fake)->fail_searches_at(kT0us + (i * 10 + 5) * kMinute);
  auto all = fetch(*factory, service((*fake)->url(), ""));
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().code, Errc::HttpStatus);
  EXPECT_NE(all.error().message.find("storage backend unavailable"), std::string::npos) << all.error().describe();
  stop(**fake);
}

TEST_F(TraceSourceTest, JaegerFakeRequiresAServiceAndListsServices) {
  auto fake = fakes::FakeJaeger::start(io_.get_executor(), minute_traces());
  ASSERT_TRUE(fake);
  HttpRequest bad;
  bad.url = (*fake)->url() + "/api/traces?limit=5";
  auto resp = run_coro(io_, http_->send(std::move(bad)));
  ASSERT_TRUE(resp) << resp.error().describe();
  EXPECT_EQ(resp->status, 400);
  EXPECT_NE(resp->body.find("parameter 'service' is required"), std::string::npos) << resp->body;
  HttpRequest services;
  services.url = (*fake)->url() + "/api/services";
  auto list = run_coro(io_, http_->send(std::move(services)));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->body, R"({"data":["billing","checkout","payments"],"total":3,"limit":0,"offset":0,"errors":null})");
  stop(**fake);
}

// A server that knows none of the backend's paths: plain-text 404s, like a wrong base URL.
std::unique_ptr<HttpServer> plain_404_server(asio::io_context& io) {
  auto server = start_http_server(io.get_executor(), HttpServerSettings{.listen = "127.0.0.1:0"}, Router{});
  return server ? std::move(*server) : nullptr;
}

TEST_F(TraceSourceTest, PlainText404IsAClearError) {
  auto server = plain_404_server(io_);
  ASSERT_NE(server, nullptr);
  std::string url = "http://127.0.0.1:" + std::to_string(server->port());
  auto jaeger = make_jaeger_factory(*http_);
  auto j = fetch(*jaeger, service(url, ""));
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().code, Errc::HttpStatus);
  EXPECT_NE(j.error().message.find("jaeger: HTTP 404 (not JSON) from " + url + "/api/traces?"), std::string::npos) << j.error().message;
  auto tempo = make_tempo_factory(*http_);
  auto t = fetch(*tempo, service("", url));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::HttpStatus);
  EXPECT_NE(t.error().message.find("tempo: HTTP 404 (not JSON"), std::string::npos) << t.error().message;
  run_coro(io_, server->stop());
}

TEST_F(TraceSourceTest, TempoSearchesSlicesThenFetchesEachTraceAsOtlp) {
  auto traces = minute_traces();
  auto fake = fakes::FakeTempo::start(io_.get_executor(), traces);
  ASSERT_TRUE(fake) << fake.error().describe();
  auto factory = make_tempo_factory(*http_);
  auto data = fetch(*factory, service("", (*fake)->url()));
  ASSERT_TRUE(data) << data.error().describe();

  auto requests = (*fake)->requests();
  std::set<std::pair<std::int64_t, std::int64_t>> slices;
  std::set<std::string> fetched;
  for (const auto& r : requests) {
    if (r.rfind("GET /api/search?", 0) == 0) {
      auto p = params_of(r);
      EXPECT_EQ(p["q"], R"({ resource.service.name = "checkout" })");
      EXPECT_EQ(p["limit"], "20");
      slices.emplace(std::stoll(p["start"]), std::stoll(p["end"]));
    } else {
      ASSERT_EQ(r.rfind("GET /api/traces/", 0), 0u) << r;
      std::string id = r.substr(16);
      EXPECT_EQ(id.size(), 32u) << id;
      EXPECT_TRUE(fetched.insert(id).second) << "fetched twice: " << id;
    }
  }
  std::set<std::pair<std::int64_t, std::int64_t>> want;
  for (int i = 0; i < 6; ++i) want.emplace(kT0us / 1000000 + i * 600, kT0us / 1000000 + (i + 1) * 600);
  EXPECT_EQ(slices, want);
  EXPECT_EQ(fetched.size(), 61u);

  ASSERT_EQ(data->traces.size(), 1u);
  const TraceSample& sample = data->traces[0];
  EXPECT_EQ(sample.backend, "tempo");
  EXPECT_EQ(sample.service, "checkout");
  ASSERT_EQ(sample.traces.size(), 61u);
  for (std::size_t i = 0; i < sample.traces.size(); ++i) {
    const Trace& want_trace = traces[2 * i];
    const Trace& got = sample.traces[i];
    EXPECT_EQ(got.trace_id, want_trace.trace_id);
    ASSERT_EQ(got.spans.size(), 2u);
    EXPECT_EQ(got.spans[0].span_id, want_trace.spans[0].span_id);
    EXPECT_EQ(got.spans[1].parent_id, want_trace.spans[0].span_id);
    EXPECT_EQ(got.spans[1].service, "payments");
    EXPECT_EQ(got.spans[1].start_us, want_trace.spans[1].start_us);
    EXPECT_EQ(got.spans[1].duration_us, want_trace.spans[1].duration_us);
  }
  EXPECT_TRUE(data->notes.empty());
  stop(**fake);
}

TEST_F(TraceSourceTest, TempoFailingSliceBecomesANote) {
  auto fake = fakes::FakeTempo::start(io_.get_executor(), minute_traces());
  ASSERT_TRUE(fake);
  (*fake)->fail_searches_at(kT0us + 55 * kMinute);
  auto factory = make_tempo_factory(*http_);
  auto data = fetch(*factory, service("", (*fake)->url()));
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->notes.size(), 1u);
  EXPECT_NE(data->notes[0].find("tempo search 04:30:00-04:40:00 UTC failed"), std::string::npos) << data->notes[0];
  EXPECT_NE(data->notes[0].find("HTTP 500"), std::string::npos) << data->notes[0];
  EXPECT_EQ(data->traces.at(0).traces.size(), 61u - 10u);
  stop(**fake);
}

TEST_F(TraceSourceTest, TempoFakeRefusesOtherTraceQL) {
  auto fake = fakes::FakeTempo::start(io_.get_executor(), minute_traces());
  ASSERT_TRUE(fake);
  HttpRequest req;
  req.url = (*fake)->url() + "/api/search?" + form_encode({{"q", "{ status = error }"}});
  auto resp = run_coro(io_, http_->send(std::move(req)));
  ASSERT_TRUE(resp) << resp.error().describe();
  EXPECT_EQ(resp->status, 400);
  EXPECT_EQ(resp->header("content-type").value_or("").find("json"), std::string_view::npos);
  EXPECT_EQ(tempo_service_query("we\"ird\\"), R"({ resource.service.name = "we\"ird\\" })");
  stop(**fake);
}

// Trace fetches are bounded: a server that answers each trace after a short delay never sees
// more than 8 of them at once.
TEST_F(TraceSourceTest, TempoKeepsAtMostEightTraceFetchesInFlight) {
  auto in_flight = std::make_shared<int>(0);
  auto peak = std::make_shared<int>(0);
  Router r;
  r.add("GET", "/api/search", [](ServerRequest req) -> awaitable<ServerResponse> {
    std::string traces;
    int slice = static_cast<int>(std::stoll(req.query_param("start").value_or("0")) / 600 % 1000);
    for (int i = 0; i < 20; ++i) {
      traces += std::string(i ? "," : "") + "{\"traceID\":\"" + testing::hex_id(static_cast<unsigned>(slice * 100 + i + 1), 32) + "\"}";
    }
    co_return ServerResponse::json(200, "{\"traces\":[" + traces + "]}");
  });
  r.add("GET", "/api/traces/*", [in_flight, peak](ServerRequest req) -> awaitable<ServerResponse> {
    // The frame's own copies: the handler's captures may be gone before the frame ends.
    auto flight = in_flight, top = peak;  // NOLINT(performance-unnecessary-copy-initialization)
    *top = std::max(*top, ++*flight);
    asio::steady_timer t(co_await asio::this_coro::executor, 5ms);  // server-side latency, not a test wait
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    --*flight;
    TraceBuilder b(1, kT0us);
    b.span(-1, "checkout", "GET /checkout", 0, 10);
    Trace tr = b.build();
    tr.trace_id = req.path.substr(12);
    co_return ServerResponse::json(200, fakes::FakeTempo::render(tr));
  });
  auto server = start_http_server(io_.get_executor(), HttpServerSettings{.listen = "127.0.0.1:0"}, std::move(r));
  ASSERT_TRUE(server);
  auto factory = make_tempo_factory(*http_);
  auto data = fetch(*factory, service("", "http://127.0.0.1:" + std::to_string((*server)->port())));
  ASSERT_TRUE(data) << data.error().describe();
  EXPECT_EQ(data->traces.at(0).traces.size(), 120u);
  EXPECT_LE(*peak, 8);
  EXPECT_GE(*peak, 2);
  run_coro(io_, (*server)->stop());
}

}  // namespace
}  // namespace alertbot::investigators
