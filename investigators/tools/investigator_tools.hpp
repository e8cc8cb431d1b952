// The built-in investigator tools, registered into a ToolRegistry. Each reads the configured
// services' backends through the same source clients the pipeline uses (same timeouts, same
// parsing of untrusted answers) and answers with a compact JSON summary:
//   list_services               services and which backends each has
//   query_metrics               a PromQL range query over the last N minutes (or the service's
//                               configured queries): per series min / max / last and ~30 points
//   search_traces               traces of a service over a window: count, duration percentiles,
//                               error traces, the operations with the most self time, the slowest ids
//   get_trace                   one trace by id: its spans (service, operation, duration, self time,
//                               error), the longest first, capped
//   list_deploys                deploys of a service over the last N hours from its deploy sources
//   get_diff                    commits between two revisions of a service's repository, with files
//                               and capped patches
//   search_logs                 log lines of a service (optionally filtered by a text) over a window:
//                               the most frequent templates with counts and examples
//   find_similar_investigations earlier investigations of a service matching some words
// Unknown services are InvalidArgument naming the known ones; a service without the backend a
// tool needs is Unavailable saying what to configure. Each call runs under ToolDeps::deadline: when
// it passes, the backend requests are cancelled (and awaited) and the call gives Timeout
// ("<tool>: no answer within 20s"). Windows end at clock.system_now(): `minutes` (1..1440, default
// 60) for metrics, traces and logs, `hours` (1..168, default 24) for deploys. Answers are compact
// JSON: numbers to 4 significant digits, times RFC 3339, durations in ms, lists capped by count
// and bytes with a "truncated" note, untrusted text cut and made valid UTF-8.
#pragma once

#include <chrono>
#include <vector>

#include "investigators/service_settings.hpp"
#include "investigators/tools/tool_registry.hpp"

namespace alertbot {
class Clock;
class HttpClient;
}  // namespace alertbot

namespace alertbot::investigators {

class SourceRegistry;
class DeployHistory;
class PastSearch;

struct ToolDeps {
  HttpClient& http;
  Clock& clock;                                 // "now" for windows given in minutes or hours
  const SourceRegistry& sources;                // built-in sources already registered
  const std::vector<ServiceSettings>& services;  // the config's services (must outlive the registry)
  PastSearch* past = nullptr;                   // null: find_similar_investigations is not registered
  std::chrono::milliseconds deadline{20000};    // per tool call
};

// Registers every built-in tool. Errors: as ToolRegistry::add (a name already taken).
Result<void> register_investigator_tools(ToolRegistry& registry, ToolDeps deps);

}  // namespace alertbot::investigators
