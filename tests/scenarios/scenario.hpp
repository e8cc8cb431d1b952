// The scenario suite's vocabulary: an incident with a known cause, described as the data each
// backend holds (series, traces, logs, profiles, deploys, a git history) and the answer expected
// from the investigation. world.hpp serves it over real HTTP and runs the pipeline on it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "investigators/alert.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/scenarios/generators.hpp"
#include "tests/support/git_repo.hpp"

namespace alertbot::scenarios {

using namespace std::chrono_literals;
using Minutes = std::chrono::minutes;

// One commit of a service's repository, `ago` before the investigation's "now". A `tag` names it
// for deploys and expectations.
struct CommitSpec {
  std::string tag;
  std::string message;
  std::string author;
  Minutes ago;
  testing::GitRepo::Files files;
  std::vector<std::string> deleted;
};

enum class DeployVia { None, Webhook, GitHub, ArgoCd };

// A deploy of the service from `previous` to `version` (commit tags), `ago` before "now".
struct DeploySpec {
  std::string id;  // webhook id / GitHub deployment id / Argo CD history id (numeric for those two)
  std::string version;
  std::string previous;
  Minutes ago;
  std::string author = "ci-bot";
};

// A metric role of the service: the configured query is "<role>:<service>", and the fake serves
// the series for it.
struct SeriesSpec {
  std::string role;  // latency | errors | saturation | traffic
  double before = 0;
  double after = 0;
  double noise = 0;
  std::optional<Minutes> onset_ago;      // none: flat at `before`
  std::optional<Minutes> recovered_ago;  // back to `before` from then on
};

struct TraceSpec {
  bool tempo = false;  // else Jaeger
  SpanShape before;
  SpanShape after;
  Minutes change_ago;
};

struct ServiceSpec {
  std::string name;
  std::vector<SeriesSpec> series;
  std::optional<TraceSpec> traces;
  std::vector<LogPattern> logs;
  Minutes logs_change_ago{0};
  std::map<std::string, double> profile_before;
  std::map<std::string, double> profile_after;
  Minutes profile_change_ago{0};
  std::vector<CommitSpec> commits;  // a repository when not empty
  bool repo_via_github = false;     // read the diff through GitHub compare instead of the clone
  DeployVia deploys_via = DeployVia::None;
  std::vector<DeploySpec> deploys;
  std::vector<std::string> downstream;
};

struct Expected {
  bool abstain = false;
  std::string kind;               // suspect kind the top cause must have
  std::vector<std::string> refs;  // refs it may have: "commit:<service>@<tag>", "deploy:<id>", or a literal ref
};

struct Scenario {
  std::string name;
  std::string story;  // one line: what happened
  std::vector<ServiceSpec> services;
  std::string alert_name;
  std::string alert_service;
  Minutes alert_ago{2};                   // startsAt, before "now"
  std::optional<Minutes> resolved_ago;    // a resolved alert
  Expected expected;
};

// The ten incidents of the suite.
std::vector<Scenario> catalog();

// "Now" of every scenario (the investigation's --at).
inline const std::chrono::system_clock::time_point kNow =
    std::chrono::system_clock::time_point(std::chrono::seconds(1773151200));  // 2026-03-10T14:00:00Z

}  // namespace alertbot::scenarios
