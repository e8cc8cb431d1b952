// The Loki source against FakeLoki over real loopback HTTP (curl client, Beast server).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include "investigators/analysis/log_patterns.hpp"
#include "investigators/sources/loki_source.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "tests/fakes/loki_fake.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

using alertbot::testing::run_coro;
using namespace std::chrono;
const Time kT0 = Time(seconds(1795578000));  // 03:40 UTC
const Time kEnd = kT0 + minutes(60);

std::vector<fakes::FakeLogEntry> steady_entries(seconds every) {
  std::vector<fakes::FakeLogEntry> out;
  int i = 0;
  for (Time t = kT0; t < kEnd; t += every, ++i) {
    out.push_back({t, {{"app", "checkout"}, {"level", "info"}}, "served request " + std::to_string(i) + " in 12ms", {}});
    out.push_back({t, {{"app", "ledger"}}, "ledger line", {}});
  }
  return out;
}

class LokiSourceTest : public ::testing::Test {
 protected:
  void start(std::vector<fakes::FakeLogEntry> entries) {
    auto fake = fakes::FakeLoki::start(io_.get_executor(), std::move(entries));
    ASSERT_TRUE(fake) << fake.error().describe();
    fake_ = std::move(*fake);
  }
  void TearDown() override {
    if (fake_) run_coro(io_, fake_->stop());
  }

  ServiceSettings service(std::string selector) const {
    ServiceSettings s;
    s.name = "checkout";
    s.logs = LogsSettings{fake_->url() + "/", std::move(selector)};
    return s;
  }

  Result<SourceData> fetch(const ServiceSettings& svc) {
    auto source = factory_->create(svc);
    if (!source) return fail(Errc::NotFound, "no loki source made");
    EXPECT_EQ(source->name(), "loki");
    EXPECT_EQ(source->kind(), SourceKind::Logs);
    Query q;
    q.service = svc.name;
    q.settings = &svc;
    q.start = kT0;
    q.end = kEnd;
    return run_coro(io_, source->fetch(q));
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_, [] {
    HttpClientSettings s;
    s.default_max_attempts = 1;  // failures are under test: no retries, no backoff sleeps
    return s;
  }());
  std::unique_ptr<SourceFactory> factory_ = make_loki_factory(*http_);
  std::unique_ptr<fakes::FakeLoki> fake_;
};

TEST_F(LokiSourceTest, ReadsSixSlicesConcurrentlyAndSortsTheLines) {
  start(steady_entries(seconds(30)));
  auto data = fetch(service("{app=\"checkout\"}"));
  ASSERT_TRUE(data) << data.error().describe();
  EXPECT_TRUE(data->notes.empty());
  ASSERT_EQ(data->logs.size(), 1u);
  const LogSample& s = data->logs[0];
  EXPECT_EQ(s.backend, "loki");
  EXPECT_EQ(s.query, "{app=\"checkout\"}");
  ASSERT_EQ(s.slices.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(s.slices[i].start, kT0 + minutes(10 * i));
    EXPECT_EQ(s.slices[i].end, kT0 + minutes(10 * (i + 1)));
    EXPECT_EQ(s.slices[i].lines, 20u);
    EXPECT_TRUE(s.slices[i].complete);
  }
  ASSERT_EQ(s.lines.size(), 120u);
  EXPECT_TRUE(std::is_sorted(s.lines.begin(), s.lines.end(), [](const LogLine& a, const LogLine& b) { return a.t < b.t; }));
  EXPECT_EQ(s.lines.front().t, kT0);
  EXPECT_EQ(s.lines.front().line, "served request 0 in 12ms");
  EXPECT_EQ(s.lines.front().level, "info");

  auto reqs = fake_->requests();
  ASSERT_EQ(reqs.size(), 6u);
  std::set<std::string> starts;
  for (const auto& r : reqs) {
    EXPECT_EQ(r.query, "{app=\"checkout\"}");
    EXPECT_EQ(r.limit, "500");
    EXPECT_EQ(r.direction, "backward");
    starts.insert(r.start);
  }
  EXPECT_EQ(starts.count("1795578000000000000"), 1u);
  EXPECT_EQ(starts.count("1795581000000000000"), 1u);  // the last slice, 50 minutes in
}

TEST_F(LokiSourceTest, ASliceAtTheLimitIsMarkedIncomplete) {
  auto entries = steady_entries(seconds(60));
  for (int i = 0; i < 600; ++i) {  // a burst in the fourth slice
    entries.push_back({kT0 + minutes(30) + milliseconds(500 * i), {{"app", "checkout"}}, "level=error msg=\"boom\"", {}});
  }
  start(std::move(entries));
  auto data = fetch(service("{app=\"checkout\"}"));
  ASSERT_TRUE(data) << data.error().describe();
  const LogSample& s = data->logs[0];
  ASSERT_EQ(s.slices.size(), 6u);
  EXPECT_FALSE(s.slices[3].complete);
  EXPECT_EQ(s.slices[3].lines, kLokiLineLimit);
  EXPECT_TRUE(s.slices[2].complete);
  ASSERT_EQ(data->notes.size(), 1u);
  EXPECT_NE(data->notes[0].find("1 of 6 slices hit the 500-line limit"), std::string::npos) << data->notes[0];
  // Backward: the newest lines of the slice came back.
  EXPECT_EQ(s.lines.back().level, "info");
}

