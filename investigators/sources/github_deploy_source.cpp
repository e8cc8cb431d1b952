#include "investigators/sources/github_deploy_source.hpp"

#include <algorithm>

#include "investigators/sources/github_parse.hpp"
#include "net/form.hpp"
#include "net/http_client.hpp"

namespace alertbot::investigators {
namespace {

// Deploys this long before the window still count: a bad deploy often precedes the symptom.
constexpr std::chrono::hours kLookBefore{1};
// Deployment list pages followed at most (100 deployments each).
constexpr int kMaxPages = 5;
// Deployments older than the window whose statuses are read to find previous versions.
constexpr std::size_t kOlderForPrevious = 10;
// Status requests in flight at once.
constexpr std::size_t kStatusConcurrency = 6;

std::string short_sha(const std::string& sha) { return sha.substr(0, 7); }

struct Candidate {
  GitHubDeployment deployment;
  std::optional<GitHubStatus> first_success;  // the oldest success status
  std::string latest_state;                   // the newest status (for the skip note)
};

class GitHubDeploySource final : public Source {
 public:
  GitHubDeploySource(HttpClient& http, RepoSettings repo, std::string environment)
      : http_(http), repo_(std::move(repo)), environment_(std::move(environment)), base_(github_api_base(repo_)) {}

  std::string name() const override { return "github-deploys"; }
  SourceKind kind() const override { return SourceKind::Deploys; }

  awaitable<Result<SourceData>> fetch(const Query& q) override {
    if (!is_github_repo_name(repo_.github)) {
      co_return fail(Errc::InvalidArgument, "github: repo.github '" + repo_.github + "' is not owner/name");
    }
    SourceData data;
    Time from = q.start - kLookBefore;
    auto listed = co_await list_deployments(from, data.notes);
    if (!listed) co_return listed.error();
    std::vector<Candidate> candidates = pick(*listed, from, q.end);

    auto fetch_one = [this, &candidates](std::size_t i) { return statuses(candidates[i].deployment.id); };
    auto results = co_await gather_bounded<Result<std::vector<GitHubStatus>>>(candidates.size(), kStatusConcurrency, fetch_one);
    std::optional<Error> first_error;
    std::size_t failures = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!results[i]) {
        if (!first_error) first_error = results[i].error();
        ++failures;
        data.notes.push_back("github: statuses of deployment " + std::to_string(candidates[i].deployment.id) +
                             " failed: " + results[i].error().describe());
        continue;
      }
      for (const auto& s : *results[i]) {  // the oldest success marks when it went live
        if (s.state == "success" && (!candidates[i].first_success || s.created_at <= candidates[i].first_success->created_at)) {
          candidates[i].first_success = s;
        }
      }
      candidates[i].latest_state = results[i]->empty() ? "no status" : results[i]->front().state;
    }
    if (first_error && failures == candidates.size()) co_return *first_error;
    data.deploys = to_events(candidates, q, from, data.notes);
    co_return data;
  }

 private:
  // Pages of /deployments, newest first, until one reaches past `from` (or the page cap).
  awaitable<Result<std::vector<GitHubDeployment>>> list_deployments(Time from, std::vector<std::string>& notes) {
    FormFields params;
    if (!environment_.empty()) params.emplace_back("environment", environment_);
    params.emplace_back("per_page", "100");
    std::string url = base_ + "/repos/" + repo_.github + "/deployments?" + form_encode(params);
    std::vector<GitHubDeployment> out;
    for (int page = 1;; ++page) {
      HttpRequest req = github_request(repo_, url);
      auto resp = co_await http_.send(std::move(req));
      if (!resp) co_return resp.error();
      auto body = github_body(*resp, "GET /repos/" + repo_.github + "/deployments");
      if (!body) co_return body.error();
      auto items = parse_github_deployments(*body);
      if (!items) co_return items.error();
      out.insert(out.end(), items->begin(), items->end());
      if (items->empty() || items->back().created_at < from) break;
      std::string next = link_next(resp->header("link").value_or(""));
      if (next.empty()) break;
      if (next.rfind(base_ + "/", 0) != 0) {
        notes.push_back("github: not following a Link header to another host (" + next.substr(0, 100) + ")");
        break;
      }
      if (page == kMaxPages) {
        notes.push_back("github: read the newest " + std::to_string(out.size()) + " deployments only (page cap)");
        break;
      }
      url = std::move(next);
    }
    co_return out;
  }

