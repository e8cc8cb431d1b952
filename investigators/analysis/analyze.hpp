// analyze: from the sources' raw data to findings and ranked causes, deterministically (the same
// data always gives the same report, with or without an LLM afterwards). Steps: metric onsets and
// before/after comparisons fix the pivot (the onset; else the alert's start, leaving at least a
// sixth of the window after it; else a quarter of the window before "now"); traces, logs and
// profiles are compared before vs after the pivot; deploys are correlated with it; the commits of
// suspect deploys are ranked against all of that; the ranker names at most three causes or
// abstains. Pure; CPU-heavy (the trace differential), so the pipeline runs it off the event loop.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "investigators/alert.hpp"
#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

struct AnalysisInput {
  std::string service;
  const Alert* alert = nullptr;  // null for on-demand investigations
  Time window_start;
  Time now;  // the investigation's "now" (the alert time or --at)
  std::set<std::string> configured_downstream;
};

struct Analysis {
  std::vector<Finding> findings;  // by family (m, d, t, l, p, c, h), strongest first within each
  std::vector<Cause> causes;      // most likely first, at most three
  std::vector<Cause> leads;       // candidates under the bar
  bool abstained = false;
  std::string abstain_reason;
  std::optional<Time> onset;  // the earliest harmful metric shift
  Time pivot;                 // what before/after comparisons split at
  std::vector<std::string> notes;
};

Analysis analyze(const AnalysisInput& input, const std::vector<SourceData>& data);

// Findings from one source's data alone, for showing progress before every source answered
// (metric onsets, deploys near the alert). The final analysis recomputes everything.
std::vector<Finding> quick_findings(const AnalysisInput& input, const SourceData& data);

}  // namespace alertbot::investigators::analysis
