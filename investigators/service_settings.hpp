// ServiceSettings: one entry of the `services:` list: how to recognise a service's alerts and where
// its data lives. A missing section means that source is skipped for the service.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace alertbot::investigators {

struct PrometheusSettings {
  std::string url;         // base URL, e.g. http://127.0.0.1:9090
  std::string latency;     // PromQL giving latency in seconds (e.g. a p99)
  std::string errors;      // PromQL giving an error ratio 0..1
  std::string saturation;  // PromQL giving a saturation ratio 0..1
  std::string traffic;     // PromQL giving requests per second
};

struct TracesSettings {
  std::string jaeger;   // Jaeger query base URL
  std::string tempo;    // Tempo base URL (one of jaeger or tempo)
  std::string service;  // service name in the tracing backend
};

struct LogsSettings {
  std::string loki;      // Loki base URL
  std::string selector;  // LogQL stream selector, e.g. {app="checkout"}
};

struct RepoSettings {
  std::string path;            // local git clone read with the git command
  std::string github;          // owner/name
  std::string github_api_url = "https://api.github.com";
  std::string github_token;    // secret
};

struct ArgoCdSettings {
  std::string url;
  std::string app;
  std::string token;  // secret
};

enum class DeploySource { None, Webhook, GitHub, ArgoCd };

struct DeploysSettings {
  DeploySource source = DeploySource::None;
  std::string environment;  // GitHub deployments filter
  ArgoCdSettings argocd;
};

struct ProfilesSettings {
  std::string pyroscope;  // Pyroscope base URL
  std::string app;
};

struct ServiceSettings {
  std::string name;
  std::map<std::string, std::string> match;  // alert labels that must all equal these values
  std::optional<PrometheusSettings> prometheus;
  std::optional<TracesSettings> traces;
  std::optional<LogsSettings> logs;
  std::optional<RepoSettings> repo;
  DeploysSettings deploys;
  std::optional<ProfilesSettings> profiles;
  std::vector<std::string> downstream;  // optional hint: services this one calls
};

}  // namespace alertbot::investigators