  awaitable<Result<std::vector<GitHubStatus>>> statuses(std::int64_t id) {
    std::string path = "/repos/" + repo_.github + "/deployments/" + std::to_string(id) + "/statuses";
    HttpRequest req = github_request(repo_, base_ + path + "?per_page=100");
    auto resp = co_await http_.send(std::move(req));
    if (!resp) co_return resp.error();
    auto body = github_body(*resp, "GET " + path);
    if (!body) co_return body.error();
    co_return parse_github_statuses(*body);
  }

  // Deployments created in [from, end], plus a few older ones to find previous versions.
  static std::vector<Candidate> pick(std::vector<GitHubDeployment> all, Time from, Time end) {
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
    std::vector<Candidate> out;
    std::size_t older = 0;
    for (auto& d : all) {
      if (d.created_at > end) continue;
      if (d.created_at < from && older++ >= kOlderForPrevious) break;
      out.push_back(Candidate{std::move(d), std::nullopt, {}});
    }
    return out;
  }

  std::vector<DeployEvent> to_events(const std::vector<Candidate>& candidates, const Query& q, Time from,
                                     std::vector<std::string>& notes) const {
    std::vector<const Candidate*> ok;
    std::string skipped;
    for (const auto& c : candidates) {
      if (c.first_success) ok.push_back(&c);
      else if (c.deployment.created_at >= from && !c.latest_state.empty()) {
        skipped += (skipped.empty() ? "" : ", ") + std::to_string(c.deployment.id) + " (" + short_sha(c.deployment.sha) +
                   ", " + c.latest_state + ")";
      }
    }
    if (!skipped.empty()) notes.push_back("github: deployments without a success status were skipped: " + skipped);
    std::stable_sort(ok.begin(), ok.end(), [](auto* a, auto* b) { return a->first_success->created_at > b->first_success->created_at; });
    std::string web = github_web_url(repo_);
    std::vector<DeployEvent> out;
    for (std::size_t i = 0; i < ok.size(); ++i) {
      const auto& d = ok[i]->deployment;
      const auto& s = *ok[i]->first_success;
      if (s.created_at < from || s.created_at > q.end) continue;
      DeployEvent e;
      e.id = std::to_string(d.id);
      e.service = q.service;
      e.environment = d.environment;
      e.version = d.sha;
      if (i + 1 < ok.size()) e.previous_version = ok[i + 1]->deployment.sha;
      e.author = d.creator;
      e.description = d.description;
      e.source = "github";
      e.link = !s.log_url.empty() ? s.log_url : !s.target_url.empty() ? s.target_url : web.empty() ? "" : web + "/deployments";
      e.at = s.created_at;
      out.push_back(std::move(e));
    }
    return out;
  }

  HttpClient& http_;
  RepoSettings repo_;
  std::string environment_;
  std::string base_;  // API base URL, no trailing slash
};

class GitHubDeployFactory final : public SourceFactory {
 public:
  explicit GitHubDeployFactory(HttpClient& http) : http_(http) {}
  std::string name() const override { return "github-deploys"; }
  std::unique_ptr<Source> create(const ServiceSettings& service) const override {
    if (service.deploys.source != DeploySource::GitHub || !service.repo || service.repo->github.empty()) return nullptr;
    return std::make_unique<GitHubDeploySource>(http_, *service.repo, service.deploys.environment);
  }

 private:
  HttpClient& http_;
};

}  // namespace

std::unique_ptr<SourceFactory> make_github_deploy_factory(HttpClient& http) { return std::make_unique<GitHubDeployFactory>(http); }

}  // namespace alertbot::investigators
