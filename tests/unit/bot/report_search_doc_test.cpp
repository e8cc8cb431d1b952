// search_document(): what a finished investigation contributes to the similar-incident search.
#include "bot/report_search_doc.hpp"

#include <gtest/gtest.h>

#include "investigators/analysis/finding_kinds.hpp"

namespace alertbot::bot {
namespace {

using namespace std::chrono_literals;
const store::Time kFinished = store::Time(std::chrono::seconds(1795578000));

investigators::Finding finding(std::string id, std::string kind, std::string title) {
  investigators::Finding f;
  f.id = std::move(id);
  f.kind = std::move(kind);
  f.title = std::move(title);
  return f;
}

investigators::Cause cause(std::string title, std::string kind, std::string ref) {
  investigators::Cause c;
  c.title = std::move(title);
  c.suspect.kind = std::move(kind);
  c.suspect.ref = std::move(ref);
  return c;
}

investigators::InvestigationResult checkout_result() {
  investigators::InvestigationResult r;
  r.service = "checkout";
  investigators::Alert a;
  a.name = "CheckoutLatencyHigh";
  a.summary = "p99 latency above 500ms";
  r.alert = a;
  r.causes.push_back(cause("Deploy v42 added an N+1 query", "deploy", "deploy-42"));
  r.causes.push_back(cause("Database saturation", "capacity", "db"));
  r.findings.push_back(finding("m1", investigators::kinds::kOnset, "p99 latency rose from 180ms to 920ms"));
  r.findings.push_back(finding("h1", investigators::kinds::kPastIncident, "Similar to #12: pool exhausted"));
  r.findings.push_back(finding("d1", investigators::kinds::kDeploy, "checkout v42 deployed 3 min before onset"));
  return r;
}

TEST(SearchDocument, TakesTheAlertTheTopCauseAndTheTitles) {
  const auto doc = search_document(77, checkout_result(), kFinished);
  EXPECT_EQ(doc.investigation_id, 77);
  EXPECT_EQ(doc.service, "checkout");
  EXPECT_EQ(doc.alert_name, "CheckoutLatencyHigh");
  EXPECT_EQ(doc.top_cause, "Deploy v42 added an N+1 query");
  EXPECT_EQ(doc.suspect_kind, "deploy");
  EXPECT_EQ(doc.suspect_ref, "deploy-42");
  EXPECT_EQ(doc.finished_at, kFinished);
  EXPECT_EQ(doc.text,
            "p99 latency above 500ms\n"
            "Deploy v42 added an N+1 query\n"
            "Database saturation\n"
            "p99 latency rose from 180ms to 920ms\n"
            "checkout v42 deployed 3 min before onset\n");  // the past incident is left out
}

TEST(SearchDocument, OnDemandAbstainedRunHasNoAlertNorCause) {
  investigators::InvestigationResult r;
  r.service = "payments";
  r.abstained = true;
  r.findings.push_back(finding("m1", investigators::kinds::kNoChange, "error ratio did not move"));
  const auto doc = search_document(3, r, kFinished);
  EXPECT_EQ(doc.service, "payments");
  EXPECT_EQ(doc.alert_name, "");
  EXPECT_EQ(doc.top_cause, "");
  EXPECT_EQ(doc.suspect_kind, "");
  EXPECT_EQ(doc.suspect_ref, "");
  EXPECT_EQ(doc.text, "error ratio did not move\n");
}

TEST(SearchDocument, TextStopsAtTheLimitOnACharacterBoundary) {
  investigators::InvestigationResult r;
  r.service = "api";
  std::string title;
  for (int i = 0; i < 1000; ++i) title += "\xe2\x82\xac";  // 3000 bytes of three-byte characters
  for (int i = 0; i < 10; ++i) r.findings.push_back(finding("l" + std::to_string(i), "log_pattern", title));
  const auto doc = search_document(1, r, kFinished);
  EXPECT_LE(doc.text.size(), kSearchTextLimit);
  EXPECT_GT(doc.text.size(), kSearchTextLimit - 3);
  // Five whole lines (3001 bytes each), then whole characters of the sixth.
  EXPECT_EQ((doc.text.size() - 5 * 3001) % 3, 0u);
  EXPECT_EQ(doc.text.substr(0, 3001), title + "\n");
}

}  // namespace
}  // namespace alertbot::bot
