#include "investigators/analysis/analyze.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "investigators/analysis/change_point.hpp"
#include "investigators/analysis/stats.hpp"
#include "investigators/units.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators::analysis {
namespace {

using std::chrono::minutes;

// Deploys this long before an onset are candidates; influence decays with this time constant.
constexpr minutes kDeployWindow{60};
constexpr double kDecayMinutes = 15.0;

std::string hhmm(Time t) { return format_rfc3339(t, false).substr(11, 5) + " UTC"; }

std::vector<double> values_between(const std::vector<Point>& pts, std::size_t a, std::size_t b) {
  std::vector<double> out;
  for (std::size_t i = a; i < b; ++i) out.push_back(pts[i].v);
  return out;
}

// A finding for one series: its shift, or that it did not move.
Finding metric_finding(const MetricSeries& s, const std::string& id, const std::optional<ChangePoint>& cp) {
  Finding f;
  f.id = id;
  f.source = "prometheus";
  f.link = s.link;
  std::string what = describe_metric(s.name);
  if (!cp) {
    f.kind = "no_change";
    f.title = "No significant change in " + what;
    f.detail = s.query;
    f.score = 0;
    if (!s.points.empty()) f.values["last"] = s.points.back().v;
    return f;
  }
  auto before = values_between(s.points, 0, cp->index);
  auto after = values_between(s.points, cp->index, s.points.size());
  f.kind = "onset";
  f.at = cp->at;
  f.values = {{"before", cp->before_mean}, {"after", cp->after_mean}, {"before_p95", quantile(before, 0.95)},
              {"after_p95", quantile(after, 0.95)}, {"t", cp->t}};
  std::string verb = cp->after_mean > cp->before_mean ? "rose" : "fell";
  std::string ratio;
  if (std::abs(cp->before_mean) > 1e-12) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%.1fx)", cp->after_mean / cp->before_mean);
    ratio = buf;
  }
  f.title = what + " " + verb + " from " + format_value(cp->before_mean, s.unit) + " to " +
            format_value(cp->after_mean, s.unit) + ratio + " at " + hhmm(cp->at);
  f.detail = "Level shift at " + format_rfc3339(cp->at, false) + " (Welch t = " + std::to_string(static_cast<int>(cp->t)) +
             "), query: " + s.query;
  // Strength from the relative shift, saturating: a doubling is strong, +15% is weak.
  double rel = std::abs(cp->after_mean - cp->before_mean) / std::max(std::abs(cp->before_mean), 1e-9);
  f.score = std::min(1.0, rel / 1.0);
  return f;
}

Finding deploy_finding(const DeployEvent& d, const std::string& id, std::optional<Time> onset) {
  Finding f;
  f.id = id;
  f.kind = "deploy";
  f.source = d.source.empty() ? "deploys" : d.source;
  f.at = d.at;
  f.link = d.link;
  f.title = "Deploy of " + d.service + " " + d.version + (d.author.empty() ? "" : " by " + d.author) + " at " + hhmm(d.at);
  f.detail = d.description.empty() ? "" : d.description;
  if (!d.previous_version.empty()) f.detail += (f.detail.empty() ? "" : "; ") + std::string("previous version ") + d.previous_version;
  if (onset) {
    double lead = std::chrono::duration<double, std::ratio<60>>(*onset - d.at).count();
    f.values["minutes_before_onset"] = lead;
    f.score = lead >= -2 && lead <= kDeployWindow.count() ? std::exp(-std::max(lead, 0.0) / kDecayMinutes) : 0.0;
  }
  return f;
}

}  // namespace

Analysis analyze(const std::string& service, Time window_start, Time now, const std::vector<SourceData>& data) {
  Analysis out;
  std::vector<const MetricSeries*> series;
  std::vector<DeployEvent> deploys;
  for (const auto& d : data) {
    for (const auto& s : d.series) series.push_back(&s);
    deploys.insert(deploys.end(), d.deploys.begin(), d.deploys.end());
  }
  // Metric findings; the earliest significant onset anchors the deploy correlation.
  std::vector<Finding> metric;
  std::optional<Time> onset;
  const Finding* strongest = nullptr;
  for (std::size_t i = 0; i < series.size(); ++i) {
    auto cp = find_change_point(series[i]->points);
    metric.push_back(metric_finding(*series[i], "m" + std::to_string(i + 1), cp));
  }
  std::stable_sort(metric.begin(), metric.end(), [](const Finding& a, const Finding& b) { return a.score > b.score; });
  for (const auto& f : metric) {
    if (f.kind == "onset" && (!onset || *f.at < *onset)) onset = f.at;
  }
  if (!metric.empty() && metric.front().kind == "onset") strongest = &metric.front();

  std::sort(deploys.begin(), deploys.end(), [](const DeployEvent& a, const DeployEvent& b) { return a.at > b.at; });
  std::vector<std::pair<Finding, const DeployEvent*>> candidates;
  for (const auto& d : deploys) {
    if (d.at < window_start - kDeployWindow || d.at > now) continue;
    candidates.emplace_back(deploy_finding(d, "d" + std::to_string(candidates.size() + 1), onset), &d);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first.score > b.first.score; });

  // Causes: a deploy shortly before the shift is the prime suspect; a shift with no deploy is
  // still a cause worth naming; a deploy with no measured shift is a weak lead.
  if (strongest && !candidates.empty() && candidates.front().first.score > 0.05) {
    const auto& [d, ev] = candidates.front();
    Cause c;
    c.title = "Deploy " + ev->version + " of " + ev->service + ", " +
              std::to_string(static_cast<int>(std::lround(d.values.at("minutes_before_onset")))) + " min before " +
              strongest->title;
    c.confidence = std::min(0.9, 0.4 + 0.5 * d.score * strongest->score);
    c.evidence = {strongest->id, d.id};
    c.suspect = Suspect{"deploy", ev->id, ev->service + " " + ev->version};
    c.fix = ev->previous_version.empty()
                ? "Roll back " + ev->service + " to the version before " + ev->version + ", then review that deploy's changes."
                : "Roll back " + ev->service + " to " + ev->previous_version + ", then review the changes " +
                      ev->previous_version + ".." + ev->version + ".";
    out.causes.push_back(std::move(c));
  } else if (strongest) {
    Cause c;
    c.title = "Regression in " + service + ": " + strongest->title + (candidates.empty() ? " (no deploy recorded before it)" : "");
    c.confidence = 0.3 * strongest->score;
    c.evidence = {strongest->id};
    c.suspect = Suspect{"unknown", "", ""};
    c.fix = "No deploy of " + service + " explains it: check its dependencies, traffic and recent config changes around " +
            hhmm(*strongest->at) + ".";
    out.causes.push_back(std::move(c));
  } else if (!candidates.empty()) {
    const auto& [d, ev] = candidates.front();
    Cause c;
    c.title = "No metric moved significantly; the latest change is the " + d.title;
    c.confidence = 0.1;
    c.evidence = {d.id};
    c.suspect = Suspect{"deploy", ev->id, ev->service + " " + ev->version};
    out.causes.push_back(std::move(c));
  }
  out.findings = std::move(metric);
  for (auto& [f, ev] : candidates) out.findings.push_back(std::move(f));
  return out;
}
}  // namespace alertbot::investigators::analysis
