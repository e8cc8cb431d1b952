// The weekly digest's part of the Store (migration 4), on both backends: first replies, the per-week claim shared
// by replicas (claim, post, release, abandoned claims), and digest_data's window and joins.
#include <string>

#include "tests/unit/store/store_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using alertbot::Errc;
using namespace alertbot::store;

class DigestStore : public store_test::StoreFixture {
 protected:
  Id add_investigation(std::string service, std::optional<Id> group = std::nullopt, std::string trigger = "alert") {
    InvestigationRow inv;
    inv.service = std::move(service);
    inv.trigger = std::move(trigger);
    inv.group_id = group;
    auto id = run(store_->create_investigation(inv));
    EXPECT_TRUE(id) << id.error().describe();
    return id.value();
  }

  void add_alert(std::string name, std::string status, std::string fingerprint, std::string group_key) {
    AlertRow a;
    a.source = "alertmanager";
    a.name = std::move(name);
    a.status = std::move(status);
    a.severity = "critical";
    a.service = "checkout";
    a.fingerprint = std::move(fingerprint);
    a.group_key = std::move(group_key);
    a.labels_json = "{}";
    a.annotations_json = "{}";
    a.starts_at = now() - 1h;
    auto id = run(store_->add_alert(a));
    ASSERT_TRUE(id) << id.error().describe();
  }
};
INSTANTIATE_STORE_SUITE(DigestStore);

TEST_P(DigestStore, FirstReplyIsKeptOnceSet) {
  const Id id = add_investigation("checkout");
  const Time first = now() + 2s;
  ASSERT_TRUE(run(store_->set_first_reply(id, first)));
  ASSERT_TRUE(run(store_->set_first_reply(id, first + 1min)));
  auto data = run(store_->digest_data(now() - 1h, now() + 1h));
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->investigations.size(), 1u);
  EXPECT_EQ(data->investigations[0].first_reply_at, first);
}

