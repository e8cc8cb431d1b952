// Change-point detection: where a metric series shifted level. The split that minimises the
// squared error of two constant segments is found exactly (O(n) with prefix sums); it counts as
// a change only when Welch's t statistic between the segments and the relative shift both pass
// their thresholds, so noise and a flat series give no change point.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

struct ChangePointOptions {
  std::size_t min_segment = 4;  // points on each side
  double min_t = 6.0;           // |Welch t|; high because the split was chosen to maximise it
  double min_relative = 0.15;   // |after - before| / |before|, or absolute when before is ~0
};

struct ChangePoint {
  std::size_t index = 0;  // first point of the new level
  Time at;                // its time
  double before_mean = 0;
  double after_mean = 0;
  double t = 0;  // Welch t statistic (after - before)
};

// Requires: points in time order. nullopt when there is no significant shift.
std::optional<ChangePoint> find_change_point(const std::vector<Point>& points, ChangePointOptions options = {});

// Every significant shift, by binary segmentation: the best split of the whole series, then of
// each side, recursively, while splits stay significant (at most `max_points`). Time order.
// before_mean/after_mean of each describe the neighbouring segments (between its neighbours),
// so a rise followed by a recovery gives two change points: up, then down.
std::vector<ChangePoint> find_change_points(const std::vector<Point>& points, ChangePointOptions options = {},
                                            std::size_t max_points = 4);

}  // namespace alertbot::investigators::analysis