TEST_F(LokiSourceTest, AFailingSliceBecomesANote) {
  start(steady_entries(seconds(30)));
  fake_->fail_between(kT0 + minutes(21), kT0 + minutes(22), 500, "too many outstanding requests");
  auto data = fetch(service("{app=\"checkout\"}"));
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->logs.size(), 1u);
  ASSERT_EQ(data->logs[0].slices.size(), 5u);
  EXPECT_EQ(data->logs[0].lines.size(), 100u);
  ASSERT_EQ(data->notes.size(), 1u);
  EXPECT_NE(data->notes[0].find("slice from 04:00:00 UTC failed"), std::string::npos) << data->notes[0];
  EXPECT_NE(data->notes[0].find("HTTP 500"), std::string::npos);
  EXPECT_NE(data->notes[0].find("too many outstanding requests"), std::string::npos);
}

TEST_F(LokiSourceTest, APlainTextParseErrorFailsTheSourceClearly) {
  start(steady_entries(seconds(30)));
  auto data = fetch(service("{app=\"checkout\"} |= \"timeout\""));
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error().code, Errc::HttpStatus);
  EXPECT_NE(data.error().message.find("loki: HTTP 400"), std::string::npos) << data.error().message;
  EXPECT_NE(data.error().message.find("parse error at line 1, col 18"), std::string::npos) << data.error().message;
  EXPECT_EQ(fake_->requests().size(), 6u);
}

TEST_F(LokiSourceTest, LevelsComeFromMetadataMergedIntoLabels) {
  std::vector<fakes::FakeLogEntry> entries;
  entries.push_back({kT0 + minutes(1), {{"app", "checkout"}}, "disk almost full", {{"detected_level", "warn"}}});
  entries.push_back({kT0 + minutes(2), {{"app", "checkout"}}, "ts=1 level=error msg=x", {}});
  start(std::move(entries));
  auto data = fetch(service("{app=\"checkout\"}"));
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->logs[0].lines.size(), 2u);
  EXPECT_EQ(data->logs[0].lines[0].level, "warn");
  EXPECT_EQ(data->logs[0].lines[1].level, "error");
}

TEST_F(LokiSourceTest, FoundPatternsEndToEnd) {
  auto entries = steady_entries(seconds(30));
  for (int i = 0; i < 20 * 24; ++i) {  // 24 a minute over the last 20 minutes
    entries.push_back({kT0 + minutes(40) + milliseconds(2500 * i), {{"app", "checkout"}, {"level", "error"}},
                       "payment failed: upstream 10.0.0." + std::to_string(i % 7) + ":443 timeout", {}});
  }
  start(std::move(entries));
  auto data = fetch(service("{app=\"checkout\"}"));
  ASSERT_TRUE(data) << data.error().describe();
  auto fs = analysis::log_findings(analysis::diff_logs(data->logs[0], kT0 + minutes(40)), 1);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].title, "New error log pattern after 04:20 UTC: \"payment failed: upstream <*> timeout\" (24/min)");
}

TEST(LokiFactory, MakesASourceOnlyForServicesWithLogs) {
  asio::io_context io;
  auto clock = make_system_clock();
  auto http = make_curl_http_client(io.get_executor(), *clock);
  auto f = make_loki_factory(*http);
  EXPECT_EQ(f->name(), "loki");
  ServiceSettings s;
  s.name = "checkout";
  EXPECT_EQ(f->create(s), nullptr);
  s.logs = LogsSettings{"", ""};
  EXPECT_EQ(f->create(s), nullptr);
  s.logs = LogsSettings{"http://127.0.0.1:1", ""};
  EXPECT_NE(f->create(s), nullptr);
  EXPECT_EQ(default_loki_selector("check\"out"), "{service_name=\"check\\\"out\"}");
}

TEST(FakeLokiSelector, AcceptsOnlyExactMatchers) {
  auto ok = fakes::parse_exact_selector(" { app = \"checkout\", env=\"prod\" } ");
  ASSERT_TRUE(ok) << ok.error().describe();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].second, "prod");
  EXPECT_FALSE(fakes::parse_exact_selector("{app=~\"x\"}"));
  EXPECT_FALSE(fakes::parse_exact_selector("{app=\"x\"} |= \"y\""));
  EXPECT_FALSE(fakes::parse_exact_selector("rate({app=\"x\"}[1m])"));
  EXPECT_FALSE(fakes::parse_exact_selector("{app=\"x\""));
}

}  // namespace
}  // namespace alertbot::investigators
