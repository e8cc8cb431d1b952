// The git diff source against real repositories built with GitRepo (the git command): commits
// oldest first, files with status, counts and patches, renames, binary files, a path with a
// space, the patch cap, unknown and hostile revisions.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>

#include "investigators/sources/git_diff_source.hpp"
#include "net/time_format.hpp"
#include "tests/support/git_repo.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

using alertbot::testing::GitRepo;
using alertbot::testing::run_coro;
using alertbot::testing::TempDir;
using namespace std::chrono_literals;

const Time kT0 = from_unix_seconds(1795578000);

const char* const kRepoV1 = R"go(package orders

func (r *Repo) List(ctx context.Context) ([]Order, error) {
	return r.db.QueryOrders(ctx, "SELECT * FROM orders")
}
)go";

const char* const kRepoV2 = R"go(package orders

func (r *Repo) List(ctx context.Context) ([]Order, error) {
	orders, err := r.db.QueryOrders(ctx, "SELECT * FROM orders")
	for _, o := range orders {
		o.Items, err = r.db.QueryItems(ctx, "SELECT * FROM items WHERE order_id = $1", o.ID)
	}
	return orders, err
}
)go";

class GitDiffSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!GitRepo::available()) GTEST_SKIP() << "the git command is not installed (scripts/install-deps.sh should add it)";
    repo_ = std::make_unique<GitRepo>(GitRepo::create(dir_.path() / "orders"));
    base_ = repo_->commit("initial", "ci", kT0, {{"orders/repo.go", kRepoV1}, {"orders/util.go", "package orders\n\nfunc helper() {}\n"},
                                                 {"README.md", "# orders\n"}});
    repo_->tag("v1");
    shas_.push_back(repo_->commit("load items per order in a loop", "dana", kT0 + 1min, {{"orders/repo.go", kRepoV2}}));
    shas_.push_back(repo_->commit("rename util to helpers", "lee", kT0 + 2min,
                                  {{"orders/helpers.go", "package orders\n\nfunc helper() {}\n"}}, {"orders/util.go"}));
    std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    shas_.push_back(repo_->commit("add logo", "kim", kT0 + 3min, {{"assets/logo.png", png}}));
    shas_.push_back(repo_->commit("notes\n\nwith a body line", "kim", kT0 + 4min, {{"docs/my notes.md", "one\ntwo\n"}}));
    std::string big;
    for (int i = 0; i < 5000; ++i) big += "fixture line " + std::to_string(i) + "\n";
    shas_.push_back(repo_->commit("generate fixtures", "ci", kT0 + 5min, {{"testdata/big.txt", big}}));
  }

  Result<CodeChange> compare(const std::string& prev, const std::string& cur) {
    ServiceSettings s;
    s.name = "orders";
    s.repo = RepoSettings{repo_->path().string(), "acme/orders"};
    auto source = make_git_diff_factory(io_.get_executor())->create(s);
    if (!source) return fail(Errc::NotFound, "no diff source");
    DeployEvent d;
    d.id = "d-7";
    d.service = "orders";
    d.previous_version = prev;
    d.version = cur;
    return run_coro(io_, source->compare(d));
  }

  asio::io_context io_;
  TempDir dir_{"alertbot-git"};
  std::unique_ptr<GitRepo> repo_;
  std::string base_;
  std::vector<std::string> shas_;
};

