#include "investigators/analysis/change_point.hpp"

#include <cmath>
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

}  // namespace alertbot::investigators::analysis
