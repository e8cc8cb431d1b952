// The Pyroscope source against FakePyroscope over real loopback HTTP (curl client, Beast server).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <set>

#include "investigators/analysis/flame_diff.hpp"
#include "investigators/sources/pyroscope_source.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "tests/fakes/pyroscope_fake.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

using alertbot::testing::run_coro;
using namespace std::chrono;
const Time kT0 = Time(seconds(1795578000));  // 03:40 UTC
const Time kEnd = kT0 + minutes(60);
constexpr const char* kCompute = "main;http.Serve;github.com/acme/orders/pricing.Compute";
constexpr const char* kQuery = "main;http.Serve;github.com/acme/orders/db.Query";

// One sample per service every 10 s; pricing.Compute takes 2% before 04:20 and 30% after.
std::vector<fakes::FakeProfileSample> samples() {
  std::vector<fakes::FakeProfileSample> out;
  for (Time t = kT0; t < kEnd; t += seconds(10)) {
    double compute = t < kT0 + minutes(40) ? 2 : 30;
    out.push_back({t, "checkout", kCompute, compute});
    out.push_back({t, "checkout", kQuery, 100 - compute});
    out.push_back({t, "ledger", "main;ledger.Write", 100});
  }
  return out;
}

class PyroscopeSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fake = fakes::FakePyroscope::start(io_.get_executor(), samples());
    ASSERT_TRUE(fake) << fake.error().describe();
    fake_ = std::move(*fake);
  }
  void TearDown() override {
    if (fake_) run_coro(io_, fake_->stop());
  }

  Result<SourceData> fetch() {
    ServiceSettings svc;
    svc.name = "checkout-svc";
    svc.profiles = ProfilesSettings{fake_->url(), "checkout"};
    auto source = factory_->create(svc);
    if (!source) return fail(Errc::NotFound, "no pyroscope source made");
    EXPECT_EQ(source->name(), "pyroscope");
    EXPECT_EQ(source->kind(), SourceKind::Profiles);
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
  std::unique_ptr<SourceFactory> factory_ = make_pyroscope_factory(*http_);
  std::unique_ptr<fakes::FakePyroscope> fake_;
};

TEST_F(PyroscopeSourceTest, ReadsSixSlicesOfFoldedStacks) {
  auto data = fetch();
  ASSERT_TRUE(data) << data.error().describe();
  EXPECT_TRUE(data->notes.empty());
  ASSERT_EQ(data->profiles.size(), 1u);
  const ProfileSample& p = data->profiles[0];
  EXPECT_EQ(p.backend, "pyroscope");
  EXPECT_EQ(p.profile_type, "process_cpu:cpu:nanoseconds:cpu:nanoseconds");
  EXPECT_EQ(p.unit, "nanoseconds");
  ASSERT_EQ(p.slices.size(), 6u);
  EXPECT_EQ(p.slices[0].start, kT0);
  EXPECT_EQ(p.slices[5].end, kEnd);
  std::map<std::string, double> first{{kCompute, 60 * 2}, {kQuery, 60 * 98}};
  EXPECT_EQ(p.slices[0].stacks, first);
  EXPECT_EQ(p.slices[5].stacks.at(kCompute), 60 * 30);

  auto reqs = fake_->requests();
  ASSERT_EQ(reqs.size(), 6u);
  std::set<std::string> froms;
  for (const auto& r : reqs) {
    EXPECT_EQ(r.query, "process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"checkout\"}");
    EXPECT_EQ(r.format, "json");
    froms.insert(r.from);
  }
  EXPECT_EQ(froms.count("1795578000"), 1u);
  EXPECT_EQ(froms.count("1795581000"), 1u);
}

TEST_F(PyroscopeSourceTest, FindsTheGrownFunctionEndToEnd) {
  auto data = fetch();
  ASSERT_TRUE(data) << data.error().describe();
  auto diff = analysis::diff_profiles(data->profiles[0], kT0 + minutes(40));
  auto fs = analysis::profile_findings(diff, {"svc/orders/pricing/pricing.go"}, 1);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].attributes.at("function"), "github.com/acme/orders/pricing.Compute");
  EXPECT_EQ(fs[0].attributes.at("file"), "svc/orders/pricing/pricing.go");
  EXPECT_NEAR(fs[0].values.at("before_share"), 0.02, 1e-12);
  EXPECT_NEAR(fs[0].values.at("after_share"), 0.30, 1e-12);
}

TEST_F(PyroscopeSourceTest, AFailingSliceBecomesANote) {
  fake_->fail_between(kT0 + minutes(55), kT0 + minutes(56), 503, "ingester unavailable");
  auto data = fetch();
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->profiles[0].slices.size(), 5u);
  ASSERT_EQ(data->notes.size(), 1u);
  EXPECT_NE(data->notes[0].find("slice from 04:30:00 UTC failed"), std::string::npos) << data->notes[0];
  EXPECT_NE(data->notes[0].find("HTTP 503"), std::string::npos);
  EXPECT_NE(data->notes[0].find("ingester unavailable"), std::string::npos);
}

TEST_F(PyroscopeSourceTest, APlainText404FailsTheSourceClearly) {
  fake_->fail_between(kT0, kEnd, 404, "404 page not found\n");
  auto data = fetch();
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error().code, Errc::HttpStatus);
  EXPECT_NE(data.error().message.find("pyroscope: HTTP 404"), std::string::npos) << data.error().message;
  EXPECT_NE(data.error().message.find("404 page not found"), std::string::npos);
}

TEST_F(PyroscopeSourceTest, AcceptsFoldedTextAnswers) {
  fake_->answer_folded_text(true);
  auto data = fetch();
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->profiles[0].slices.size(), 6u);
  EXPECT_EQ(data->profiles[0].slices[0].stacks.at(kQuery), 60 * 98);
}

TEST(PyroscopeFactory, MakesASourceOnlyForServicesWithProfiles) {
  asio::io_context io;
  auto clock = make_system_clock();
  auto http = make_curl_http_client(io.get_executor(), *clock);
  auto f = make_pyroscope_factory(*http);
  EXPECT_EQ(f->name(), "pyroscope");
  ServiceSettings s;
  s.name = "checkout";
  EXPECT_EQ(f->create(s), nullptr);
  s.profiles = ProfilesSettings{"", "x"};
  EXPECT_EQ(f->create(s), nullptr);
  s.profiles = ProfilesSettings{"http://127.0.0.1:1", ""};
  EXPECT_NE(f->create(s), nullptr);
}

}  // namespace
}  // namespace alertbot::investigators
