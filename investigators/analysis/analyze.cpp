#include "investigators/analysis/analyze.hpp"

#include <algorithm>

#include "investigators/analysis/deploy_correlation.hpp"
#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/analysis/flame_diff.hpp"
#include "investigators/analysis/log_patterns.hpp"
#include "investigators/analysis/metric_findings.hpp"
#include "investigators/analysis/rank.hpp"
#include "investigators/analysis/suspect_commits.hpp"
#include "investigators/analysis/trace_diff.hpp"

namespace alertbot::investigators::analysis {
namespace {

// What splits before from after when no metric moved: the alert's start when it lies in the
// window (but leaving at least a sixth of the window after it: alerts fire after the change), else
// a quarter of the window before "now".
constexpr int kFallbackPivotDivisor = 4;
constexpr int kMinAfterDivisor = 6;
// With no metric onset, deploy times tried as pivots (newest first), each leaving this much data
// on both sides; a deploy's pivot must beat the alert's by this much total finding score.
constexpr std::size_t kMaxPivotCandidates = 3;
constexpr std::chrono::minutes kMinSide{5};
constexpr double kPivotMargin = 0.2;

Time fallback_pivot(const AnalysisInput& in) {
  const auto window = in.now - in.window_start;
  if (in.alert && in.alert->starts_at > in.window_start && in.alert->starts_at <= in.now) {
    return std::min(in.alert->starts_at, in.now - window / kMinAfterDivisor);
  }
  return in.now - window / kFallbackPivotDivisor;
}

int next_number(const std::vector<Finding>& fs, char family) {
  int n = 0;
  for (const auto& f : fs) {
    if (!f.id.empty() && f.id[0] == family) n = std::max(n, std::atoi(f.id.c_str() + 1));
  }
  return n + 1;
}

void append(std::vector<Finding>& to, std::vector<Finding> from) {
  for (auto& f : from) to.push_back(std::move(f));
}

// Downstream services the trace findings point at (their own spans got slower or failed).
std::set<std::string> implicated_services(const std::vector<Finding>& fs, const std::string& service) {
  std::set<std::string> out;
  for (const auto& f : fs) {
    if (f.kind != kinds::kDependency && f.kind != kinds::kSpanLatency && f.kind != kinds::kSpanErrors) continue;
    auto it = f.attributes.find("service");
    if (it != f.attributes.end() && it->second != service && f.score > 0.2) out.insert(it->second);
  }
  return out;
}

// Traces, logs and profiles compared before vs after `pivot`.
std::vector<Finding> behaviour_findings(const std::vector<SourceData>& data, Time pivot,
                                        const std::vector<std::string>& changed_files) {
  std::vector<Finding> out;
  for (const auto& d : data) {
    for (const auto& sample : d.traces) append(out, trace_findings(diff_traces(sample.traces, pivot), next_number(out, 't')));
    for (const auto& sample : d.logs) append(out, log_findings(diff_logs(sample, pivot), next_number(out, 'l')));
    for (const auto& sample : d.profiles) {
      append(out, profile_findings(diff_profiles(sample, pivot), changed_files, next_number(out, 'p')));
    }
  }
  return out;
}

double total_score(const std::vector<Finding>& fs) {
  double s = 0;
  for (const auto& f : fs) s += f.score;
  return s;
}

}  // namespace

Analysis analyze(const AnalysisInput& in, const std::vector<SourceData>& data) {
  Analysis out;
  std::vector<const MetricSeries*> series;
  std::vector<DeployEvent> deploys;
  std::vector<std::string> changed_files;
  RankContext rc;
  rc.service = in.service;
  for (const auto& d : data) {
    for (const auto& s : d.series) series.push_back(&s);
    deploys.insert(deploys.end(), d.deploys.begin(), d.deploys.end());
    for (const auto& change : d.changes) {
      rc.deploys_with_code.insert(change.service + "/" + change.deploy_id);
      for (const auto& c : change.commits) {
        for (const auto& file : c.files) changed_files.push_back(file.path);
      }
    }
  }
  const Time reference = fallback_pivot(in);
  auto metrics = metric_findings(series, reference);
  out.onset = metrics.onset;
  out.pivot = metrics.onset.value_or(reference);
  std::vector<Finding> fs = std::move(metrics.findings);

  // Traces, logs, profiles: before vs after the pivot. With no metric onset the moment of the
  // change is unknown: each recent deploy's time is tried as well, and the pivot that separates
  // the behaviour most clearly wins (the alert's start on a tie).
  std::vector<Finding> behaviour = behaviour_findings(data, out.pivot, changed_files);
  if (!out.onset) {
    std::vector<Time> tried;
    std::vector<const DeployEvent*> recent;
    for (const auto& d : deploys) {
      if (d.at > in.window_start + kMinSide && d.at < in.now - kMinSide) recent.push_back(&d);
    }
    std::sort(recent.begin(), recent.end(), [](const DeployEvent* a, const DeployEvent* b) { return a->at > b->at; });
    for (std::size_t i = 0; i < recent.size() && i < kMaxPivotCandidates; ++i) {
      const Time t = recent[i]->at;
      if (std::find(tried.begin(), tried.end(), t) != tried.end()) continue;
      tried.push_back(t);
      auto candidate = behaviour_findings(data, t, changed_files);
      if (total_score(candidate) > total_score(behaviour) + kPivotMargin) {
        behaviour = std::move(candidate);
        out.pivot = t;
      }
    }
  }
  // Deploys, with downstream services weighted by what the traces implicate.
  DeployContext dc;
  dc.service = in.service;
  dc.pivot = out.pivot;
  dc.pivot_is_onset = out.onset.has_value();
  dc.implicated = implicated_services(behaviour, in.service);
  dc.configured_downstream = in.configured_downstream;
  append(fs, deploy_findings(deploys, dc));
  append(fs, std::move(behaviour));

  // Commits of the deploys whose code was read, against every clue so far.
  std::vector<Finding> commits;
  for (const auto& d : data) {
    for (const auto& change : d.changes) append(commits, rank_commits(change, fs, next_number(commits, 'c')));
  }
  append(fs, std::move(commits));
  int h = 0;
  for (const auto& d : data) {
    for (const auto& p : d.past) {
      Finding f;
      f.id = "h" + std::to_string(++h);
      f.kind = kinds::kPastIncident;
      f.source = "history";
      f.at = p.at;
      f.title = "Similar investigation " + p.id + " (" + p.alert_name + ")" +
                (p.top_cause.empty() ? ": no strong suspect" : ": " + p.top_cause);
      f.attributes = {{"investigation_id", p.id}, {"top_cause", p.top_cause}, {"suspect_kind", p.suspect_kind},
                      {"suspect_ref", p.suspect_ref}, {"feedback", p.feedback}};
      f.values["similarity"] = p.similarity;
      f.score = p.similarity * 0.5;
      fs.push_back(std::move(f));
    }
  }
  auto ranking = rank_causes(fs, rc);
  out.causes = std::move(ranking.causes);
  out.leads = std::move(ranking.leads);
  out.abstained = ranking.abstained;
  out.abstain_reason = std::move(ranking.abstain_reason);
  out.findings = std::move(fs);
  return out;
}

std::vector<Finding> quick_findings(const AnalysisInput& in, const SourceData& data) {
  std::vector<const MetricSeries*> series;
  for (const auto& s : data.series) series.push_back(&s);
  auto metrics = metric_findings(series, fallback_pivot(in), /*intervals=*/false);
  std::vector<Finding> out = std::move(metrics.findings);
  if (!data.deploys.empty()) {
    DeployContext dc;
    dc.service = in.service;
    dc.pivot = metrics.onset.value_or(fallback_pivot(in));
    dc.pivot_is_onset = metrics.onset.has_value();
    dc.configured_downstream = in.configured_downstream;
    append(out, deploy_findings(data.deploys, dc));
  }
  return out;
}

}  // namespace alertbot::investigators::analysis
