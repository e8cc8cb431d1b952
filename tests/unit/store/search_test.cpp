// The similar-incident search (migration 2: FTS5 on SQLite, a weighted tsvector on PostgreSQL), on both backends: matching by
// words and by service, ranking, untrusted words, the before filter, re-indexing and feedback.
#include <string>
#include <vector>

#include "store/sqlite_ops.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using alertbot::Errc;
using namespace alertbot::store;

class Search : public store_test::StoreFixture {
 protected:
  // Creates an investigation of `service` and indexes its document; returns its id.
  Id add(std::string service, std::string alert_name, std::string text, Time finished_at,
         std::string top_cause = "") {
    InvestigationRow inv;
    inv.service = service;
    inv.trigger = "alert";
    auto id = run(store_->create_investigation(inv));
    EXPECT_TRUE(id) << id.error().describe();
    SearchDocument doc;
    doc.investigation_id = *id;
    doc.service = std::move(service);
    doc.alert_name = std::move(alert_name);
    doc.top_cause = std::move(top_cause);
    doc.suspect_kind = "deploy";
    doc.suspect_ref = "deploy-" + std::to_string(*id);
    doc.text = std::move(text);
    doc.finished_at = finished_at;
    auto indexed = run(store_->index_investigation(doc));
    EXPECT_TRUE(indexed) << indexed.error().describe();
    return *id;
  }

  std::vector<SearchHit> search(std::string service, std::string words, int limit = 10) {
    auto hits = run(store_->search_investigations(std::move(service), std::move(words), later(), limit));
    EXPECT_TRUE(hits) << hits.error().describe();
    return hits ? *hits : std::vector<SearchHit>{};
  }

  static std::vector<Id> ids(const std::vector<SearchHit>& hits) {
    std::vector<Id> out;
    out.reserve(hits.size());
    for (const auto& h : hits) out.push_back(h.investigation_id);
    return out;
  }

  Time earlier(int minutes) const { return now() - std::chrono::minutes(minutes); }
  Time later() const { return now() + 1h; }
};
INSTANTIATE_STORE_SUITE(Search);

TEST_P(Search, FindsByWordsAcrossServices) {
  const Id pool = add("payments", "DbPoolExhausted", "connection pool exhausted after deploy", earlier(60));
  add("search", "HighLatency", "p99 latency grew in the ranking call", earlier(50));
  auto hits = search("", "checkout: Connection pool at limit");
  ASSERT_EQ(ids(hits), std::vector<Id>{pool});
  EXPECT_EQ(hits[0].service, "payments");
  EXPECT_EQ(hits[0].alert_name, "DbPoolExhausted");
  EXPECT_EQ(hits[0].suspect_kind, "deploy");
  EXPECT_EQ(hits[0].suspect_ref, "deploy-" + std::to_string(pool));
  EXPECT_EQ(hits[0].finished_at, earlier(60));
  EXPECT_GT(hits[0].score, 0.0);
  EXPECT_LT(hits[0].score, 0.40);  // text only: neither the same service nor the same alert
}

TEST_P(Search, FindsByServiceWithoutWords) {
  const Id a = add("checkout", "HighLatency", "slow", earlier(90));
  const Id b = add("checkout", "ErrorBudget", "errors", earlier(30));
  add("payments", "HighLatency", "slow", earlier(10));
  auto hits = search("checkout", "");
  ASSERT_EQ(ids(hits), (std::vector<Id>{b, a}));  // equal scores: most recently finished first
  EXPECT_DOUBLE_EQ(hits[0].score, 0.25);
  EXPECT_TRUE(search("", "").empty());
  EXPECT_TRUE(search("", "!!! ... ---").empty());
}

TEST_P(Search, SameAlertNameRanksFirst) {
  const Id other_alert = add("checkout", "ErrorRateHigh", "checkout latency p99 grew, latency latency", earlier(10));
  const Id other_service = add("payments", "CheckoutLatencyHigh", "unrelated words", earlier(20));
  const Id same = add("checkout", "CheckoutLatencyHigh", "a slow query", earlier(300));
  auto hits = search("checkout", "CheckoutLatencyHigh checkout p99 latency above 500ms");
  ASSERT_EQ(ids(hits), (std::vector<Id>{same, other_alert, other_service}));
  EXPECT_GT(hits[0].score, 0.60);  // same service and same alert
  EXPECT_LE(hits[0].score, 1.0);
  EXPECT_GT(hits[1].score, hits[2].score);
}

TEST_P(Search, AlertNameMatchesAsWordsIgnoringCaseAndPunctuation) {
  const Id id = add("api", "checkout_latency_high", "x", earlier(5));
  auto hits = search("", "[FIRING:1] Checkout-Latency-High (api)");
  ASSERT_EQ(ids(hits), std::vector<Id>{id});
  EXPECT_GT(hits[0].score, 0.35);
  auto partial = search("", "checkout latency");  // only part of the name: no same-alert bonus
  ASSERT_EQ(ids(partial), std::vector<Id>{id});
  EXPECT_LT(partial[0].score, 0.35);
}

