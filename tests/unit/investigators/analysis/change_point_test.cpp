#include <gtest/gtest.h>

#include <cmath>

#include "investigators/analysis/change_point.hpp"

namespace alertbot::investigators::analysis {
namespace {

using namespace std::chrono;
const Time kT0 = Time(seconds(1795578000));

// Deterministic noise in [-1, 1]: no randomness in tests.
double noise(int i) { return std::sin(i * 12.9898) * 0.5 + std::sin(i * 78.233) * 0.5; }

std::vector<Point> series(int n, int step_at, double before, double after, double jitter) {
  std::vector<Point> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back({kT0 + seconds(15 * i), (i < step_at ? before : after) + jitter * noise(i)});
  return out;
}

TEST(ChangePoint, FindsAStepAndItsTime) {
  auto cp = find_change_point(series(240, 180, 0.18, 0.92, 0.02));
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->index, 180u);
  EXPECT_EQ(cp->at, kT0 + seconds(15 * 180));
  EXPECT_NEAR(cp->before_mean, 0.18, 0.01);
  EXPECT_NEAR(cp->after_mean, 0.92, 0.01);
  EXPECT_GT(cp->t, 6);
}

TEST(ChangePoint, NoiseAloneIsNoChange) {
  EXPECT_FALSE(find_change_point(series(240, 240, 0.2, 0.2, 0.05)));
  EXPECT_FALSE(find_change_point(series(240, 0, 5, 5, 0)));  // perfectly flat
}

TEST(ChangePoint, SmallShiftBelowTheRelativeThresholdIsNoChange) {
  EXPECT_FALSE(find_change_point(series(240, 120, 1.0, 1.05, 0.001)));
}

TEST(ChangePoint, TooFewPointsIsNoChange) { EXPECT_FALSE(find_change_point(series(6, 3, 1, 10, 0))); }

TEST(ChangePoints, ARiseAndItsRecoveryAreTwoShiftsInTimeOrder) {
  auto pts = series(240, 72, 0.2, 0.9, 0.02);  // rises at 72
  for (int i = 192; i < 240; ++i) pts[static_cast<std::size_t>(i)].v = 0.2 + 0.02 * noise(i);  // recovers at 192
  auto cps = find_change_points(pts);
  ASSERT_EQ(cps.size(), 2u);
  EXPECT_EQ(cps[0].index, 72u);
  EXPECT_EQ(cps[1].index, 192u);
  EXPECT_LT(cps[0].before_mean, cps[0].after_mean);
  EXPECT_GT(cps[1].before_mean, cps[1].after_mean);
  EXPECT_NEAR(cps[1].after_mean, 0.2, 0.01);
}

TEST(ChangePoints, NoiseHasNone) { EXPECT_TRUE(find_change_points(series(240, 240, 0.2, 0.2, 0.05)).empty()); }

TEST(ChangePoints, AStepIsOneShift) {
  auto cps = find_change_points(series(240, 180, 0.18, 0.92, 0.02));
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].index, 180u);
}

}  // namespace
}  // namespace alertbot::investigators::analysis
