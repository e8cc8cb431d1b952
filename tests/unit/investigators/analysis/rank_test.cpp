#include <gtest/gtest.h>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/analysis/rank.hpp"

namespace alertbot::investigators::analysis {
namespace {

Finding onset(const std::string& id, double score, const std::string& metric = "latency") {
  Finding f;
  f.id = id;
  f.kind = kinds::kOnset;
  f.title = "p99 latency rose";
  f.score = score;
  f.attributes = {{"metric", metric}, {"direction", "up"}};
  return f;
}

Finding deploy(const std::string& id, const std::string& deploy_id, double score, const std::string& service = "orders",
               bool downstream = false) {
  Finding f;
  f.id = id;
  f.kind = kinds::kDeploy;
  f.score = score;
  f.title = "Deploy of " + service;
  f.attributes = {{"deploy_id", deploy_id}, {"service", service}, {"version", "v2"}, {"previous_version", "v1"},
                  {"downstream", downstream ? "true" : "false"}};
  f.values["minutes_before_onset"] = 3;
  return f;
}

Finding commit(const std::string& id, const std::string& deploy_id, const std::string& sha, double relevance, bool config = false) {
  Finding f;
  f.id = id;
  f.kind = kinds::kCommit;
  f.score = relevance;
  f.values["relevance"] = relevance;
  f.attributes = {{"sha", sha}, {"deploy_id", deploy_id}, {"subject", "load items in a loop"}, {"files", "orders/repo.go"},
                  {"config", config ? "true" : "false"}, {"matched", "items"}};
  return f;
}

Finding trace(const std::string& id, const char* kind, const std::string& service, const std::string& op, double score) {
  Finding f;
  f.id = id;
  f.kind = kind;
  f.score = score;
  f.title = service + " " + op + " slower";
  f.attributes = {{"service", service}, {"operation", op}};
  f.values = {{"before_per_trace", 1}, {"after_per_trace", 12}};
  return f;
}

const std::string kSha = "3f2a9c1e00000000000000000000000000000001";

TEST(Rank, ARelevantCommitOfTheDeployIsTheSuspect) {
  RankContext ctx{"orders", {"orders/D2"}};
  auto r = rank_causes({onset("m1", 1), deploy("d1", "D2", 0.9), commit("c1", "D2", kSha, 0.8),
                        trace("t1", kinds::kFanout, "orders", "SELECT items", 0.9)},
                       ctx);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_FALSE(r.abstained);
  const Cause& c = r.causes.front();
  EXPECT_EQ(c.suspect.kind, "commit");
  EXPECT_EQ(c.suspect.ref, kSha);
  EXPECT_GT(c.confidence, 0.8);
  EXPECT_NE(c.fix.find("Revert commit 3f2a9c1"), std::string::npos) << c.fix;
  EXPECT_NE(c.fix.find("once per item"), std::string::npos) << c.fix;  // the N+1 hint
  EXPECT_NE(std::find(c.evidence.begin(), c.evidence.end(), "c1"), c.evidence.end());
  EXPECT_NE(std::find(c.evidence.begin(), c.evidence.end(), "d1"), c.evidence.end());
  // The span the deploy explains comes later, damped.
  ASSERT_GE(r.causes.size(), 2u);
  EXPECT_EQ(r.causes[1].suspect.kind, "span");
  EXPECT_EQ(r.causes[1].suspect.ref, "orders:SELECT items");
  EXPECT_LT(r.causes[1].confidence, c.confidence);
}

TEST(Rank, AConfigOnlyCommitMakesAConfigSuspect) {
  RankContext ctx{"payments", {"payments/42"}};
  auto r = rank_causes({onset("m1", 1, "errors"), deploy("d1", "42", 0.9, "payments"), commit("c1", "42", kSha, 0.7, true)}, ctx);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].suspect.kind, "config");
  EXPECT_EQ(r.causes[0].suspect.ref, kSha);
  EXPECT_NE(r.causes[0].fix.find("configuration change"), std::string::npos);
}

TEST(Rank, ADeployWhoseCodeWasReadAndMatchesNothingLosesToTheOneThatMatches) {
  // d1 is nearer to the onset; its diff was read and nothing in it relates to the symptom.
  RankContext ctx{"orders", {"orders/NEAR", "orders/FAR"}};
  auto r = rank_causes({onset("m1", 1), deploy("d1", "NEAR", 0.9), deploy("d2", "FAR", 0.65),
                        commit("c1", "FAR", kSha, 0.8)},
                       ctx);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].suspect.ref, kSha);
}

