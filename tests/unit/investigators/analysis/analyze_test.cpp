#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "investigators/analysis/analyze.hpp"

namespace alertbot::investigators::analysis {
namespace {

using namespace std::chrono;
const Time kT0 = Time(seconds(1795578000));

// Deterministic noise in [-1, 1]: no randomness in tests.
double noise(int i) { return std::sin(i * 12.9898) * 0.5 + std::sin(i * 78.233) * 0.5; }

std::vector<Point> series(int n, int step_at, double before, double after, double jitter) {
  std::vector<Point> out;
  out.reserve(static_cast<std::size_t>(std::max(n, 0)));
  for (int i = 0; i < n; ++i) out.push_back({kT0 + seconds(15 * i), (i < step_at ? before : after) + jitter * noise(i)});
  return out;
}

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

Analysis run(const std::vector<SourceData>& data, const Alert* alert = nullptr) {
  AnalysisInput in;
  in.service = "checkout";
  in.alert = alert;
  in.window_start = kT0;
  in.now = kT0 + hours(1);
  return analyze(in, data);
}

TEST(Analyze, NamesTheDeployJustBeforeTheOnset) {
  Time onset = kT0 + seconds(15 * 180);
  SourceData deploys;
  deploys.deploys = {deploy("early", onset - minutes(50)), deploy("suspect", onset - minutes(2)),
                     deploy("after", onset + minutes(10))};
  auto a = run({latency_data(0.18, 0.92), deploys});
  ASSERT_FALSE(a.causes.empty());
  EXPECT_FALSE(a.abstained);
  ASSERT_TRUE(a.onset);
  EXPECT_EQ(*a.onset, onset);
  EXPECT_EQ(a.pivot, onset);
  const Cause& c = a.causes.front();
  EXPECT_EQ(c.suspect.kind, "deploy");
  EXPECT_EQ(c.suspect.ref, "suspect");
  EXPECT_GT(c.confidence, 0.5);
  EXPECT_NE(c.fix.find("Roll checkout back to v-prev"), std::string::npos) << c.fix;
  // Every cited id exists.
  for (const auto& cause : a.causes) {
    for (const auto& id : cause.evidence) {
      EXPECT_TRUE(std::any_of(a.findings.begin(), a.findings.end(), [&](const Finding& f) { return f.id == id; })) << id;
    }
  }
  EXPECT_EQ(a.findings.front().kind, "onset");
  EXPECT_NE(a.findings.front().title.find("latency rose from 180 ms to 920 ms"), std::string::npos) << a.findings.front().title;
  // The deploy after the onset is listed, but is not a suspect.
  auto after = std::find_if(a.findings.begin(), a.findings.end(), [](const Finding& f) {
    return f.kind == "deploy" && f.attributes.at("deploy_id") == "after";
  });
  ASSERT_NE(after, a.findings.end());
  EXPECT_EQ(after->score, 0);
  EXPECT_NE(after->detail.find("not a suspect"), std::string::npos);
}

TEST(Analyze, AShiftWithNothingToBlameAbstainsAndSaysWhatWasChecked) {
  auto a = run({latency_data(0.18, 0.92)});
  EXPECT_TRUE(a.causes.empty());
  EXPECT_TRUE(a.abstained);
  EXPECT_NE(a.abstain_reason.find("Checked 1 metric series"), std::string::npos) << a.abstain_reason;
  ASSERT_TRUE(a.onset);
}

TEST(Analyze, NoChangeIsAResultNotSilence) {
  auto a = run({latency_data(0.2, 0.2)});
  EXPECT_TRUE(a.causes.empty());
  EXPECT_TRUE(a.abstained);
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].kind, "no_change");
  EXPECT_TRUE(a.findings[0].values.count("ci_low"));
  EXPECT_FALSE(a.onset);
}

TEST(Analyze, WithoutAnOnsetTheAlertStartIsThePivot) {
  Alert alert;
  alert.name = "X";
  alert.starts_at = kT0 + minutes(40);
  auto a = run({latency_data(0.2, 0.2)}, &alert);
  EXPECT_EQ(a.pivot, kT0 + minutes(40));
  alert.starts_at = kT0 + minutes(59);  // too late: a sixth of the window stays after the pivot
  a = run({latency_data(0.2, 0.2)}, &alert);
  EXPECT_EQ(a.pivot, kT0 + minutes(50));
}

}  // namespace
}  // namespace alertbot::investigators::analysis
