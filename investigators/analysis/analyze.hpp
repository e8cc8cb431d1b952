// analyze: from the sources' raw data to findings and ranked causes, deterministically (the same
// data always gives the same report, with or without an LLM afterwards). Findings get stable ids:
// m1.. for metric shifts (or their absence), d1.. for deploys. Causes cite only those ids.
#pragma once

#include <string>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

struct Analysis {
  std::vector<Finding> findings;  // strongest first within each kind; metric findings first
  std::vector<Cause> causes;      // most likely first; empty when nothing stands out
};

// `now` is the investigation's "now" (the alert time or --at); `window_start` its first instant.
Analysis analyze(const std::string& service, Time window_start, Time now, const std::vector<SourceData>& data);

}  // namespace alertbot::investigators::analysis