TEST(Rank, ACommitOfAnotherServicesDeployWithTheSameIdIsNotBorrowed) {
  // Argo CD history ids are per application: payments' deploy 5 is not checkout's deploy 5.
  RankContext ctx{"checkout", {"checkout/5", "payments/5"}};
  Finding other = commit("c1", "5", kSha, 0.9);
  other.attributes["service"] = "payments";
  auto r = rank_causes({onset("m1", 1), deploy("d1", "5", 0.9, "checkout"), other}, ctx);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].suspect.kind, "deploy");
  EXPECT_EQ(r.causes[0].suspect.ref, "5");
}

TEST(Rank, WithoutDiffsTheNearestDeployWins) {
  RankContext ctx{"orders", {}};
  auto r = rank_causes({onset("m1", 1), deploy("d1", "NEAR", 0.9), deploy("d2", "FAR", 0.65)}, ctx);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].suspect.kind, "deploy");
  EXPECT_EQ(r.causes[0].suspect.ref, "NEAR");
}

TEST(Rank, ASlowerDownstreamServiceWithNoDeployIsADependency) {
  RankContext ctx{"checkout", {}};
  Finding dep = trace("t1", kinds::kDependency, "payments", "", 0.9);
  auto r = rank_causes({onset("m1", 1), dep, trace("t2", kinds::kSpanLatency, "payments", "charge", 0.85)}, ctx);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].suspect.kind, "dependency");
  EXPECT_EQ(r.causes[0].suspect.ref, "payments");
}

TEST(Rank, ADownstreamDeployExplainsItsDependencySlowdown) {
  RankContext ctx{"checkout", {}};
  auto r = rank_causes({onset("m1", 1), trace("t1", kinds::kDependency, "payments", "", 0.9),
                        deploy("d1", "77", 0.85, "payments", true)},
                       ctx);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].suspect.kind, "deploy");
  EXPECT_EQ(r.causes[0].suspect.ref, "77");
}

TEST(Rank, SaturationWithRisingTrafficIsCapacity) {
  RankContext ctx{"inventory", {}};
  Finding sat;
  sat.id = "m2";
  sat.kind = kinds::kSaturation;
  sat.score = 0.95;
  sat.title = "Saturation at 96%";
  sat.attributes = {{"resource", "cpu"}};
  auto r = rank_causes({onset("m1", 1), sat, onset("m3", 1, "traffic")}, ctx);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_EQ(r.causes[0].suspect.kind, "capacity");
  EXPECT_EQ(r.causes[0].suspect.ref, "inventory");
  EXPECT_NE(std::find(r.causes[0].evidence.begin(), r.causes[0].evidence.end(), "m3"), r.causes[0].evidence.end());
}

TEST(Rank, NoSymptomMeansAbstainingWithOnlyLeads) {
  RankContext ctx{"checkout", {}};
  auto r = rank_causes({deploy("d1", "5", 0.8)}, ctx);
  EXPECT_TRUE(r.abstained);
  EXPECT_TRUE(r.causes.empty());
  ASSERT_EQ(r.leads.size(), 1u);
  EXPECT_LT(r.leads[0].confidence, 0.35);
  EXPECT_NE(r.abstain_reason.find("Checked 0 metric series (0 without a significant change) and 1 deploys"), std::string::npos)
      << r.abstain_reason;
}

TEST(Rank, AtMostThreeCausesAndEverySuspectOnce) {
  RankContext ctx{"orders", {}};
  std::vector<Finding> fs = {onset("m1", 1)};
  for (int i = 0; i < 6; ++i) fs.push_back(deploy("d" + std::to_string(i + 1), "D" + std::to_string(i), 0.9 - i * 0.05));
  fs.push_back(deploy("d9", "D0", 0.9));  // the same deploy from a second list
  auto r = rank_causes(fs, ctx);
  EXPECT_EQ(r.causes.size(), 3u);
  std::set<std::string> refs;
  for (const auto& c : r.causes) EXPECT_TRUE(refs.insert(c.suspect.ref).second) << c.suspect.ref;
}

}  // namespace
}  // namespace alertbot::investigators::analysis
