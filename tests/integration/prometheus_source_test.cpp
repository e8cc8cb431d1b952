// The Prometheus source against a real Prometheus 2.42 (Debian package) on 127.0.0.1 that
// scrapes itself every second: real query_range answers, real error envelopes, the real 11,000
// points limit. The suite starts one Prometheus (ready in ~0.1 s); tests that need data first wait
// until `up` has a few samples (about 8 s after start: Prometheus' target discovery only hands
// targets to the scraper ~5 s after start).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "investigators/source_registry.hpp"
#include "net/clock.hpp"
#include "net/form.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "tests/support/real_peers.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

using alertbot::testing::RealPeer;
using alertbot::testing::run_coro;
using namespace std::chrono_literals;

class RealPrometheusSource : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      shared_prometheus = alertbot::testing::start_prometheus();
    } catch (const std::exception& e) {
      shared_start_error = e.what();
      shared_prometheus.reset();
    }
  }
  static void TearDownTestSuite() {
    shared_prometheus.reset();
    shared_scraped = false;
  }

  void SetUp() override {
    if (!shared_prometheus) GTEST_FAIL() << "cannot run against a real Prometheus: " << shared_start_error;
    register_builtin_sources(registry_, SourceDeps{*http_, *clock_, nullptr});
  }

  // Blocks until Prometheus has scraped itself at least 3 times (once per suite).
  static void wait_for_samples() {
    if (shared_scraped) return;
    alertbot::testing::wait_for_prometheus_value(*shared_prometheus, "count_over_time(up{job=\"prometheus\"}[1m])", 3);
    shared_scraped = true;
  }

  ServiceSettings service(PrometheusSettings prom) const {
    ServiceSettings s;
    s.name = "prometheus-itself";
    prom.url = shared_prometheus->url();
    s.prometheus = std::move(prom);
    return s;
  }

  // The window ends now, at a whole millisecond (the source sends milliseconds).
  static Time now_ms() { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

  Result<SourceData> fetch(const ServiceSettings& svc, Time start, Time end) {
    auto sources = registry_.create_for(svc);
    std::unique_ptr<Source> prom;
    for (auto& s : sources) {
      if (s->name() == "prometheus") prom = std::move(s);
    }
    if (!prom) return fail(Errc::NotFound, "the registry made no prometheus source");
    Query q;
    q.service = svc.name;
    q.settings = &svc;
    q.start = start;
    q.end = end;
    return run_coro(io_, prom->fetch(q));
  }

  static const MetricSeries* find(const SourceData& d, const std::string& name) {
    for (const auto& s : d.series) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  static std::unique_ptr<RealPeer> shared_prometheus;
  static std::string shared_start_error;
  static bool shared_scraped;

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_);
  SourceRegistry registry_;
};

std::unique_ptr<RealPeer> RealPrometheusSource::shared_prometheus;
std::string RealPrometheusSource::shared_start_error;
bool RealPrometheusSource::shared_scraped = false;

TEST_F(RealPrometheusSource, ReturnsSeriesWithPointsInsideTheWindow) {
  wait_for_samples();
  PrometheusSettings p;
  p.saturation = "up{job=\"prometheus\"}";
  p.traffic = "sum(rate(prometheus_http_requests_total[5s]))";
  auto svc = service(p);
  Time end = now_ms();
  Time start = end - 2min;

  auto data = fetch(svc, start, end);

  ASSERT_TRUE(data) << data.error().describe() << "\n" << shared_prometheus->log_tail();
  EXPECT_TRUE(data->notes.empty()) << data->notes.front();
  const MetricSeries* up = find(*data, "saturation");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->query, p.saturation);
  EXPECT_EQ(up->unit, "ratio");
  EXPECT_EQ(up->labels.at("job"), "prometheus");
  EXPECT_EQ(up->labels.at("__name__"), "up");
  EXPECT_EQ(up->link.rfind(shared_prometheus->url() + "/graph?", 0), 0u) << up->link;
  ASSERT_GE(up->points.size(), 3u);
  // Sample times go through "%.3f" seconds and a double: allow a millisecond of rounding.
  for (std::size_t i = 0; i < up->points.size(); ++i) {
    const auto& pt = up->points[i];
    EXPECT_GE(pt.t, start - 1ms) << "point " << i << " at " << format_rfc3339(pt.t) << " before " << format_rfc3339(start);
    EXPECT_LE(pt.t, end + 1ms) << "point " << i << " at " << format_rfc3339(pt.t) << " after " << format_rfc3339(end);
    EXPECT_EQ(pt.v, 1.0);
    if (i > 0) {
      EXPECT_GT(pt.t, up->points[i - 1].t);
    }
  }
  const MetricSeries* traffic = find(*data, "traffic");
  ASSERT_NE(traffic, nullptr);
  EXPECT_EQ(traffic->unit, "rps");
  EXPECT_EQ(traffic->labels.count("__name__"), 0u);  // rate() drops the name
  ASSERT_FALSE(traffic->points.empty());
  // Prometheus scrapes its own /metrics every second, so it always serves requests.
  EXPECT_GT(traffic->points.back().v, 0.0);
  for (const auto& pt : traffic->points) {
    EXPECT_GE(pt.t, start - 1ms);
    EXPECT_LE(pt.t, end + 1ms);
  }
}

