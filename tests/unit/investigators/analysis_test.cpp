#include <gtest/gtest.h>

#include <cmath>

#include "investigators/analysis/analyze.hpp"
#include "investigators/analysis/change_point.hpp"

namespace alertbot::investigators::analysis {
namespace {

using namespace std::chrono;
const Time kT0 = Time(seconds(1795578000));

// Deterministic noise in [-1, 1]: no randomness in tests.
double noise(int i) { return std::sin(i * 12.9898) * 0.5 + std::sin(i * 78.233) * 0.5; }

std::vector<Point> series(int n, int step_at, double before, double after, double jitter) {
  std::vector<Point> out;
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

SourceData latency_data(double before, double after) {
  SourceData d;
  MetricSeries s;
  s.name = "latency";
  s.unit = "seconds";
  s.query = "p99";
  s.points = series(240, 180, before, after, 0.01);
  d.series.push_back(s);
  return d;
}

DeployEvent deploy(const char* id, Time at) {
  DeployEvent d;
  d.id = id;
  d.service = "checkout";
  d.version = std::string("v-") + id;
  d.previous_version = "v-prev";
  d.at = at;
  return d;
}

TEST(Analyze, NamesTheDeployJustBeforeTheOnset) {
  Time onset = kT0 + seconds(15 * 180);
  SourceData deploys;
  deploys.deploys = {deploy("early", onset - minutes(50)), deploy("suspect", onset - minutes(2)),
                     deploy("after", onset + minutes(10))};
  auto a = analyze("checkout", kT0, kT0 + hours(1), {latency_data(0.18, 0.92), deploys});
  ASSERT_FALSE(a.causes.empty());
  const Cause& c = a.causes.front();
  EXPECT_EQ(c.suspect.kind, "deploy");
  EXPECT_EQ(c.suspect.ref, "suspect");
  EXPECT_GT(c.confidence, 0.5);
  EXPECT_NE(c.fix.find("Roll back checkout to v-prev"), std::string::npos) << c.fix;
  // Every cited id exists.
  for (const auto& id : c.evidence) {
    EXPECT_TRUE(std::any_of(a.findings.begin(), a.findings.end(), [&](const Finding& f) { return f.id == id; })) << id;
  }
  EXPECT_EQ(a.findings.front().kind, "onset");
  EXPECT_NE(a.findings.front().title.find("latency rose from 180 ms to 920 ms"), std::string::npos) << a.findings.front().title;
}

TEST(Analyze, ShiftWithoutDeployIsAnUnknownSuspect) {
  auto a = analyze("checkout", kT0, kT0 + hours(1), {latency_data(0.18, 0.92)});
  ASSERT_EQ(a.causes.size(), 1u);
  EXPECT_EQ(a.causes[0].suspect.kind, "unknown");
  EXPECT_NE(a.causes[0].title.find("no deploy recorded"), std::string::npos);
}

TEST(Analyze, NoChangeIsAResultNotSilence) {
  auto a = analyze("checkout", kT0, kT0 + hours(1), {latency_data(0.2, 0.2)});
  EXPECT_TRUE(a.causes.empty());
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].kind, "no_change");
}

}  // namespace
}  // namespace alertbot::investigators::analysis
