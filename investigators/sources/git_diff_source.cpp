#include "investigators/sources/git_diff_source.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "investigators/sources/git_log_parse.hpp"
#include "investigators/sources/github_parse.hpp"
#include "net/subprocess.hpp"

namespace alertbot::investigators {
namespace {

constexpr std::size_t kMaxCommits = 200;
constexpr std::chrono::seconds kGitTimeout{20};
constexpr std::size_t kMaxGitOutput = 16 * 1024 * 1024;

// The first lines of git's complaint, for people.
std::string git_message(const std::string& err) {
  std::string m = err.substr(0, 500);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m.empty() ? "no message" : m;
}

bool mentions_revision(const std::string& err) {
  for (const char* s : {"unknown revision", "bad revision", "Invalid revision range", "bad object", "ambiguous argument",
                        "invalid object name"}) {
    if (err.find(s) != std::string::npos) return true;
  }
  return false;
}

class GitDiffSource final : public DiffSource {
 public:
  GitDiffSource(asio::any_io_executor ex, RepoSettings repo) : ex_(std::move(ex)), repo_(std::move(repo)) {}

  std::string name() const override { return "git"; }

  awaitable<Result<CodeChange>> compare(const DeployEvent& deploy) override {
    if (deploy.previous_version.empty()) co_return fail(Errc::InvalidArgument, "git: deploy " + deploy.id + " has no previous version to compare with");
    std::string bad = !is_safe_revision(deploy.previous_version) ? deploy.previous_version
                      : !is_safe_revision(deploy.version)            ? deploy.version
                                                                     : std::string();
    if (!bad.empty() || deploy.version.empty()) {
      co_return fail(Errc::InvalidArgument, "git: refusing revision \"" + bad.substr(0, 80) + "\" (not a SHA or a plain ref name)");
    }
    std::vector<std::string> argv{"git", "-C", repo_.path, "-c", "core.quotePath=false", "-c", "log.showSignature=false",
                                  "log", "--reverse", "-p", "-M", "--no-color", "--no-ext-diff", "--no-textconv",
                                  "--src-prefix=a/", "--dst-prefix=b/", "--format=" + git_log_format(),
                                  "--max-count=" + std::to_string(kMaxCommits + 1), "--end-of-options",
                                  deploy.previous_version + ".." + deploy.version, "--"};
    ProcessOptions opts;
    opts.timeout = kGitTimeout;
    opts.max_output = kMaxGitOutput;
    opts.env = {{"LC_ALL", "C"}, {"GIT_TERMINAL_PROMPT", "0"}, {"GIT_PAGER", "cat"}, {"GIT_OPTIONAL_LOCKS", "0"}};
    auto op = run_process(std::move(argv), std::move(opts));
    auto run = co_await asio::co_spawn(ex_, std::move(op), asio::use_awaitable);
    if (!run) {
      if (run.error().code == Errc::NotFound) co_return fail(Errc::Unavailable, "git: the git command is not installed");
      co_return Error{run.error().code, "git log " + deploy.previous_version + ".." + deploy.version + ": " + run.error().message};
    }
    // Killed for passing the output cap: what came back is a partial change, not a failure.
    if (run->exit_code != 0 && !run->truncated) {
      std::string msg = "git: " + git_message(run->err);
      co_return fail(mentions_revision(run->err) ? Errc::InvalidArgument : Errc::Unavailable, msg);
    }
    auto commits = parse_git_log(run->out, kMaxPatchBytes, run->truncated);
    if (!commits) co_return commits.error();

    CodeChange change;
    change.service = deploy.service;
    change.deploy_id = deploy.id;
    change.base = deploy.previous_version;
    change.head = deploy.version;
    change.backend = "git";
    change.truncated = run->truncated;
    change.commits = std::move(*commits);
    if (change.commits.size() > kMaxCommits) {  // --reverse: the oldest one is the extra
      change.commits.erase(change.commits.begin());
      change.truncated = true;
    }
    std::string web = repo_.github.empty() ? std::string() : github_web_url(repo_);
    if (!web.empty()) {
      for (auto& c : change.commits) c.link = web + "/commit/" + c.sha;
      change.link = web + "/compare/" + change.base + "..." + change.head;
    }
    co_return change;
  }

 private:
  asio::any_io_executor ex_;
  RepoSettings repo_;
};

class GitDiffFactory final : public DiffFactory {
 public:
  explicit GitDiffFactory(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  std::string name() const override { return "git"; }
  std::unique_ptr<DiffSource> create(const ServiceSettings& service) const override {
    if (!service.repo || service.repo->path.empty()) return nullptr;
    return std::make_unique<GitDiffSource>(ex_, *service.repo);
  }

 private:
  asio::any_io_executor ex_;
};

}  // namespace

std::unique_ptr<DiffFactory> make_git_diff_factory(asio::any_io_executor executor) {
  return std::make_unique<GitDiffFactory>(std::move(executor));
}

}  // namespace alertbot::investigators