TEST_F(GitDiffSourceTest, CommitsOldestFirstWithFilesAndPatches) {
  auto change = compare("v1", shas_.back());
  ASSERT_TRUE(change) << change.error().describe();
  EXPECT_EQ(change->backend, "git");
  EXPECT_EQ(change->deploy_id, "d-7");
  EXPECT_EQ(change->base, "v1");
  EXPECT_FALSE(change->truncated);
  ASSERT_EQ(change->commits.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(change->commits[i].sha, shas_[i]) << i;

  const Commit& loop = change->commits[0];
  EXPECT_EQ(loop.author, "dana");
  EXPECT_EQ(loop.at, kT0 + 1min);
  EXPECT_EQ(loop.message, "load items per order in a loop");
  EXPECT_EQ(loop.link, "https://github.com/acme/orders/commit/" + shas_[0]);
  ASSERT_EQ(loop.files.size(), 1u);
  EXPECT_EQ(loop.files[0].path, "orders/repo.go");
  EXPECT_EQ(loop.files[0].status, "modified");
  EXPECT_EQ(loop.files[0].additions, 5);
  EXPECT_EQ(loop.files[0].deletions, 1);
  EXPECT_FALSE(loop.files[0].patch_missing);
  EXPECT_EQ(loop.files[0].patch.rfind("@@ ", 0), 0u) << loop.files[0].patch;
  EXPECT_NE(loop.files[0].patch.find("\n+\tfor _, o := range orders {\n"), std::string::npos) << loop.files[0].patch;

  const Commit& rename = change->commits[1];
  ASSERT_EQ(rename.files.size(), 1u);
  EXPECT_EQ(rename.files[0].status, "renamed");
  EXPECT_EQ(rename.files[0].path, "orders/helpers.go");
  EXPECT_EQ(rename.files[0].previous_path, "orders/util.go");

  const Commit& binary = change->commits[2];
  ASSERT_EQ(binary.files.size(), 1u);
  EXPECT_EQ(binary.files[0].path, "assets/logo.png");
  EXPECT_EQ(binary.files[0].status, "added");
  EXPECT_TRUE(binary.files[0].patch_missing);
  EXPECT_EQ(binary.files[0].patch, "");

  const Commit& notes = change->commits[3];
  EXPECT_EQ(notes.message, "notes\n\nwith a body line");
  ASSERT_EQ(notes.files.size(), 1u);
  EXPECT_EQ(notes.files[0].path, "docs/my notes.md");
  EXPECT_EQ(notes.files[0].additions, 2);

  const FileChange& big = change->commits[4].files.at(0);
  EXPECT_TRUE(big.patch_missing);  // past 64 KiB: cut, counts exact
  EXPECT_LE(big.patch.size(), 64u * 1024);
  EXPECT_GT(big.patch.size(), 60u * 1024);
  EXPECT_EQ(big.additions, 5000);
}

TEST_F(GitDiffSourceTest, SameCallsGiveTheSameShas) {
  TempDir other("alertbot-git2");
  auto again = GitRepo::create(other.path() / "orders");
  std::string sha = again.commit("initial", "ci", kT0, {{"orders/repo.go", kRepoV1}, {"orders/util.go", "package orders\n\nfunc helper() {}\n"},
                                                        {"README.md", "# orders\n"}});
  EXPECT_EQ(sha, base_);
}

TEST_F(GitDiffSourceTest, UnknownRevisionIsInvalidArgumentWithGitsMessage) {
  auto change = compare("v1", "0123456789abcdef0123456789abcdef01234567");
  ASSERT_FALSE(change);
  EXPECT_EQ(change.error().code, Errc::InvalidArgument);
  EXPECT_NE(change.error().message.find("git: "), std::string::npos) << change.error().message;
  bool names = change.error().message.find("bad revision") != std::string::npos ||
               change.error().message.find("unknown revision") != std::string::npos ||
               change.error().message.find("Invalid revision range") != std::string::npos;
  EXPECT_TRUE(names) << change.error().message;
}

TEST_F(GitDiffSourceTest, HostileRevisionsAreRefusedBeforeGitRuns) {
  auto target = dir_.path() / "x";
  for (const char* rev : {"--output=/tmp/x", "-p", "a b", "v1..HEAD", "HEAD@{1}", "main:secret", ""}) {
    std::string evil = std::string(rev) == "--output=/tmp/x" ? "--output=" + target.string() : rev;
    auto change = compare(evil, shas_.back());
    ASSERT_FALSE(change) << rev;
    EXPECT_EQ(change.error().code, Errc::InvalidArgument) << rev;
    auto change2 = compare("v1", evil);
    ASSERT_FALSE(change2) << rev;
    EXPECT_EQ(change2.error().code, Errc::InvalidArgument) << rev;
  }
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(GitDiffSourceTest, MissingRepositoryIsUnavailable) {
  ServiceSettings s;
  s.repo = RepoSettings{(dir_.path() / "nope").string()};
  auto source = make_git_diff_factory(io_.get_executor())->create(s);
  ASSERT_NE(source, nullptr);
  DeployEvent d;
  d.previous_version = "v1";
  d.version = "v2";
  auto change = run_coro(io_, source->compare(d));
  ASSERT_FALSE(change);
  EXPECT_EQ(change.error().code, Errc::Unavailable) << change.error().describe();
}

TEST(GitDiffFactory, NeedsARepoPath) {
  asio::io_context io;
  auto f = make_git_diff_factory(io.get_executor());
  EXPECT_EQ(f->name(), "git");
  ServiceSettings s;
  EXPECT_EQ(f->create(s), nullptr);
  s.repo = RepoSettings{"", "acme/orders"};
  EXPECT_EQ(f->create(s), nullptr);
  s.repo->path = "/srv/git/orders";
  EXPECT_NE(f->create(s), nullptr);
}

}  // namespace
}  // namespace alertbot::investigators
