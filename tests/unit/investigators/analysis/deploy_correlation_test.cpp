#include <gtest/gtest.h>

#include <cmath>

#include "investigators/analysis/deploy_correlation.hpp"

namespace alertbot::investigators::analysis {
namespace {

using namespace std::chrono;
const Time kPivot = Time(seconds(1795578000));

DeployEvent deploy(const std::string& id, const std::string& service, minutes before_pivot) {
  DeployEvent d;
  d.id = id;
  d.service = service;
  d.version = "v-" + id;
  d.source = "webhook";
  d.at = kPivot - before_pivot;
  return d;
}

DeployContext context() {
  DeployContext c;
  c.service = "checkout";
  c.pivot = kPivot;
  c.pivot_is_onset = true;
  return c;
}

TEST(DeployCorrelation, NearerDeploysScoreHigherAndLaterOnesAreNotSuspects) {
  auto fs = deploy_findings({deploy("old", "checkout", minutes(40)), deploy("near", "checkout", minutes(3)),
                             deploy("late", "checkout", minutes(-10)), deploy("ancient", "checkout", minutes(90))},
                            context());
  ASSERT_EQ(fs.size(), 3u);  // older than an hour: not listed
  EXPECT_EQ(fs[0].attributes.at("deploy_id"), "near");
  EXPECT_EQ(fs[0].id, "d1");
  EXPECT_NEAR(fs[0].score, std::exp(-3.0 / 30), 1e-9);
  EXPECT_EQ(fs[1].attributes.at("deploy_id"), "old");
  EXPECT_EQ(fs[2].attributes.at("deploy_id"), "late");
  EXPECT_EQ(fs[2].score, 0);
  EXPECT_NE(fs[2].detail.find("after the onset"), std::string::npos);
  EXPECT_NEAR(fs[0].values.at("minutes_before_onset"), 3, 1e-9);
}

TEST(DeployCorrelation, DownstreamDeploysWeighByWhatTracesImplicate) {
  auto c = context();
  c.implicated = {"payments"};
  c.configured_downstream = {"inventory"};
  auto fs = deploy_findings({deploy("p", "payments", minutes(5)), deploy("i", "inventory", minutes(5)),
                             deploy("x", "unrelated", minutes(5))},
                            c);
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].attributes.at("deploy_id"), "p");
  EXPECT_EQ(fs[0].attributes.at("downstream"), "true");
  EXPECT_NEAR(fs[0].score, kImplicatedDownstreamWeight * std::exp(-5.0 / 30), 1e-9);
  EXPECT_NEAR(fs[1].score, kHintedDownstreamWeight * std::exp(-5.0 / 30), 1e-9);
}

TEST(DeployCorrelation, TheSameDeployFromTwoListsIsListedOnce) {
  auto fs = deploy_findings({deploy("a", "checkout", minutes(5)), deploy("a", "checkout", minutes(5))}, context());
  EXPECT_EQ(fs.size(), 1u);
}

}  // namespace
}  // namespace alertbot::investigators::analysis
