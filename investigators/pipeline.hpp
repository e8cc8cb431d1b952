// Pipeline: one investigation. Every source the service configures runs at once, each under its
// own deadline (a source that fails or runs out of time becomes a note, never an abort); then
// the analyses turn the data into findings and ranked causes. Suspends; runs on the caller's
// executor. Time (deadlines, timings) comes from the injected Clock.
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
};

struct InvestigationInput {
  std::string service;                        // may be empty (unknown service)
  const ServiceSettings* settings = nullptr;  // the service's config, if configured
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
  std::vector<Cause> causes;
  std::vector<SourceOutcome> sources;  // every source: ok, failed, timed out or skipped
  std::vector<MetricSeries> series;    // raw series, for charts
  std::vector<DeployEvent> deploys;
  std::vector<std::string> notes;      // partial trouble inside sources
  std::chrono::milliseconds sources_ms{0};        // from start until the last source finished
  std::chrono::milliseconds first_finding_ms{0};  // from start until the first source returned data
};

class Pipeline {
 public:
  Pipeline(const SourceRegistry& registry, Clock& clock, PipelineSettings settings = {});

  // Called as each source finishes (ok or not), in completion order.
  using Progress = std::function<void(const SourceOutcome&)>;
  // Never fails: trouble is reported inside the result.
  awaitable<InvestigationResult> run(InvestigationInput input, Progress progress = {});

 private:
  const SourceRegistry& registry_;
  Clock& clock_;
  const PipelineSettings settings_;
};

}  // namespace alertbot::investigators
