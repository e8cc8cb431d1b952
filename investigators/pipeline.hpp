// Pipeline: one investigation. Every source the service configures runs at once, each under its
// own deadline (a source that fails or runs out of time becomes a note, never an abort). Work
// that depends on other work starts as soon as what it needs lands, not after every source:
// the code diff of a deploy starts when its deploy source answers; deploys of downstream services
// (configured, or seen in the traces) are fetched alongside. Then the analyses turn the data into
// findings and ranked causes, on `analysis_executor` when one is given (it is CPU-heavy). Suspends;
// runs on the caller's executor. Time (deadlines, timings) comes from the injected Clock.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "investigators/alert.hpp"
#include "investigators/evidence.hpp"
#include "investigators/service_settings.hpp"
#include "net/asio_fwd.hpp"

namespace alertbot {
class Clock;
}

namespace alertbot::investigators {

class SourceRegistry;

struct PipelineSettings {
  std::chrono::milliseconds source_deadline{10000};  // per source, retries included
  std::chrono::milliseconds window{3600000};         // how far back from "now" to look (1h)
  std::size_t max_diffs = 4;                          // code diffs read per investigation
};

struct InvestigationInput {
  std::string service;                        // may be empty (unknown service)
  const ServiceSettings* settings = nullptr;  // the service's config, if configured
  // Every configured service (for downstream deploys); may be null. Must outlive run().
  const std::vector<ServiceSettings>* services = nullptr;
  std::optional<Alert> alert;                 // absent for on-demand investigations
  Time at;                                    // the investigation's "now": every window derives from it
  std::optional<std::chrono::milliseconds> window;  // overrides PipelineSettings::window
};

struct InvestigationResult {
  std::string service;
  std::optional<Alert> alert;
  Time window_start;
  Time at;
  std::vector<Finding> findings;
  std::vector<Cause> causes;     // at most three, most likely first
  std::vector<Cause> leads;      // candidates under the bar
  bool abstained = false;        // no cause cleared the bar
  std::string abstain_reason;    // what was checked, for people
  std::optional<Time> onset;
  Time pivot;                    // what before/after comparisons split at
  std::vector<SourceOutcome> sources;  // every source: ok, failed, timed out or skipped
  std::vector<MetricSeries> series;    // raw series, for charts
  std::vector<DeployEvent> deploys;
  std::vector<CodeChange> changes;     // code of the suspect deploys
  std::vector<std::string> notes;      // partial trouble inside sources
  std::chrono::milliseconds sources_ms{0};        // from start until the last source finished
  std::chrono::milliseconds first_finding_ms{0};  // from start until the first source returned data
  std::chrono::milliseconds analysis_ms{0};       // the analyses after the last source
  std::chrono::milliseconds total_ms{0};
};

// What the pipeline reports as each source (or diff) finishes: its outcome, and findings from
// its data alone (metric onsets, nearby deploys) so a report can grow before the rest arrives.
struct ProgressUpdate {
  SourceOutcome outcome;
  std::vector<Finding> findings;
};

class Pipeline {
 public:
  // `analysis_executor`: where the analyses run (a thread pool); default: the caller's executor.
  Pipeline(const SourceRegistry& registry, Clock& clock, PipelineSettings settings = {},
           std::optional<asio::any_io_executor> analysis_executor = std::nullopt);

  // Called on the caller's executor as each source finishes (ok or not), in completion order.
  using Progress = std::function<void(const ProgressUpdate&)>;
  // Never fails: trouble is reported inside the result.
  awaitable<InvestigationResult> run(InvestigationInput input, Progress progress = {});

 private:
  const SourceRegistry& registry_;
  Clock& clock_;
  const PipelineSettings settings_;
  const std::optional<asio::any_io_executor> analysis_executor_;
};

}  // namespace alertbot::investigators
