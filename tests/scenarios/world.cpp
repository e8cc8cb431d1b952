#include "tests/scenarios/world.hpp"

#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <memory>

#include "bot/report.hpp"
#include "bot/report_json.hpp"
#include "investigators/source_registry.hpp"
#include "investigators/sources/deploy_history.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/argocd_fake.hpp"
#include "tests/fakes/github_fake.hpp"
#include "tests/fakes/jaeger_fake.hpp"
#include "tests/fakes/loki_fake.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/fakes/pyroscope_fake.hpp"
#include "tests/fakes/tempo_fake.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::scenarios {
namespace {

namespace inv = investigators;
using std::chrono::minutes;

constexpr minutes kWindow{60};
// Backends hold data from a little before the window, as real ones do.
constexpr minutes kHistory{75};

std::string query_for(const std::string& role, const std::string& svc) {
  const std::string sel = "{service=\"" + svc + "\"";
  if (role == "latency") return "histogram_quantile(0.99, sum by (le) (rate(http_server_duration_seconds_bucket" + sel + "}[5m])))";
  if (role == "errors") {
    return "sum(rate(http_server_requests_total" + sel + ",code=~\"5..\"}[5m])) / sum(rate(http_server_requests_total" + sel + "}[5m]))";
  }
  if (role == "saturation") return "max(rate(container_cpu_usage_seconds_total" + sel + "}[5m]) / on() kube_pod_container_resource_limits" + sel + ",resource=\"cpu\"})";
  return "sum(rate(http_server_requests_total" + sel + "}[5m]))";
}

// Deploys received on our webhook, as the store would give them back.
class MemoryDeployHistory final : public inv::DeployHistory {
 public:
  std::vector<inv::DeployEvent> events;
  awaitable<Result<std::vector<inv::DeployEvent>>> deploys(std::string service, inv::Time from, inv::Time to) override {
    std::vector<inv::DeployEvent> out;
    for (const auto& e : events) {
      if (e.service == service && e.at >= from && e.at <= to) out.push_back(e);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at > b.at; });
    co_return out;
  }
};

// A commit as GitHub's API shows it, read back from the real repository.
fakes::FakeGitHubCommit github_commit(const testing::GitRepo& repo, const std::string& sha, const CommitSpec& spec) {
  fakes::FakeGitHubCommit c;
  c.sha = sha;
  c.message = spec.message;
  c.author_name = spec.author;
  c.author_login = spec.author;
  c.date = format_rfc3339(kNow - spec.ago, false);
  const std::string numstat = repo.git({"show", "--format=", "--numstat", sha});
  std::size_t pos = 0;
  while (pos < numstat.size()) {
    auto nl = numstat.find('\n', pos);
    std::string line = numstat.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? numstat.size() : nl + 1;
    auto t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    fakes::FakeGitHubFile f;
    f.filename = line.substr(t2 + 1);
    f.additions = std::atoi(line.substr(0, t1).c_str());
    f.deletions = std::atoi(line.substr(t1 + 1, t2 - t1 - 1).c_str());
    std::string diff = repo.git({"show", "--format=", "--no-color", sha, "--", f.filename});
    if (auto hunk = diff.find("@@"); hunk != std::string::npos) f.patch = diff.substr(hunk);
    if (diff.find("new file mode") != std::string::npos) f.status = "added";
    c.files.push_back(std::move(f));
  }
  return c;
}

struct Servers {
  std::unique_ptr<fakes::FakePrometheus> prometheus;
  std::unique_ptr<fakes::FakeJaeger> jaeger;
  std::unique_ptr<fakes::FakeTempo> tempo;
  std::unique_ptr<fakes::FakeLoki> loki;
  std::unique_ptr<fakes::FakePyroscope> pyroscope;
  std::unique_ptr<fakes::FakeArgoCd> argocd;
  std::map<std::string, std::unique_ptr<fakes::FakeGitHub>> github;  // one repository each
};

class Builder {
 public:
  Builder(asio::io_context& io, const Scenario& s, testing::TempDir& dir) : io_(io), s_(s), dir_(dir) {}