TEST_P(DigestStore, FirstReplyOfAMissingInvestigationIsNotFound) {
  auto r = run(store_->set_first_reply(999, now()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotFound);
}

TEST_P(DigestStore, OnlyOneReplicaClaimsAWeekAndPostingIsRecorded) {
  auto other = open("alertbot.db");
  ASSERT_NE(other, nullptr);
  EXPECT_TRUE(run(store_->claim_digest("2026-W47", "a")).value());
  EXPECT_FALSE(run(other->claim_digest("2026-W47", "b")).value());
  EXPECT_FALSE(run(store_->claim_digest("2026-W47", "a")).value());  // not twice, not even by its owner
  EXPECT_TRUE(run(other->claim_digest("2026-W48", "b")).value());    // other weeks are independent

  auto wrong_owner = run(other->mark_digest_posted("2026-W47", "b", "C1", "1.2"));
  ASSERT_FALSE(wrong_owner);
  EXPECT_EQ(wrong_owner.error().code, Errc::Conflict);
  ASSERT_TRUE(run(store_->mark_digest_posted("2026-W47", "a", "C1", "1.2")));
  auto post = run(store_->get_digest("2026-W47")).value();
  ASSERT_TRUE(post);
  EXPECT_EQ(post->claimed_by, "a");
  EXPECT_EQ(post->posted_at, now());
  EXPECT_EQ(post->channel, "C1");
  EXPECT_EQ(post->message_ts, "1.2");
  // Posted: never claimable again, not even long after.
  clock_.advance(48h);
  EXPECT_FALSE(run(other->claim_digest("2026-W47", "b")).value());
  EXPECT_FALSE(run(store_->mark_digest_posted("2026-W47", "a", "C1", "1.3")));
}

TEST_P(DigestStore, ReleasedClaimCanBeClaimedAgain) {
  EXPECT_TRUE(run(store_->claim_digest("2026-W47", "a")).value());
  ASSERT_TRUE(run(store_->release_digest("2026-W47", "b")));  // not b's: nothing happens
  EXPECT_FALSE(run(store_->claim_digest("2026-W47", "b")).value());
  ASSERT_TRUE(run(store_->release_digest("2026-W47", "a")));
  EXPECT_FALSE(run(store_->get_digest("2026-W47")).value());
  EXPECT_TRUE(run(store_->claim_digest("2026-W47", "b")).value());
}

TEST_P(DigestStore, AbandonedClaimIsTakenOverAfterTheTimeout) {
  EXPECT_TRUE(run(store_->claim_digest("2026-W47", "a")).value());
  clock_.advance(kDigestClaimTimeout - 1s);
  EXPECT_FALSE(run(store_->claim_digest("2026-W47", "b")).value());
  clock_.advance(2s);
  EXPECT_TRUE(run(store_->claim_digest("2026-W47", "b")).value());
  EXPECT_EQ(run(store_->get_digest("2026-W47")).value()->claimed_by, "b");
  // a's late post is refused: b holds the claim now.
  EXPECT_FALSE(run(store_->mark_digest_posted("2026-W47", "a", "C1", "1.2")));
}

TEST_P(DigestStore, DigestDataReadsTheWindowWithGroupsAndSearchDocuments) {
  auto group = run(store_->create_group(AlertGroupRow{.group_key = "g1", .service = "checkout"}));
  ASSERT_TRUE(group) << group.error().describe();
  add_alert("Before", "firing", "f0", "g0");
  const Time from = now() + 1s;
  clock_.advance(1s);
  add_alert("CheckoutLatencyHigh", "firing", "f1", "g1");
  const Id inv = add_investigation("checkout", group->id);
  SearchDocument doc;
  doc.investigation_id = inv;
  doc.service = "checkout";
  doc.alert_name = "CheckoutLatencyHigh";
  doc.top_cause = "deploy v2 raised latency";
  doc.suspect_kind = "deploy";
  doc.suspect_ref = "deploy-4121";
  doc.finished_at = now();
  ASSERT_TRUE(run(store_->index_investigation(doc)));
  ASSERT_TRUE(run(store_->update_investigation(inv, InvestigationStatus::Done, "{}", "")));
  ASSERT_TRUE(run(store_->add_llm_usage(inv, LlmUsage{2, 100, 50, 0.25, 900})));
  ASSERT_TRUE(run(store_->add_feedback(FeedbackRow{.investigation_id = inv, .user = "U1", .verdict = "helpful"})));
  const Id manual = add_investigation("payments", std::nullopt, "command");
  const Time to = now() + 1s;
  clock_.advance(1s);
  add_alert("After", "firing", "f2", "g2");

  auto data = run(store_->digest_data(from, to));
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(data->alerts.size(), 1u);
  EXPECT_EQ(data->alerts[0].name, "CheckoutLatencyHigh");
  EXPECT_EQ(data->alerts[0].fingerprint, "f1");
  EXPECT_EQ(data->alerts[0].group_key, "g1");
  ASSERT_EQ(data->investigations.size(), 2u);
  const auto& i = data->investigations[0];
  EXPECT_EQ(i.id, inv);
  EXPECT_EQ(i.group_key, "g1");
  EXPECT_EQ(i.status, InvestigationStatus::Done);
  EXPECT_TRUE(i.finished_at);
  EXPECT_FALSE(i.first_reply_at);
  EXPECT_EQ(i.alert_name, "CheckoutLatencyHigh");
  EXPECT_EQ(i.top_cause, "deploy v2 raised latency");
  EXPECT_EQ(i.suspect_kind, "deploy");
  EXPECT_EQ(i.suspect_ref, "deploy-4121");
  EXPECT_EQ(i.llm.calls, 2);
  EXPECT_DOUBLE_EQ(i.llm.cost_usd, 0.25);
  EXPECT_EQ(data->investigations[1].id, manual);
  EXPECT_EQ(data->investigations[1].group_key, "");
  EXPECT_EQ(data->investigations[1].trigger, "command");
  ASSERT_EQ(data->feedback.size(), 1u);
  EXPECT_EQ(data->feedback[0].investigation_id, inv);
  EXPECT_EQ(data->feedback[0].verdict, "helpful");
}

}  // namespace
