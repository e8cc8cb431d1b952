// The ranker: from findings to at most three likely causes, each with a confidence, the ids of the
// findings it rests on, a suspect and a proposed fix; or an abstention when nothing clears the bar.
// Causes are built only from findings (a renderer or an LLM can check every claim against them).
//
// Candidates: each deploy before the pivot (suspect: its most relevant commit when the diff shows
// one, `config` when that commit only touched configuration, else the deploy); the service's own
// regressed operation (`span`); a downstream service whose time grew (`dependency`); saturation
// near the ceiling (`capacity`). A deploy's confidence blends proximity (with the service weight),
// symptom strength and code relevance; a span or dependency cause that a deploy of the same
// service explains is damped. Deterministic and pure.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

struct RankOptions {
  double min_confidence = 0.35;  // the bar: below it a candidate is only a lead
  std::size_t max_causes = 3;
};

struct RankContext {
  std::string service;
  std::set<std::string> deploys_with_code;  // "<service>/<deploy id>" of deploys whose code was read
};

struct Ranking {
  std::vector<Cause> causes;  // most likely first, at most max_causes, each >= min_confidence
  std::vector<Cause> leads;   // candidates under the bar, best first (at most max_causes)
  bool abstained = false;     // no cause cleared the bar
  std::string abstain_reason; // what was checked, for people ("Checked 3 metric series ..."); "" when not abstained
};

Ranking rank_causes(const std::vector<Finding>& findings, const RankContext& context, const RankOptions& options = {});

}  // namespace alertbot::investigators::analysis