  Result<void> build(Servers& out, MemoryDeployHistory& history, std::vector<inv::ServiceSettings>& services,
                     std::map<std::string, std::string>& shas) {
    std::vector<fakes::FakeSeries> series;
    std::vector<inv::Trace> jaeger_traces, tempo_traces;
    std::vector<fakes::FakeLogEntry> logs;
    std::vector<fakes::FakeProfileSample> profiles;
    fakes::FakeArgoCdData argo;
    const inv::Time start = kNow - kHistory;
    for (const auto& svc : s_.services) {
      for (const auto& ss : svc.series) {
        fakes::FakeSeries f;
        f.match = query_for(ss.role, svc.name);
        f.labels = {{"service", svc.name}};
        f.before = ss.before;
        f.after = ss.onset_ago ? ss.after : ss.before;
        f.noise = ss.noise;
        f.onset = ss.onset_ago ? kNow - *ss.onset_ago : kNow + std::chrono::hours(24);
        if (ss.recovered_ago) f.recovered = kNow - *ss.recovered_ago;
        series.push_back(f);
      }
      if (svc.traces) {
        auto traces = generate_traces(svc.traces->before, svc.traces->after, start, kNow - svc.traces->change_ago, kNow,
                                      std::chrono::seconds(10), static_cast<int>(series.size()));
        auto& to = svc.traces->tempo ? tempo_traces : jaeger_traces;
        to.insert(to.end(), traces.begin(), traces.end());
      }
      auto lines = generate_logs(svc.name, svc.logs, start, kNow - svc.logs_change_ago, kNow);
      logs.insert(logs.end(), lines.begin(), lines.end());
      if (!svc.profile_before.empty()) {
        auto p = generate_profiles(svc.name, svc.profile_before, svc.profile_after, start, kNow - svc.profile_change_ago, kNow);
        profiles.insert(profiles.end(), p.begin(), p.end());
      }
      if (auto r = build_repo(svc, out, shas); !r) return r;
      add_deploys(svc, history, argo, out, shas);
    }
    // Longer queries first: the fake answers with the first series whose match text the query holds.
    std::sort(series.begin(), series.end(), [](const auto& a, const auto& b) { return a.match.size() > b.match.size(); });
    auto ex = io_.get_executor();
    if (auto p = fakes::FakePrometheus::start(ex, series); p) out.prometheus = std::move(*p); else return p.error();
    if (!jaeger_traces.empty()) {
      if (auto j = fakes::FakeJaeger::start(ex, jaeger_traces); j) out.jaeger = std::move(*j); else return j.error();
    }
    if (!tempo_traces.empty()) {
      if (auto t = fakes::FakeTempo::start(ex, tempo_traces); t) out.tempo = std::move(*t); else return t.error();
    }
    if (!logs.empty()) {
      if (auto l = fakes::FakeLoki::start(ex, logs); l) out.loki = std::move(*l); else return l.error();
    }
    if (!profiles.empty()) {
      if (auto p = fakes::FakePyroscope::start(ex, profiles); p) out.pyroscope = std::move(*p); else return p.error();
    }
    if (!argo.apps.empty()) {
      if (auto a = fakes::FakeArgoCd::start(ex, argo); a) out.argocd = std::move(*a); else return a.error();
    }
    for (const auto& svc : s_.services) services.push_back(settings_for(svc, out));
    return {};
  }