TEST_F(RealPrometheusSource, BadPromQLBecomesABadDataNoteAndTheRestStillComesBack) {
  wait_for_samples();
  PrometheusSettings p;
  p.saturation = "up{job=\"prometheus\"}";
  p.latency = "sum(rate(";  // a parse error: real Prometheus answers 400 bad_data
  Time end = now_ms();

  auto data = fetch(service(p), end - 1min, end);

  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_NE(find(*data, "saturation"), nullptr);
  EXPECT_EQ(find(*data, "latency"), nullptr);
  ASSERT_EQ(data->notes.size(), 1u);
  EXPECT_NE(data->notes[0].find("latency query failed"), std::string::npos) << data->notes[0];
  EXPECT_NE(data->notes[0].find("bad_data"), std::string::npos) << data->notes[0];
  EXPECT_NE(data->notes[0].find("parse error"), std::string::npos) << data->notes[0];
}

TEST_F(RealPrometheusSource, OnlyBadPromQLFailsTheSourceWithBadData) {
  PrometheusSettings p;
  p.errors = "up{";
  Time end = now_ms();

  auto data = fetch(service(p), end - 1min, end);

  ASSERT_FALSE(data) << "a source whose only query is broken must fail";
  EXPECT_EQ(data.error().code, Errc::HttpStatus);
  EXPECT_NE(data.error().message.find("bad_data"), std::string::npos) << data.error().describe();
}

TEST_F(RealPrometheusSource, LongWindowsDeriveTheStepAndStayUnderTheResolutionLimit) {
  Time end = now_ms();
  Time start = end - std::chrono::hours(24 * 7);
  // First, that the limit is real: the same 7 days at a 1 s step is 604,800 points, and refused.
  HttpRequest req;
  req.method = "POST";
  req.url = shared_prometheus->url() + "/api/v1/query_range";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = form_encode({{"query", "up"},
                          {"start", std::to_string(static_cast<long long>(to_unix_seconds(start)))},
                          {"end", std::to_string(static_cast<long long>(to_unix_seconds(end)))},
                          {"step", "1"}});
  auto refused = run_coro(io_, http_->send(std::move(req)));
  ASSERT_TRUE(refused) << refused.error().describe();
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(refused->body.find("exceeded maximum resolution"), std::string::npos) << refused->body;

  PrometheusSettings p;
  p.saturation = "up{job=\"prometheus\"}";
  p.traffic = "sum(rate(prometheus_http_requests_total[1m]))";
  auto svc = service(p);
  for (auto window : {std::chrono::hours(24 * 7), std::chrono::hours(24 * 30)}) {
    SCOPED_TRACE("window " + std::to_string(window.count()) + " h");
    auto data = fetch(svc, end - window, end);
    ASSERT_TRUE(data) << data.error().describe();
    EXPECT_TRUE(data->notes.empty()) << data->notes.front();
    for (const auto& s : data->series) {
      EXPECT_LE(s.points.size(), 11000u);
      for (const auto& pt : s.points) {
        EXPECT_GE(pt.t, end - window - 1ms);
        EXPECT_LE(pt.t, end + 1ms);
      }
    }
  }
}

}  // namespace
}  // namespace alertbot::investigators
