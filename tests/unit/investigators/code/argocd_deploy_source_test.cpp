// The Argo CD deploy source against FakeArgoCd over loopback HTTP: history order (oldest first
// in Argo CD), previous revisions, authors, and Argo CD's JSON errors.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "investigators/sources/argocd_deploy_source.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/argocd_fake.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

using alertbot::testing::run_coro;
using namespace std::chrono_literals;

const Time kT0 = from_unix_seconds(1795578000);
std::string at(std::chrono::seconds offset) { return format_rfc3339(kT0 + offset, false); }

fakes::FakeArgoCdData sample() {
  fakes::FakeArgoApp app;
  app.name = "orders";
  app.history = {
      {41, "rev41", {}, at(-2h), "", "", true, "https://github.com/acme/deploy", "orders"},
      {42, "rev42", {}, at(5min), "", "dana", false, "https://github.com/acme/deploy", "orders"},
      {43, "", {"rev43a", "rev43b"}, at(25min), "", "", true, "https://github.com/acme/deploy", "orders"},
      {44, "rev44", {}, at(2h), "", "kim", false, "https://github.com/acme/deploy", "orders"},  // after the window
  };
  return {"argo-token", {app}};
}

class ArgoCdSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = fakes::FakeArgoCd::start(io_.get_executor(), sample());
    ASSERT_TRUE(f) << f.error().describe();
    fake_ = std::move(*f);
  }
  void TearDown() override { run_coro(io_, fake_->stop()); }
  ServiceSettings service(std::string app = "orders", std::string token = "argo-token") {
    ServiceSettings s;
    s.name = "orders";
    s.deploys.source = DeploySource::ArgoCd;
    s.deploys.argocd = ArgoCdSettings{fake_->url() + "/", std::move(app), std::move(token)};
    return s;
  }
  Result<SourceData> fetch(const ServiceSettings& s) {
    auto source = make_argocd_factory(*http_)->create(s);
    if (!source) return fail(Errc::NotFound, "no source created");
    Query q;
    q.service = s.name;
    q.start = kT0;
    q.end = kT0 + 1h;
    return run_coro(io_, source->fetch(q));
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_);
  std::unique_ptr<fakes::FakeArgoCd> fake_;
};

TEST_F(ArgoCdSourceTest, HistoryInTheWindowWithPreviousRevisions) {
  auto data = fetch(service());
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->deploys.size(), 2u);
  const auto& a = data->deploys[0];
  EXPECT_EQ(a.id, "42");
  EXPECT_EQ(a.version, "rev42");
  EXPECT_EQ(a.previous_version, "rev41");  // the entry before it, though outside the window
  EXPECT_EQ(a.author, "dana");
  EXPECT_EQ(a.source, "argocd");
  EXPECT_EQ(a.service, "orders");
  EXPECT_EQ(a.environment, "production");
  EXPECT_EQ(a.at, kT0 + 5min);
  EXPECT_EQ(a.link, fake_->url() + "/applications/orders");
  EXPECT_NE(a.description.find("orders"), std::string::npos);
  const auto& b = data->deploys[1];
  EXPECT_EQ(b.id, "43");
  EXPECT_EQ(b.version, "rev43a");  // multi-source: the first revision
  EXPECT_EQ(b.previous_version, "rev42");
  EXPECT_EQ(b.author, "automated");
  auto reqs = fake_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/api/v1/applications/orders");
  EXPECT_EQ(reqs[0].authorization, "Bearer argo-token");
}

TEST_F(ArgoCdSourceTest, WrongTokenIsAClearError) {
  auto data = fetch(service("orders", "nope"));
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error().code, Errc::HttpStatus);
  EXPECT_NE(data.error().message.find("401"), std::string::npos) << data.error().message;
  EXPECT_NE(data.error().message.find("invalid session"), std::string::npos) << data.error().message;
  EXPECT_NE(data.error().message.find("argocd.token"), std::string::npos) << data.error().message;
}

TEST_F(ArgoCdSourceTest, UnknownApplicationIsNotFound) {
  auto data = fetch(service("payments"));
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error().code, Errc::NotFound);
  EXPECT_NE(data.error().message.find("\"payments\" not found"), std::string::npos) << data.error().message;
}

TEST_F(ArgoCdSourceTest, HostileAppNameIsRefusedBeforeAnyRequest) {
  auto data = fetch(service("../../api/v1/session"));
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error().code, Errc::InvalidArgument);
  EXPECT_TRUE(fake_->requests().empty());
}

TEST_F(ArgoCdSourceTest, FactoryNeedsArgoCdDeploys) {
  auto f = make_argocd_factory(*http_);
  EXPECT_EQ(f->name(), "argocd");
  auto s = service();
  EXPECT_NE(f->create(s), nullptr);
  s.deploys.source = DeploySource::GitHub;
  EXPECT_EQ(f->create(s), nullptr);
}

}  // namespace
}  // namespace alertbot::investigators
