// The services section: one ServiceSettings per entry, each source section optional.
#include <algorithm>
#include <cctype>

#include "bot/config_sections.hpp"

namespace alertbot::bot::config_detail {
namespace {

namespace inv = investigators;

// Present and non-empty, else "missing required key" / "must not be empty".
void require_value(const MapReader& r, std::string_view key, const std::string& value) {
  if (!r.has(key)) r.fail_missing(key);
  if (value.empty()) r.fail(key, "must not be empty");
}

bool is_service_name(std::string_view name) {
  return !name.empty() && std::isalnum(static_cast<unsigned char>(name[0])) &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
         });
}

bool is_owner_name(std::string_view s) {
  const std::size_t slash = s.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < s.size() &&
         s.find('/', slash + 1) == std::string_view::npos && s.find_first_of(" \t") == std::string_view::npos;
}

inv::PrometheusSettings read_prometheus(MapReader& r) {
  inv::PrometheusSettings out;
  r.string("url", out.url);
  r.string("latency", out.latency);
  r.string("errors", out.errors);
  r.string("saturation", out.saturation);
  r.string("traffic", out.traffic);
  r.finish();
  require_value(r, "url", out.url);
  check_http_url(r, "url", out.url);
  return out;
}

inv::TracesSettings read_traces(MapReader& r) {
  inv::TracesSettings out;
  r.string("jaeger", out.jaeger);
  r.string("tempo", out.tempo);
  r.string("service", out.service);
  r.finish();
  if (!out.jaeger.empty() && !out.tempo.empty()) r.fail("tempo", "set jaeger or tempo, not both");
  if (out.jaeger.empty() && out.tempo.empty()) {
    r.fail_here("needs jaeger or tempo (a base URL)");
  }
  if (!out.jaeger.empty()) check_http_url(r, "jaeger", out.jaeger);
  if (!out.tempo.empty()) check_http_url(r, "tempo", out.tempo);
  return out;
}

inv::LogsSettings read_logs(MapReader& r) {
  inv::LogsSettings out;
  r.string("loki", out.loki);
  r.string("selector", out.selector);
  r.finish();
  require_value(r, "loki", out.loki);
  check_http_url(r, "loki", out.loki);
  require_value(r, "selector", out.selector);
  if (!out.selector.starts_with('{') || !out.selector.ends_with('}')) {
    r.fail("selector", "expected a LogQL stream selector like {app=\"checkout\"}, got '" + out.selector + "'");
  }
  return out;
}

inv::RepoSettings read_repo(MapReader& r) {
  inv::RepoSettings out;
  r.string("path", out.path);
  r.string("github", out.github);
  r.string("github_api_url", out.github_api_url);
  r.secret("github_token", out.github_token);
  r.finish();
  if (out.path.empty() && out.github.empty()) {
    r.fail_here("needs path (a local clone) or github (owner/name)");
  }
  if (!out.github.empty() && !is_owner_name(out.github)) {
    r.fail("github", "expected owner/name, got '" + out.github + "'");
  }
  check_http_url(r, "github_api_url", out.github_api_url);
  return out;
}

inv::ArgoCdSettings read_argocd(MapReader& r) {
  inv::ArgoCdSettings out;
  r.string("url", out.url);
  r.string("app", out.app);
  r.secret("token", out.token);
  r.finish();
  require_value(r, "url", out.url);
  check_http_url(r, "url", out.url);
  require_value(r, "app", out.app);
  return out;
}

// Cross-checks with other sections happen in read_service, which keeps the reader for messages.
inv::DeploysSettings read_deploys(MapReader& r) {
  inv::DeploysSettings out;
  r.choice<inv::DeploySource>("source", out.source, kDeploySources);
  r.string("environment", out.environment);
  std::optional<MapReader> argocd = r.map("argocd");
  if (argocd) out.argocd = read_argocd(*argocd);
  r.finish();
  if (!r.has("source")) r.fail_missing("source");
  if (out.source == inv::DeploySource::ArgoCd && !argocd) r.fail_missing("argocd");
  return out;
}

inv::ProfilesSettings read_profiles(MapReader& r) {
  inv::ProfilesSettings out;
  r.string("pyroscope", out.pyroscope);
  r.string("app", out.app);
  r.finish();
  require_value(r, "pyroscope", out.pyroscope);
  check_http_url(r, "pyroscope", out.pyroscope);
  return out;
}

inv::ServiceSettings read_service(MapReader& r) {
  inv::ServiceSettings out;
  r.string("name", out.name);
  r.string_map("match", out.match);
  if (auto m = r.map("prometheus")) out.prometheus = read_prometheus(*m);
  if (auto m = r.map("traces")) out.traces = read_traces(*m);
  if (auto m = r.map("logs")) out.logs = read_logs(*m);
  if (auto m = r.map("repo")) out.repo = read_repo(*m);
  std::optional<MapReader> deploys = r.map("deploys");
  if (deploys) out.deploys = read_deploys(*deploys);
  if (auto m = r.map("profiles")) out.profiles = read_profiles(*m);
  r.string_list("downstream", out.downstream);
  r.finish();
  require_value(r, "name", out.name);
  if (!is_service_name(out.name)) {
    r.fail("name", "expected letters, digits, '.', '_' or '-' (starting with a letter or digit), got '" + out.name + "'");
  }
  // The tracing backend and Pyroscope know the service by its own name unless told otherwise.
  if (out.traces && out.traces->service.empty()) out.traces->service = out.name;
  if (out.profiles && out.profiles->app.empty()) out.profiles->app = out.name;
  if (out.deploys.source == inv::DeploySource::GitHub && (!out.repo || out.repo->github.empty())) {
    deploys->fail("source", "github needs repo.github (owner/name) in the same service");
  }
  for (std::size_t i = 0; i < out.downstream.size(); ++i) {
    if (out.downstream[i].empty()) r.fail("downstream", "item " + std::to_string(i) + " is empty");
  }
  return out;
}

}  // namespace

void read_services(std::vector<MapReader>& items, std::vector<inv::ServiceSettings>& out) {
  out.clear();
  for (MapReader& r : items) {
    inv::ServiceSettings service = read_service(r);
    for (std::size_t j = 0; j < out.size(); ++j) {
      if (out[j].name == service.name) {
        r.fail("name", "duplicate service name (also services[" + std::to_string(j) + "])");
      }
    }
    out.push_back(std::move(service));
  }
}

}  // namespace alertbot::bot::config_detail
