#include "investigators/sources/argocd_deploy_source.hpp"

#include <cctype>

#include "investigators/sources/argocd_parse.hpp"
#include "net/http_client.hpp"

namespace alertbot::investigators {
namespace {

// Deploys this long before the window still count: a bad deploy often precedes the symptom.
constexpr std::chrono::hours kLookBefore{1};

// Kubernetes object names: lower-case letters, digits, '-' and '.'; '_' tolerated.
bool is_app_name(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  }
  return s.find("..") == std::string::npos;
}

std::string describe(const ArgoHistoryEntry& e) {
  std::string what = e.path.empty() ? std::string("sync") : "sync of " + e.path;
  if (!e.repo_url.empty()) what += " from " + e.repo_url;
  if (!e.target_revision.empty()) what += " (" + e.target_revision + ")";
  return what;
}

class ArgoCdSource final : public Source {
 public:
  ArgoCdSource(HttpClient& http, ArgoCdSettings settings) : http_(http), settings_(std::move(settings)) {
    while (!settings_.url.empty() && settings_.url.back() == '/') settings_.url.pop_back();
  }

  std::string name() const override { return "argocd"; }
  SourceKind kind() const override { return SourceKind::Deploys; }

  awaitable<Result<SourceData>> fetch(const Query& q) override {
    if (!is_app_name(settings_.app)) co_return fail(Errc::InvalidArgument, "argocd: deploys.argocd.app '" + settings_.app + "' is not an application name");
    std::string path = "/api/v1/applications/" + settings_.app;
    HttpRequest req;
    req.url = settings_.url + path;
    req.headers = {{"Accept", "application/json"}};
    if (!settings_.token.empty()) req.headers.emplace_back("Authorization", "Bearer " + settings_.token);
    req.idempotent = true;
    auto resp = co_await http_.send(std::move(req));
    if (!resp) co_return resp.error();
    auto body = argocd_body(*resp, "GET " + path);
    if (!body) co_return body.error();
    auto app = parse_argocd_application(*body);
    if (!app) co_return app.error();

    SourceData data;
    Time from = q.start - kLookBefore;
    const auto& h = app->history;
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (h[i].deployed_at < from || h[i].deployed_at > q.end) continue;
      DeployEvent e;
      e.id = std::to_string(h[i].id);
      e.service = q.service;
      e.environment = app->destination_namespace;
      e.version = h[i].revision;
      if (i > 0) e.previous_version = h[i - 1].revision;
      e.author = h[i].username.empty() ? "automated" : h[i].username;
      e.description = describe(h[i]);
      e.source = "argocd";
      e.link = settings_.url + "/applications/" + settings_.app;
      e.at = h[i].deployed_at;
      data.deploys.push_back(std::move(e));
    }
    if (h.empty()) data.notes.push_back("argocd: application " + settings_.app + " has no sync history");
    co_return data;
  }

 private:
  HttpClient& http_;
  ArgoCdSettings settings_;
};

class ArgoCdFactory final : public SourceFactory {
 public:
  explicit ArgoCdFactory(HttpClient& http) : http_(http) {}
  std::string name() const override { return "argocd"; }
  std::unique_ptr<Source> create(const ServiceSettings& service) const override {
    if (service.deploys.source != DeploySource::ArgoCd || service.deploys.argocd.url.empty() ||
        service.deploys.argocd.app.empty()) {
      return nullptr;
    }
    return std::make_unique<ArgoCdSource>(http_, service.deploys.argocd);
  }

 private:
  HttpClient& http_;
};

}  // namespace

std::unique_ptr<SourceFactory> make_argocd_factory(HttpClient& http) { return std::make_unique<ArgoCdFactory>(http); }

}  // namespace alertbot::investigators
