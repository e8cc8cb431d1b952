// Deploy correlation: which deploys could have caused a change at `pivot` (the onset, or the
// alert's start when no metric moved). A deploy is a candidate when it landed at most an hour
// before the pivot (or up to two minutes after: clocks and rollouts drift); its score decays with
// the lead time and is weighted by how it relates to the investigated service: the service
// itself, a downstream service the traces implicate, or one only named as downstream in config.
// Deploys after the pivot are listed with score 0 ("not a suspect"). Ids d1.., best first. Pure.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

struct DeployContext {
  std::string service;
  Time pivot;
  bool pivot_is_onset = false;              // false: the alert's start stands in
  std::set<std::string> implicated;         // downstream services that trace findings point at
  std::set<std::string> configured_downstream;
};

// Weight of a downstream deploy relative to one of the service itself.
inline constexpr double kImplicatedDownstreamWeight = 0.9;
inline constexpr double kHintedDownstreamWeight = 0.4;

std::vector<Finding> deploy_findings(const std::vector<DeployEvent>& deploys, const DeployContext& context);

}  // namespace alertbot::investigators::analysis
