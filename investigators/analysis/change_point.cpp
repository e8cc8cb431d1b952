#include "investigators/analysis/change_point.hpp"

#include <cmath>
#include <algorithm>
#include <limits>

#include "investigators/analysis/stats.hpp"

namespace alertbot::investigators::analysis {

std::optional<ChangePoint> find_change_point(const std::vector<Point>& points, ChangePointOptions opt) {
  const std::size_t n = points.size();
  if (n < 2 * opt.min_segment) return std::nullopt;
  std::vector<double> sum(n + 1, 0.0), sq(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    sum[i + 1] = sum[i] + points[i].v;
    sq[i + 1] = sq[i] + points[i].v * points[i].v;
  }
  auto sse = [&](std::size_t a, std::size_t b) {  // squared error of [a, b) around its mean
    double s = sum[b] - sum[a];
    return (sq[b] - sq[a]) - s * s / static_cast<double>(b - a);
  };
  std::size_t best = 0;
  double best_cost = std::numeric_limits<double>::infinity();
  for (std::size_t k = opt.min_segment; k + opt.min_segment <= n; ++k) {
    double cost = sse(0, k) + sse(k, n);
    if (cost < best_cost) {
      best_cost = cost;
      best = k;
    }
  }
  std::vector<double> before, after;
  for (std::size_t i = 0; i < n; ++i) (i < best ? before : after).push_back(points[i].v);
  double m1 = mean(before), m2 = mean(after);
  double se = std::sqrt(variance(before) / static_cast<double>(before.size()) +
                        variance(after) / static_cast<double>(after.size()));
  double shift = m2 - m1;
  // A perfectly flat pair of segments: any real shift is infinitely significant.
  double t = se > 0 ? shift / se : (shift != 0 ? std::copysign(1e9, shift) : 0.0);
  double scale = std::max(std::abs(m1), 1e-9);
  double relative = std::abs(m1) > 1e-9 ? std::abs(shift) / scale : std::abs(shift);
  if (std::abs(t) < opt.min_t || relative < opt.min_relative) return std::nullopt;
  return ChangePoint{best, points[best].t, m1, m2, t};
}

namespace {

void segment(const std::vector<Point>& points, std::size_t from, std::size_t to, const ChangePointOptions& opt,
             std::size_t max_points, std::vector<std::size_t>& found) {
  if (found.size() >= max_points || to - from < 2 * opt.min_segment) return;
  std::vector<Point> part(points.begin() + static_cast<std::ptrdiff_t>(from), points.begin() + static_cast<std::ptrdiff_t>(to));
  auto cp = find_change_point(part, opt);
  if (!cp) return;
  const std::size_t at = from + cp->index;
  found.push_back(at);
  segment(points, from, at, opt, max_points, found);
  segment(points, at, to, opt, max_points, found);
}

// Welch's t of [split, hi) against [lo, split).
double welch_t(const std::vector<Point>& points, std::size_t lo, std::size_t split, std::size_t hi) {
  std::vector<double> a, b;
  for (std::size_t i = lo; i < split; ++i) a.push_back(points[i].v);
  for (std::size_t i = split; i < hi; ++i) b.push_back(points[i].v);
  const double se = std::sqrt(variance(a) / static_cast<double>(a.size()) + variance(b) / static_cast<double>(b.size()));
  const double shift = mean(b) - mean(a);
  return se > 0 ? shift / se : (shift != 0 ? std::copysign(1e9, shift) : 0.0);
}

double mean_of(const std::vector<Point>& points, std::size_t from, std::size_t to) {
  double s = 0;
  for (std::size_t i = from; i < to; ++i) s += points[i].v;
  return to > from ? s / static_cast<double>(to - from) : 0.0;
}

}  // namespace

std::vector<ChangePoint> find_change_points(const std::vector<Point>& points, ChangePointOptions opt, std::size_t max_points) {
  std::vector<std::size_t> found;
  segment(points, 0, points.size(), opt, max_points, found);
  std::sort(found.begin(), found.end());
  std::vector<ChangePoint> out;
  for (std::size_t k = 0; k < found.size(); ++k) {
    const std::size_t lo = k == 0 ? 0 : found[k - 1];
    const std::size_t hi = k + 1 == found.size() ? points.size() : found[k + 1];
    ChangePoint cp;
    cp.index = found[k];
    cp.at = points[found[k]].t;
    cp.before_mean = mean_of(points, lo, found[k]);
    cp.after_mean = mean_of(points, found[k], hi);
    cp.t = welch_t(points, lo, found[k], hi);
    out.push_back(cp);
  }
  return out;
}

}  // namespace alertbot::investigators::analysis
