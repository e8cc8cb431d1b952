#include "investigators/sources/github_compare_source.hpp"

#include "investigators/sources/git_log_parse.hpp"
#include "investigators/sources/github_parse.hpp"
#include "net/http_client.hpp"

namespace alertbot::investigators {
namespace {

// Commits whose files are fetched (the newest ones: closest to the deploy).
constexpr std::size_t kMaxDetailed = 30;
constexpr std::size_t kCommitConcurrency = 6;

class GitHubCompareSource final : public DiffSource {
 public:
  GitHubCompareSource(HttpClient& http, RepoSettings repo) : http_(http), repo_(std::move(repo)), base_(github_api_base(repo_)) {}

  std::string name() const override { return "github"; }

  awaitable<Result<CodeChange>> compare(const DeployEvent& deploy) override {
    if (!is_github_repo_name(repo_.github)) co_return fail(Errc::InvalidArgument, "github: repo.github '" + repo_.github + "' is not owner/name");
    if (deploy.previous_version.empty()) co_return fail(Errc::InvalidArgument, "github: deploy " + deploy.id + " has no previous version to compare with");
    if (!is_safe_revision(deploy.previous_version) || !is_safe_revision(deploy.version)) {
      co_return fail(Errc::InvalidArgument, "github: refusing revisions \"" + deploy.previous_version.substr(0, 80) + "\"...\"" +
                                                deploy.version.substr(0, 80) + "\" (not SHAs or plain ref names)");
    }
    std::string path = "/repos/" + repo_.github + "/compare/" + deploy.previous_version + "..." + deploy.version;
    auto body = co_await get(path);
    if (!body) {
      if (body.error().code == Errc::NotFound) co_return fail(Errc::InvalidArgument, body.error().message);
      co_return body.error();
    }
    auto cmp = parse_github_compare(*body);
    if (!cmp) co_return cmp.error();

    CodeChange change;
    change.service = deploy.service;
    change.deploy_id = deploy.id;
    change.base = deploy.previous_version;
    change.head = deploy.version;
    change.backend = "github";
    change.link = cmp->html_url;
    change.commits = std::move(cmp->commits);
    change.truncated = cmp->total_commits > static_cast<int>(change.commits.size()) || change.commits.size() > kMaxDetailed;

    std::size_t first = change.commits.size() > kMaxDetailed ? change.commits.size() - kMaxDetailed : 0;
    std::size_t n = change.commits.size() - first;
    auto fetch_one = [this, &change, first](std::size_t i) { return commit(change.commits[first + i].sha); };
    auto details = co_await gather_bounded<Result<DetailedCommit>>(n, kCommitConcurrency, fetch_one);
    std::optional<Error> first_error;
    std::size_t failures = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!details[i]) {
        if (!first_error) first_error = details[i].error();
        ++failures;
        change.truncated = true;  // this commit's files are unknown
        continue;
      }
      Commit& c = change.commits[first + i];
      c.files = std::move(details[i]->commit.files);
      if (c.link.empty()) c.link = details[i]->commit.link;
      if (details[i]->files_capped) change.truncated = true;
    }
    if (first_error && failures == n) co_return *first_error;
    co_return change;
  }

 private:
  struct DetailedCommit {
    Commit commit;
    bool files_capped = false;
  };

  awaitable<Result<std::string>> get(std::string path) {
    HttpRequest req = github_request(repo_, base_ + path);
    auto resp = co_await http_.send(std::move(req));
    if (!resp) co_return resp.error();
    co_return github_body(*resp, "GET " + path);
  }

  awaitable<Result<DetailedCommit>> commit(std::string sha) {
    auto body = co_await get("/repos/" + repo_.github + "/commits/" + sha);
    if (!body) co_return body.error();
    DetailedCommit out;
    auto c = parse_github_commit(*body, out.files_capped);
    if (!c) co_return c.error();
    out.commit = std::move(*c);
    co_return out;
  }

  HttpClient& http_;
  RepoSettings repo_;
  std::string base_;
};

class GitHubCompareFactory final : public DiffFactory {
 public:
  explicit GitHubCompareFactory(HttpClient& http) : http_(http) {}
  std::string name() const override { return "github"; }
  std::unique_ptr<DiffSource> create(const ServiceSettings& service) const override {
    if (!service.repo || service.repo->github.empty()) return nullptr;
    return std::make_unique<GitHubCompareSource>(http_, *service.repo);
  }

 private:
  HttpClient& http_;
};

}  // namespace

std::unique_ptr<DiffFactory> make_github_compare_factory(HttpClient& http) { return std::make_unique<GitHubCompareFactory>(http); }

}  // namespace alertbot::investigators
