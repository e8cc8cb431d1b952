// Metric findings: for each series, where it shifted (change point) and how much (before/after
// with a bootstrap interval and an effect size), or that it did not move significantly. Also
// names saturation near its ceiling. Ids m1.., strongest first. Pure.
#pragma once

#include <optional>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

struct MetricFindings {
  std::vector<Finding> findings;  // onset and saturation findings first (by score), then no_change
  // The earliest onset of a series that measures harm (latency, errors, saturation, the alert's
  // own expression) moving the bad way; traffic only when nothing else moved.
  std::optional<Time> onset;
};

// `reference` splits series without a change point for the no_change comparison (the alert's
// start, else a point late in the window). `intervals` false: onsets only, without the bootstrap
// comparisons and without no_change findings (a quick preview while other sources are out).
MetricFindings metric_findings(const std::vector<const MetricSeries*>& series, Time reference, bool intervals = true);

}  // namespace alertbot::investigators::analysis
