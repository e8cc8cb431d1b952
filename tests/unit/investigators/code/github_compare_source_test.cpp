// The GitHub compare diff source against FakeGitHub over loopback HTTP: the commit list oldest
// first, per-commit files and patches, files without a patch, unknown and hostile revisions.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "investigators/sources/github_compare_source.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/github_fake.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

using alertbot::testing::run_coro;
using namespace std::chrono_literals;

const Time kT0 = from_unix_seconds(1795578000);
std::string sha(char c) { return std::string(40, c); }

fakes::FakeGitHubData sample() {
  fakes::FakeGitHubData d;
  d.token = "tkn";
  auto date = [](int m) { return format_rfc3339(kT0 + std::chrono::minutes(m), false); };
  d.commits = {
      {sha('0'), "initial", "ci", "ci-bot", date(0), {{"README.md", "added", 1, 0, "@@ -0,0 +1 @@\n+# orders"}}},
      {sha('1'), "load items per order in a loop\n\nN+1 for now", "Dana", "dana", date(1),
       {{"orders/repo.go", "modified", 3, 1, "@@ -3,3 +3,5 @@\n-\treturn q()\n+\tfor _, o := range orders {\n+\t\titems(o)\n+\t}"}}},
      {sha('2'), "add logo and regenerate", "Kim", "", date(2),
       {{"assets/logo.png", "added", 0, 0, std::nullopt}, {"gen/huge.go", "modified", 0, 0, std::nullopt},
        {"orders/new_name.go", "renamed", 0, 0, std::nullopt, "orders/old_name.go"}}},
      {sha('3'), "bump pool size", "lee", "lee", date(3), {{"config/app.yaml", "modified", 1, 1, "@@ -1 +1 @@\n-pool: 5\n+pool: 50"}}},
  };
  d.tags = {{"v1", sha('0')}, {"v2", sha('3')}};
  return d;
}

class GitHubCompareSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = fakes::FakeGitHub::start(io_.get_executor(), sample());
    ASSERT_TRUE(f) << f.error().describe();
    fake_ = std::move(*f);
  }
  void TearDown() override { run_coro(io_, fake_->stop()); }
  Result<CodeChange> compare(const std::string& prev, const std::string& cur) {
    ServiceSettings s;
    s.name = "orders";
    s.repo = RepoSettings{"", "acme/orders", fake_->url(), "tkn"};
    auto source = make_github_compare_factory(*http_)->create(s);
    if (!source) return fail(Errc::NotFound, "no diff source");
    DeployEvent d;
    d.id = "104";
    d.service = "orders";
    d.previous_version = prev;
    d.version = cur;
    return run_coro(io_, source->compare(d));
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_);
  std::unique_ptr<fakes::FakeGitHub> fake_;
};

TEST_F(GitHubCompareSourceTest, CommitsOldestFirstWithTheirFiles) {
  auto change = compare("v1", "v2");
  ASSERT_TRUE(change) << change.error().describe();
  EXPECT_EQ(change->backend, "github");
  EXPECT_EQ(change->deploy_id, "104");
  EXPECT_EQ(change->link, "https://github.com/acme/orders/compare/v1...v2");
  EXPECT_FALSE(change->truncated);
  ASSERT_EQ(change->commits.size(), 3u);
  const Commit& c1 = change->commits[0];
  EXPECT_EQ(c1.sha, sha('1'));
  EXPECT_EQ(c1.author, "dana");  // the GitHub login when there is one
  EXPECT_EQ(c1.message, "load items per order in a loop\n\nN+1 for now");
  EXPECT_EQ(c1.at, kT0 + 1min);
  EXPECT_EQ(c1.link, "https://github.com/acme/orders/commit/" + sha('1'));
  ASSERT_EQ(c1.files.size(), 1u);
  EXPECT_EQ(c1.files[0].path, "orders/repo.go");
  EXPECT_EQ(c1.files[0].additions, 3);
  EXPECT_EQ(c1.files[0].deletions, 1);
  EXPECT_FALSE(c1.files[0].patch_missing);
  EXPECT_NE(c1.files[0].patch.find("+\tfor _, o := range orders {"), std::string::npos);

  const Commit& c2 = change->commits[1];
  EXPECT_EQ(c2.author, "Kim");  // no GitHub account: the git author name
  ASSERT_EQ(c2.files.size(), 3u);
  for (const auto& f : c2.files) {
    EXPECT_TRUE(f.patch_missing) << f.path;  // no patch: zero counts are not trusted
    EXPECT_EQ(f.patch, "");
  }
  EXPECT_EQ(c2.files[2].status, "renamed");
  EXPECT_EQ(c2.files[2].previous_path, "orders/old_name.go");
  EXPECT_EQ(change->commits[2].files.at(0).path, "config/app.yaml");

  auto reqs = fake_->requests();
  ASSERT_EQ(reqs.size(), 4u);  // compare, then one request per commit
  EXPECT_EQ(reqs[0].target, "/repos/acme/orders/compare/v1...v2");
  for (const auto& r : reqs) EXPECT_EQ(r.authorization, "Bearer tkn");
}

TEST_F(GitHubCompareSourceTest, UnknownRevisionIsInvalidArgument) {
  auto change = compare("v1", sha('9'));
  ASSERT_FALSE(change);
  EXPECT_EQ(change.error().code, Errc::InvalidArgument);
  EXPECT_NE(change.error().message.find("404"), std::string::npos) << change.error().message;
}

TEST_F(GitHubCompareSourceTest, HostileRevisionIsRefusedBeforeAnyRequest) {
  auto change = compare("v1", "../../../user?x=");
  ASSERT_FALSE(change);
  EXPECT_EQ(change.error().code, Errc::InvalidArgument);
  auto change2 = compare("--output=/tmp/x", "v2");
  ASSERT_FALSE(change2);
  EXPECT_TRUE(fake_->requests().empty());
}

TEST(GitHubCompareFactory, NeedsARepoOnGitHub) {
  asio::io_context io;
  auto clock = make_system_clock();
  auto http = make_curl_http_client(io.get_executor(), *clock);
  auto f = make_github_compare_factory(*http);
  EXPECT_EQ(f->name(), "github");
  ServiceSettings s;
  EXPECT_EQ(f->create(s), nullptr);
  s.repo = RepoSettings{"/srv/git/orders"};
  EXPECT_EQ(f->create(s), nullptr);
  s.repo->github = "acme/orders";
  EXPECT_NE(f->create(s), nullptr);
}

}  // namespace
}  // namespace alertbot::investigators
