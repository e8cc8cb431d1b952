#include "investigators/analysis/deploy_correlation.hpp"

#include <algorithm>
#include <cmath>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/units.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators::analysis {
namespace {

constexpr double kLookbackMinutes = 60;   // older deploys are not candidates
constexpr double kGraceMinutes = 2;       // a deploy this far after the pivot still counts
constexpr double kDecayMinutes = 30;      // proximity time constant

double service_weight(const DeployEvent& d, const DeployContext& c) {
  if (d.service.empty() || d.service == c.service) return 1.0;
  if (c.implicated.count(d.service)) return kImplicatedDownstreamWeight;
  if (c.configured_downstream.count(d.service)) return kHintedDownstreamWeight;
  return 0.0;
}

}  // namespace

std::vector<Finding> deploy_findings(const std::vector<DeployEvent>& deploys, const DeployContext& c) {
  std::vector<Finding> out;
  std::set<std::string> seen;
  for (const auto& d : deploys) {
    const double weight = service_weight(d, c);
    if (weight == 0.0) continue;
    // The same deploy from two lists: by its id at one source, or by version and minute across sources.
    const auto minute = std::chrono::duration_cast<std::chrono::minutes>(d.at.time_since_epoch()).count();
    const bool by_id = !seen.insert(d.source + "/" + d.service + "/" + d.id).second;
    const bool by_version = !d.version.empty() && !seen.insert(d.service + "@" + d.version + "@" + std::to_string(minute)).second;
    if (by_id || by_version) continue;
    const double lead = std::chrono::duration<double, std::ratio<60>>(c.pivot - d.at).count();
    if (lead > kLookbackMinutes) continue;
    Finding f;
    f.kind = kinds::kDeploy;
    f.source = d.source.empty() ? "deploys" : d.source;
    f.at = d.at;
    f.link = d.link;
    f.attributes = {{"deploy_id", d.id},
                    {"service", d.service},
                    {"version", d.version},
                    {"previous_version", d.previous_version},
                    {"downstream", d.service == c.service || d.service.empty() ? "false" : "true"}};
    if (!d.author.empty()) f.attributes["author"] = d.author;
    f.values["minutes_before_onset"] = lead;
    f.title = "Deploy of " + d.service + " " + display_version(d.version) + (d.author.empty() ? "" : " by " + d.author) + " at " + time_of_day(d.at);
    f.detail = d.description;
    if (!d.previous_version.empty()) {
      f.detail += (f.detail.empty() ? "" : "; ") + std::string("previous version ") + display_version(d.previous_version);
    }
    const char* anchor = c.pivot_is_onset ? "the onset" : "the alert";
    if (lead < -kGraceMinutes) {
      f.score = 0;
      f.detail += (f.detail.empty() ? "" : ". ") + std::string("Landed after ") + anchor + ": not a suspect";
    } else {
      f.score = weight * std::exp(-std::max(lead, 0.0) / kDecayMinutes);
    }
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return a.score != b.score ? a.score > b.score : *a.at > *b.at;
  });
  for (std::size_t i = 0; i < out.size(); ++i) out[i].id = "d" + std::to_string(i + 1);
  return out;
}

}  // namespace alertbot::investigators::analysis
