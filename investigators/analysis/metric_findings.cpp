#include "investigators/analysis/metric_findings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "investigators/analysis/before_after.hpp"
#include "investigators/analysis/change_point.hpp"
#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/units.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators::analysis {
namespace {

// A saturation ratio at or above this after the onset is "near the ceiling".
constexpr double kSaturationHigh = 0.8;

bool harm_goes_up(const std::string& metric) {
  return metric == "latency" || metric == "errors" || metric == "saturation" || metric == "alert";
}

void put_comparison(Finding& f, const BeforeAfter& ba) {
  f.values["before"] = ba.before_mean;
  f.values["after"] = ba.after_mean;
  f.values["before_p50"] = ba.before_p50;
  f.values["before_p95"] = ba.before_p95;
  f.values["before_p99"] = ba.before_p99;
  f.values["after_p50"] = ba.after_p50;
  f.values["after_p95"] = ba.after_p95;
  f.values["after_p99"] = ba.after_p99;
  f.values["ci_low"] = ba.ci_low;
  f.values["ci_high"] = ba.ci_high;
  f.values["effect"] = ba.effect;
}

std::vector<double> values_of(const std::vector<Point>& pts, std::size_t a, std::size_t b) {
  std::vector<double> out;
  out.reserve(b - a);
  for (std::size_t i = a; i < b; ++i) out.push_back(pts[i].v);
  return out;
}

std::string ratio_text(double before, double after) {
  if (std::abs(before) < 1e-12) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, " (%.1fx)", after / before);
  return buf;
}

Finding base_finding(const MetricSeries& s) {
  Finding f;
  f.source = "prometheus";
  f.link = s.link;
  f.attributes["metric"] = s.name;
  f.attributes["query"] = s.query;
  return f;
}

// `cp` splits [lo, hi) (its neighbouring change points, or the series' ends).
Finding onset_finding(const MetricSeries& s, const ChangePoint& cp, std::size_t lo, std::size_t hi, bool intervals,
                      const std::optional<ChangePoint>& later) {
  Finding f = base_finding(s);
  f.kind = kinds::kOnset;
  f.at = cp.at;
  std::optional<BeforeAfter> ba;
  if (intervals) ba = compare_before_after(values_of(s.points, lo, cp.index), values_of(s.points, cp.index, hi));
  if (ba) put_comparison(f, *ba);
  f.values["t"] = cp.t;
  const bool up = cp.after_mean > cp.before_mean;
  f.attributes["direction"] = up ? "up" : "down";
  const std::string what = describe_metric(s.name);
  f.title = what + (up ? " rose from " : " fell from ") + format_value(cp.before_mean, s.unit) + " to " +
            format_value(cp.after_mean, s.unit) + ratio_text(cp.before_mean, cp.after_mean) + " at " + time_of_day(cp.at);
  f.detail = "Level shift at " + format_rfc3339(cp.at, false);
  if (ba) {
    f.detail += "; difference " + format_value(ba->diff, s.unit) + " (95% CI " + format_value(ba->ci_low, s.unit) + " to " +
                format_value(ba->ci_high, s.unit) + "), p95 " + format_value(ba->before_p95, s.unit) + " -> " +
                format_value(ba->after_p95, s.unit);
  }
  if (later) {
    f.detail += "; it changed again at " + time_of_day(later->at) + " (to " + format_value(later->after_mean, s.unit) + ")";
    f.values["changed_again_at"] = to_unix_seconds(later->at);
  }
  f.detail += ". Query: " + s.query;
  // Strength from the relative shift, saturating at a doubling; a move the good way is weak.
  double rel = std::abs(cp.after_mean - cp.before_mean) / std::max(std::abs(cp.before_mean), 1e-9);
  f.score = std::min(1.0, rel);
  if (harm_goes_up(s.name) && !up) f.score *= 0.3;
  return f;
}

