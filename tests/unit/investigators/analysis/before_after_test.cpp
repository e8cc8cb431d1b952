#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "investigators/analysis/before_after.hpp"

namespace alertbot::investigators::analysis {
namespace {

// Deterministic noise in [-1, 1]: no randomness in tests.
double noise(int i) { return std::sin(i * 12.9898) * 0.5 + std::sin(i * 78.233) * 0.5; }

std::vector<double> level(int n, double v, double jitter, int seed = 0) {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(std::max(n, 0)));
  for (int i = 0; i < n; ++i) out.push_back(v + jitter * noise(i + seed));
  return out;
}

TEST(BeforeAfter, AClearShiftIsSignificantWithAnIntervalAroundIt) {
  auto r = compare_before_after(level(120, 0.18, 0.02), level(60, 0.92, 0.05, 500));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->significant);
  EXPECT_NEAR(r->diff, 0.74, 0.02);
  EXPECT_LT(r->ci_low, r->diff);
  EXPECT_GT(r->ci_high, r->diff);
  EXPECT_GT(r->ci_low, 0.6);  // the interval excludes 0 by far
  EXPECT_GT(r->effect, 5);
  EXPECT_NEAR(r->before_p50, 0.18, 0.02);
  EXPECT_NEAR(r->after_p99, 0.97, 0.05);
  EXPECT_EQ(r->n_before, 120u);
  EXPECT_EQ(r->n_after, 60u);
}

TEST(BeforeAfter, NoiseAloneIsNoSignificantChange) {
  auto r = compare_before_after(level(120, 0.2, 0.05), level(60, 0.2, 0.05, 777));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->significant);
  EXPECT_LT(r->ci_low, 0.0 + 0.03);
  EXPECT_LT(std::abs(r->effect), 1.0);
}

TEST(BeforeAfter, ASignificantButTinyShiftIsNotAChange) {
  // 2% higher with almost no noise: the interval excludes 0, but it is below min_relative.
  auto r = compare_before_after(level(100, 1.0, 0.001), level(100, 1.02, 0.001, 9));
  ASSERT_TRUE(r);
  EXPECT_GT(r->ci_low, 0);
  EXPECT_FALSE(r->significant);
}

TEST(BeforeAfter, IsDeterministic) {
  auto a = compare_before_after(level(50, 1, 0.3), level(50, 1.4, 0.3, 3));
  auto b = compare_before_after(level(50, 1, 0.3), level(50, 1.4, 0.3, 3));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->ci_low, b->ci_low);
  EXPECT_EQ(a->ci_high, b->ci_high);
}

TEST(BeforeAfter, TooFewPointsGiveNoComparison) {
  EXPECT_FALSE(compare_before_after({1, 2, 3}, level(10, 1, 0)));
  EXPECT_FALSE(compare_before_after(level(10, 1, 0), {}));
}

TEST(BeforeAfter, FlatSidesGiveAFiniteEffect) {
  auto r = compare_before_after(level(10, 1, 0), level(10, 3, 0));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->significant);
  EXPECT_EQ(r->effect, 100);
  EXPECT_EQ(r->ci_low, 2);
  EXPECT_EQ(r->ci_high, 2);
}

}  // namespace
}  // namespace alertbot::investigators::analysis