 private:
  Result<void> build_repo(const ServiceSpec& svc, Servers& out, std::map<std::string, std::string>& shas) {
    if (svc.commits.empty()) return {};
    auto repo = testing::GitRepo::create(dir_.path() / svc.name);
    fakes::FakeGitHubData gh;
    gh.owner = "acme";
    gh.repo = svc.name;
    for (const auto& c : svc.commits) {
      std::string sha = repo.commit(c.message, c.author, kNow - c.ago, c.files, c.deleted);
      if (!c.tag.empty()) {
        repo.tag(c.tag);
        shas[svc.name + "@" + c.tag] = sha;
        gh.tags[c.tag] = sha;
      }
      gh.commits.push_back(github_commit(repo, sha, c));
    }
    repos_[svc.name] = (dir_.path() / svc.name).string();
    if (svc.deploys_via == DeployVia::GitHub || svc.repo_via_github) {
      for (const auto& d : svc.deploys) {
        if (svc.deploys_via != DeployVia::GitHub) break;
        fakes::FakeGitHubDeployment dep;
        dep.id = std::stoll(d.id);
        dep.sha = shas[svc.name + "@" + d.version];
        dep.creator = d.author;
        dep.created_at = format_rfc3339(kNow - d.ago - std::chrono::seconds(40), false);
        dep.description = "deploy " + d.version;
        dep.statuses = {{dep.id * 10, "in_progress", dep.created_at, "", "", ""},
                        {dep.id * 10 + 1, "success", format_rfc3339(kNow - d.ago, false),
                         "https://ci.example/" + svc.name + "/" + d.id, "", "deployed"}};
        gh.deployments.push_back(dep);
      }
      auto g = fakes::FakeGitHub::start(io_.get_executor(), gh);
      if (!g) return g.error();
      out.github[svc.name] = std::move(*g);
    }
    return {};
  }

  void add_deploys(const ServiceSpec& svc, MemoryDeployHistory& history, fakes::FakeArgoCdData& argo, Servers&,
                   std::map<std::string, std::string>& shas) {
    auto sha_or_tag = [&](const std::string& tag) {
      auto it = shas.find(svc.name + "@" + tag);
      return it == shas.end() ? tag : it->second;
    };
    if (svc.deploys_via == DeployVia::Webhook) {
      for (const auto& d : svc.deploys) {
        inv::DeployEvent e;
        e.id = d.id;
        e.service = svc.name;
        e.environment = "production";
        e.version = d.version;
        e.previous_version = d.previous;
        e.author = d.author;
        e.source = "webhook";
        e.at = kNow - d.ago;
        history.events.push_back(e);
      }
    } else if (svc.deploys_via == DeployVia::ArgoCd) {
      fakes::FakeArgoApp app;
      app.name = svc.name;
      for (const auto& d : svc.deploys) {
        fakes::FakeArgoHistory h;
        h.id = std::stoll(d.id);
        h.revision = sha_or_tag(d.version);
        h.deployed_at = format_rfc3339(kNow - d.ago, false);
        h.deploy_started_at = format_rfc3339(kNow - d.ago - std::chrono::seconds(20), false);
        h.username = d.author;
        h.path = svc.name;
        app.history.push_back(h);
      }
      argo.apps.push_back(app);
    }
  }

  inv::ServiceSettings settings_for(const ServiceSpec& svc, const Servers& out) {
    inv::ServiceSettings s;
    s.name = svc.name;
    s.match = {{"service", svc.name}};
    if (!svc.series.empty()) {
      inv::PrometheusSettings p;
      p.url = out.prometheus->url();
      for (const auto& ss : svc.series) {
        std::string q = query_for(ss.role, svc.name);
        if (ss.role == "latency") p.latency = q;
        if (ss.role == "errors") p.errors = q;
        if (ss.role == "saturation") p.saturation = q;
        if (ss.role == "traffic") p.traffic = q;
      }
      s.prometheus = p;
    }
    if (svc.traces) {
      inv::TracesSettings t;
      (svc.traces->tempo ? t.tempo : t.jaeger) = svc.traces->tempo ? out.tempo->url() : out.jaeger->url();
      t.service = svc.name;
      s.traces = t;
    }
    if (!svc.logs.empty()) s.logs = inv::LogsSettings{out.loki->url(), "{app=\"" + svc.name + "\"}"};
    if (!svc.profile_before.empty()) s.profiles = inv::ProfilesSettings{out.pyroscope->url(), svc.name};
    if (!svc.commits.empty()) {
      inv::RepoSettings r;
      if (!svc.repo_via_github) r.path = repos_[svc.name];
      if (auto it = out.github.find(svc.name); it != out.github.end()) {
        r.github = "acme/" + svc.name;
        r.github_api_url = it->second->url();
      }
      s.repo = r;
    }
    switch (svc.deploys_via) {
      case DeployVia::None: break;
      case DeployVia::Webhook: s.deploys.source = inv::DeploySource::Webhook; break;
      case DeployVia::GitHub:
        s.deploys.source = inv::DeploySource::GitHub;
        s.deploys.environment = "production";
        break;
      case DeployVia::ArgoCd:
        s.deploys.source = inv::DeploySource::ArgoCd;
        s.deploys.argocd = inv::ArgoCdSettings{out.argocd->url(), svc.name, ""};
        break;
    }
    s.downstream = svc.downstream;
    return s;
  }