Finding no_change_finding(const MetricSeries& s, Time reference) {
  Finding f = base_finding(s);
  f.kind = kinds::kNoChange;
  f.title = "No significant change in " + describe_metric(s.name);
  f.detail = "Query: " + s.query;
  if (!s.points.empty()) f.values["last"] = s.points.back().v;
  auto split = static_cast<std::size_t>(
      std::lower_bound(s.points.begin(), s.points.end(), reference, [](const Point& p, Time t) { return p.t < t; }) -
      s.points.begin());
  if (auto ba = compare_before_after(values_of(s.points, 0, split), values_of(s.points, split, s.points.size()))) {
    put_comparison(f, *ba);
    f.detail = "Before vs after " + time_of_day(reference) + ": " + format_value(ba->before_mean, s.unit) + " vs " +
               format_value(ba->after_mean, s.unit) + " (95% CI of the difference " + format_value(ba->ci_low, s.unit) +
               " to " + format_value(ba->ci_high, s.unit) + "). " + f.detail;
  }
  return f;
}

std::optional<Finding> saturation_finding(const MetricSeries& s, const std::optional<ChangePoint>& cp) {
  if (s.name != "saturation" || s.points.empty()) return std::nullopt;
  std::size_t from = s.points.size() - std::min<std::size_t>(s.points.size(), 8);
  if (cp.has_value()) from = cp.value().index;
  auto after = values_of(s.points, from, s.points.size());
  double level = 0;
  for (double v : after) level += v;
  level /= static_cast<double>(after.size());
  if (level < kSaturationHigh) return std::nullopt;
  Finding f = base_finding(s);
  f.kind = kinds::kSaturation;
  f.at = cp ? std::optional<Time>(cp->at) : std::nullopt;
  f.attributes["resource"] = s.labels.count("resource") ? s.labels.at("resource") : std::string("saturation");
  f.values["after"] = level;
  f.title = "Saturation at " + format_value(level, "ratio") + " of capacity" + (cp ? " since " + time_of_day(cp->at) : "");
  f.detail = "Query: " + s.query;
  f.score = std::clamp((level - 0.7) / 0.25, 0.0, 1.0);
  return f;
}

}  // namespace

MetricFindings metric_findings(const std::vector<const MetricSeries*>& series, Time reference, bool intervals) {
  MetricFindings out;
  std::vector<Finding> moved, still;
  std::optional<Time> traffic_onset;
  for (const MetricSeries* s : series) {
    auto cps = find_change_points(s->points);
    std::optional<ChangePoint> first;
    if (!cps.empty()) first = cps.front();
    if (auto sat = saturation_finding(*s, first)) moved.push_back(std::move(*sat));
    if (cps.empty()) {
      if (intervals) still.push_back(no_change_finding(*s, reference));
      continue;
    }
    // The shift that matters: the first one the harmful way (a rise of latency, not its recovery).
    std::size_t k = 0;
    if (harm_goes_up(s->name)) {
      while (k < cps.size() && cps[k].after_mean <= cps[k].before_mean) ++k;
      if (k == cps.size()) k = 0;
    }
    const std::size_t lo = k == 0 ? 0 : cps[k - 1].index;
    const std::size_t hi = k + 1 < cps.size() ? cps[k + 1].index : s->points.size();
    std::optional<ChangePoint> later = k + 1 < cps.size() ? std::optional<ChangePoint>(cps[k + 1]) : std::nullopt;
    Finding f = onset_finding(*s, cps[k], lo, hi, intervals, later);
    const bool harmful = harm_goes_up(s->name) && f.attributes["direction"] == "up";
    if (harmful && (!out.onset || cps[k].at < *out.onset)) out.onset = cps[k].at;
    if (s->name == "traffic" && (!traffic_onset || cps[k].at < *traffic_onset)) traffic_onset = cps[k].at;
    moved.push_back(std::move(f));
  }
  if (!out.onset) out.onset = traffic_onset;
  std::stable_sort(moved.begin(), moved.end(), [](const Finding& a, const Finding& b) { return a.score > b.score; });
  int n = 0;
  for (auto& f : moved) {
    f.id = "m" + std::to_string(++n);
    out.findings.push_back(std::move(f));
  }
  for (auto& f : still) {
    f.id = "m" + std::to_string(++n);
    out.findings.push_back(std::move(f));
  }
  return out;
}

}  // namespace alertbot::investigators::analysis
