// The GitHub deployments source against FakeGitHub over loopback HTTP: paging through Link
// headers, the first success status as the deploy time, previous versions, skipped failures,
// the headers GitHub wants, and clear errors.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "investigators/sources/github_deploy_source.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/github_fake.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

using alertbot::testing::run_coro;
using namespace std::chrono_literals;

const Time kT0 = from_unix_seconds(1795578000);  // window start
std::string at(std::chrono::seconds offset) { return format_rfc3339(kT0 + offset, false); }
std::string sha(char c) { return std::string(40, c); }

fakes::FakeGitHubData sample() {
  fakes::FakeGitHubData d;
  d.token = "tkn";
  d.max_per_page = 2;
  d.deployments = {
      {101, sha('1'), "main", "production", "old release", "ci-bot", at(-3h), {{1, "success", at(-3h + 60s)}}},
      {102, sha('2'), "main", "production", "release 2", "dana", at(10min),
       {{2, "pending", at(10min)}, {3, "in_progress", at(11min)}, {4, "success", at(12min), "https://ci.example/logs/102"},
        {5, "success", at(40min)}}},
      {103, sha('3'), "main", "production", "release 3", "lee", at(20min), {{6, "failure", at(21min)}}},
      {104, sha('4'), "main", "production", "release 4", "kim", at(30min), {{7, "success", at(31min), "", "https://ci.example/t/104"}}},
      {105, sha('5'), "main", "staging", "staging only", "kim", at(35min), {{8, "success", at(36min)}}},
  };
  for (int i = 0; i < 6; ++i) {  // old history that must not be paged through
    d.deployments.push_back({90 + i, sha(static_cast<char>('a' + i)), "main", "production", "", "ci-bot",
                             at(-std::chrono::hours(24 * (i + 1))), {{100 + i, "success", at(-std::chrono::hours(24 * (i + 1)))}}});
  }
  return d;
}

class GitHubDeploySourceTest : public ::testing::Test {
 protected:
  void start(fakes::FakeGitHubData data) {
    auto f = fakes::FakeGitHub::start(io_.get_executor(), std::move(data));
    ASSERT_TRUE(f) << f.error().describe();
    fake_ = std::move(*f);
  }
  void TearDown() override {
    if (fake_) run_coro(io_, fake_->stop());
  }
  ServiceSettings service(std::string token = "tkn") {
    ServiceSettings s;
    s.name = "orders";
    s.repo = RepoSettings{"", "acme/orders", fake_->url(), std::move(token)};
    s.deploys.source = DeploySource::GitHub;
    s.deploys.environment = "production";
    return s;
  }
  Result<SourceData> fetch(const ServiceSettings& s) {
    auto source = make_github_deploy_factory(*http_)->create(s);
    if (!source) return fail(Errc::NotFound, "no source created");
    Query q;
    q.service = s.name;
    q.settings = &s;
    q.start = kT0;
    q.end = kT0 + 1h;
    return run_coro(io_, source->fetch(q));
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_);
  std::unique_ptr<fakes::FakeGitHub> fake_;
};

TEST_F(GitHubDeploySourceTest, SuccessfulDeploysWithFirstSuccessTimeAndPreviousVersion) {
  start(sample());
  auto data = fetch(service());
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->deploys.size(), 2u);
  const auto& d4 = data->deploys[0];
  EXPECT_EQ(d4.id, "104");
  EXPECT_EQ(d4.service, "orders");
  EXPECT_EQ(d4.environment, "production");
  EXPECT_EQ(d4.version, sha('4'));
  EXPECT_EQ(d4.previous_version, sha('2'));  // 103 never succeeded
  EXPECT_EQ(d4.author, "kim");
  EXPECT_EQ(d4.description, "release 4");
  EXPECT_EQ(d4.source, "github");
  EXPECT_EQ(d4.link, "https://ci.example/t/104");
  EXPECT_EQ(d4.at, kT0 + 31min);
  const auto& d2 = data->deploys[1];
  EXPECT_EQ(d2.id, "102");
  EXPECT_EQ(d2.at, kT0 + 12min);  // the first success, not the later one
  EXPECT_EQ(d2.previous_version, sha('1'));  // older than the window, found on page 2
  EXPECT_EQ(d2.link, "https://ci.example/logs/102");
  ASSERT_EQ(data->notes.size(), 1u);
  EXPECT_NE(data->notes[0].find("103"), std::string::npos) << data->notes[0];
  EXPECT_NE(data->notes[0].find("failure"), std::string::npos) << data->notes[0];
}

TEST_F(GitHubDeploySourceTest, PagesUntilPastTheWindowAndSendsGitHubHeaders) {
  start(sample());
  auto data = fetch(service());
  ASSERT_TRUE(data) << data.error().describe();
  auto reqs = fake_->requests();
  std::vector<std::string> lists, statuses;
  for (const auto& r : reqs) {
    EXPECT_EQ(r.authorization, "Bearer tkn");
    EXPECT_EQ(r.accept, "application/vnd.github+json");
    EXPECT_EQ(r.api_version, "2022-11-28");
    (r.target.find("/statuses") != std::string::npos ? statuses : lists).push_back(r.target);
  }
  ASSERT_EQ(lists.size(), 2u);  // page 2 ends before the window: pages 3-4 are never read
  EXPECT_EQ(lists[0], "/repos/acme/orders/deployments?environment=production&per_page=100");
  EXPECT_NE(lists[1].find("page=2"), std::string::npos) << lists[1];
  EXPECT_EQ(statuses.size(), 4u);  // 104, 103, 102 and the older 101
}

TEST_F(GitHubDeploySourceTest, WrongTokenIsAClearError) {
  start(sample());
  auto data = fetch(service("wrong"));
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error().code, Errc::HttpStatus);
  EXPECT_NE(data.error().message.find("401"), std::string::npos) << data.error().message;
  EXPECT_NE(data.error().message.find("Bad credentials"), std::string::npos) << data.error().message;
  EXPECT_NE(data.error().message.find("github_token"), std::string::npos) << data.error().message;
  EXPECT_EQ(data.error().message.find("wrong"), std::string::npos) << "the token leaked: " << data.error().message;
}

TEST_F(GitHubDeploySourceTest, UnknownRepositoryIsNotFound) {
  start(sample());
  auto s = service();
  s.repo->github = "acme/nope";
  auto data = fetch(s);
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error().code, Errc::NotFound);
}

TEST_F(GitHubDeploySourceTest, FactoryNeedsGitHubDeploysAndARepo) {
  start(sample());
  auto f = make_github_deploy_factory(*http_);
  EXPECT_EQ(f->name(), "github-deploys");
  auto s = service();
  EXPECT_NE(f->create(s), nullptr);
  EXPECT_EQ(f->create(s)->kind(), SourceKind::Deploys);
  s.deploys.source = DeploySource::Webhook;
  EXPECT_EQ(f->create(s), nullptr);
  s.deploys.source = DeploySource::GitHub;
  s.repo.reset();
  EXPECT_EQ(f->create(s), nullptr);
}

}  // namespace
}  // namespace alertbot::investigators