TEST_P(Search, FtsSyntaxInWordsIsReadAsPlainWords) {
  const Id pool = add("payments", "DbPool", "connection pool exhausted", earlier(60));
  for (const char* words : {"\"pool", "pool\"", "NEAR(pool exhausted", "pool*", "-pool", "body:pool", "pool:",
                            "^pool", "pool AND", "OR pool NOT", "(pool))", "{body top_cause}: pool", "pool + \"\"",
                            "pool \xff\xfe", "pool'; DROP TABLE search_documents; --"}) {
    auto hits = run(store_->search_investigations("", words, later(), 5));
    ASSERT_TRUE(hits) << words << ": " << hits.error().describe();
    EXPECT_EQ(ids(*hits), std::vector<Id>{pool}) << words;
  }
  for (const char* words : {"\"", "*", "-", ":", "NEAR(", "AND OR NOT", "()"}) {
    auto hits = run(store_->search_investigations("payments", words, later(), 5));
    ASSERT_TRUE(hits) << words << ": " << hits.error().describe();
    ASSERT_EQ(ids(*hits), std::vector<Id>{pool}) << words;  // no word left: by service only
    EXPECT_DOUBLE_EQ((*hits)[0].score, 0.25) << words;
  }
}

TEST_P(Search, OnlyInvestigationsFinishedBeforeTheCutoff) {
  const Id old = add("checkout", "HighLatency", "slow", earlier(120));
  const Id at_cutoff = add("checkout", "HighLatency", "slow", earlier(30));
  add("checkout", "HighLatency", "slow", earlier(5));
  auto hits = run(store_->search_investigations("checkout", "HighLatency slow", earlier(30), 10));
  ASSERT_TRUE(hits);
  EXPECT_EQ(ids(*hits), std::vector<Id>{old});  // strictly before: the one at the cutoff is out
  auto wider = run(store_->search_investigations("checkout", "slow", earlier(29), 10));
  ASSERT_TRUE(wider);
  EXPECT_EQ(ids(*wider), (std::vector<Id>{at_cutoff, old}));
}

TEST_P(Search, ReindexingReplacesTheDocument) {
  const Id id = add("checkout", "HighLatency", "alpha cache miss storm", earlier(60), "Cache storm");
  SearchDocument doc;
  doc.investigation_id = id;
  doc.service = "payments";
  doc.alert_name = "ErrorRateHigh";
  doc.top_cause = "Bad config";
  doc.suspect_kind = "config";
  doc.suspect_ref = "cfg-9";
  doc.text = "beta config rollout";
  doc.finished_at = earlier(40);
  ASSERT_TRUE(run(store_->index_investigation(doc)));
  EXPECT_TRUE(search("", "alpha storm").empty());
  EXPECT_TRUE(search("checkout", "").empty());
  auto hits = search("", "beta");
  ASSERT_EQ(ids(hits), std::vector<Id>{id});
  EXPECT_EQ(hits[0].service, "payments");
  EXPECT_EQ(hits[0].alert_name, "ErrorRateHigh");
  EXPECT_EQ(hits[0].top_cause, "Bad config");
  EXPECT_EQ(hits[0].suspect_kind, "config");
  EXPECT_EQ(hits[0].suspect_ref, "cfg-9");
  EXPECT_EQ(hits[0].finished_at, earlier(40));
  EXPECT_EQ(search("payments", "").size(), 1u);
}

TEST_P(Search, FeedbackIsTheLatestHelpfulOrWrongVerdict) {
  const Id none = add("checkout", "A", "x", earlier(30));
  const Id flipped = add("checkout", "A", "x", earlier(20));
  const Id other = add("checkout", "A", "x", earlier(10));
  auto give = [&](Id id, const char* verdict) {
    FeedbackRow f;
    f.investigation_id = id;
    f.user = "U1";
    f.verdict = verdict;
    ASSERT_TRUE(run(store_->add_feedback(f)));
    clock_.advance(1s);
  };
  give(flipped, "helpful");
  give(flipped, "wrong");
  give(other, "helpful");
  give(other, "rerun");  // not a verdict on the report's quality
  auto hits = search("checkout", "");
  ASSERT_EQ(ids(hits), (std::vector<Id>{other, flipped, none}));
  EXPECT_EQ(hits[0].feedback, "helpful");
  EXPECT_EQ(hits[1].feedback, "wrong");
  EXPECT_EQ(hits[2].feedback, "");
}

TEST_P(Search, LimitBoundsTheHits) {
  for (int i = 0; i < 5; ++i) add("checkout", "A", "x", earlier(10 + i));
  EXPECT_EQ(search("checkout", "x", 3).size(), 3u);
  EXPECT_TRUE(search("checkout", "x", 0).empty());
  EXPECT_TRUE(search("checkout", "x", -1).empty());
}

TEST_P(Search, IndexingAnUnknownInvestigationIsNotFound) {
  SearchDocument doc;
  doc.investigation_id = 4242;
  doc.service = "checkout";
  doc.finished_at = earlier(1);
  auto r = run(store_->index_investigation(doc));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotFound);
  EXPECT_NE(r.error().message.find("4242"), std::string::npos);
}

}  // namespace