  asio::io_context& io_;
  const Scenario& s_;
  testing::TempDir& dir_;
  std::map<std::string, std::string> repos_;  // service -> clone path
};

inv::Alert alert_of(const Scenario& s) {
  inv::Alert a;
  a.source = "alertmanager";
  a.name = s.alert_name;
  a.severity = "page";
  a.labels = {{"alertname", s.alert_name}, {"service", s.alert_service}, {"severity", "page"}};
  a.annotations = {{"summary", s.story}};
  a.summary = s.story;
  a.starts_at = kNow - s.alert_ago;
  if (s.resolved_ago) {
    a.status = inv::AlertStatus::Resolved;
    a.ends_at = kNow - *s.resolved_ago;
  }
  a.fingerprint = "fp-" + s.name;
  a.group_key = "{}:{alertname=\"" + s.alert_name + "\"}";
  a.service = s.alert_service;
  return a;
}

}  // namespace

Outcome run_scenario(const Scenario& scenario) {
  Outcome out;
  asio::io_context io;
  testing::TempDir dir("alertbot-scenario");
  Servers servers;
  MemoryDeployHistory history;
  std::vector<inv::ServiceSettings> services;
  try {
    Builder b(io, scenario, dir);
    if (auto r = b.build(servers, history, services, out.shas); !r) {
      out.error = r.error().describe();
      return out;
    }
  } catch (const std::exception& e) {
    out.error = e.what();
    return out;
  }
  auto clock = make_system_clock();
  auto http = make_curl_http_client(io.get_executor(), *clock);
  inv::SourceRegistry registry;
  inv::register_builtin_sources(registry, inv::SourceDeps{*http, *clock, &history, nullptr, io.get_executor()});
  inv::Pipeline pipeline(registry, *clock);
  inv::InvestigationInput in;
  in.service = scenario.alert_service;
  for (const auto& s : services) {
    if (s.name == in.service) in.settings = &s;
  }
  in.services = &services;
  in.alert = alert_of(scenario);
  in.at = kNow;
  in.window = kWindow;
  const auto started = std::chrono::steady_clock::now();
  bot::Report report;
  report.result = testing::run_coro(io, pipeline.run(std::move(in)), std::chrono::seconds(60));
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  report.total = out.took;
  out.report_json = bot::to_report_json(report);
  out.result = std::move(report.result);
  auto stop = [&](auto& server) {
    if (server) testing::run_coro(io, server->stop());
  };
  stop(servers.prometheus);
  stop(servers.jaeger);
  stop(servers.tempo);
  stop(servers.loki);
  stop(servers.pyroscope);
  stop(servers.argocd);
  for (auto& [name, g] : servers.github) stop(g);
  return out;
}

std::vector<std::string> accepted_refs(const Expected& expected, const Outcome& outcome) {
  std::vector<std::string> out;
  for (const auto& r : expected.refs) {
    if (r.starts_with("commit:")) {
      auto it = outcome.shas.find(r.substr(7));
      out.push_back(it == outcome.shas.end() ? "(unknown tag " + r.substr(7) + ")" : it->second);
    } else if (r.starts_with("deploy:")) {
      out.push_back(r.substr(7));
    } else {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace alertbot::scenarios
