// Store on both backends: migrations, inbound events, alerts and groups, investigations, findings, reports,
// feedback and deploys. The job queue has its own file (job_queue_test.cpp).
#include <cstdio>
#include <filesystem>

#include "store/migrations.hpp"
#include "store/store_url.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using alertbot::Errc;
using namespace alertbot::store;

class StoreTest : public store_test::StoreFixture {};
INSTANTIATE_STORE_SUITE(StoreTest);

int latest_version() { return sqlite::migrations().back().version; }

InvestigationRow investigation(std::string service) {
  InvestigationRow inv;
  inv.service = std::move(service);
  inv.trigger = "alert";
  return inv;
}

AlertGroupRow group_row(std::string key, std::string service = "", std::string channel = "", std::string ts = "") {
  AlertGroupRow g;
  g.group_key = std::move(key);
  g.service = std::move(service);
  g.channel = std::move(channel);
  g.thread_ts = std::move(ts);
  return g;
}

FindingRow finding(Id investigation_id, std::string evidence_id, std::string kind = "", std::string title = "",
                   double score = 0.0) {
  FindingRow f;
  f.investigation_id = investigation_id;
  f.evidence_id = std::move(evidence_id);
  f.kind = std::move(kind);
  f.title = std::move(title);
  f.score = score;
  return f;
}

FeedbackRow feedback(Id investigation_id, std::string verdict) {
  FeedbackRow f;
  f.investigation_id = investigation_id;
  f.user = "U1";
  f.verdict = std::move(verdict);
  return f;
}

DeployRow deploy(std::string service, Time at, std::string external_id = "") {
  DeployRow d;
  d.service = std::move(service);
  d.version = "v1";
  d.source = "webhook";
  d.external_id = std::move(external_id);
  d.deployed_at = at;
  return d;
}

TEST(StoreUrl, ParsesSqliteForms) {
  auto rel = parse_store_url("sqlite://data/alertbot.db");
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->backend, StoreUrl::Backend::Sqlite);
  EXPECT_EQ(rel->path, "data/alertbot.db");
  auto abs = parse_store_url("sqlite:///var/lib/alertbot/alertbot.db");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->path, "/var/lib/alertbot/alertbot.db");
  auto mem = parse_store_url("sqlite::memory:");
  ASSERT_TRUE(mem);
  EXPECT_EQ(mem->path, ":memory:");
}

TEST(StoreUrl, RejectsBadUrlsWithoutEchoingThem) {
  for (const char* url : {"", "alertbot.db", "sqlite://", "mysql://u:secret@h/db", "sqlite://x.db?mode=ro"}) {
    auto parsed = parse_store_url(url);
    ASSERT_FALSE(parsed) << url;
    EXPECT_EQ(parsed.error().code, Errc::InvalidArgument) << url;
    EXPECT_EQ(parsed.error().message.find("secret"), std::string::npos);
  }
}

TEST_P(StoreTest, OpenStoreRejectsBadUrl) {
  auto store = open_store(StoreSettings{"mysql://localhost/alertbot"}, clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::InvalidArgument);
}

TEST_P(StoreTest, MigrateFromEmptyReachesLatestVersionAndIsIdempotent) {
  auto fresh = open("fresh.db");
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(run(fresh->schema_version()).value(), 0);
  EXPECT_EQ(run(fresh->migrate()).value(), latest_version());
  EXPECT_EQ(run(fresh->schema_version()).value(), latest_version());
  EXPECT_EQ(run(fresh->migrate()).value(), latest_version());
  // A second process on the same file finds nothing to do.
  auto other = open("fresh.db");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(run(other->migrate()).value(), latest_version());
}

TEST_P(StoreTest, UseBeforeMigrateFailsWithInternal) {
  auto fresh = open("fresh.db");
  ASSERT_NE(fresh, nullptr);
  auto job = run(fresh->claim_job("w", 1s));
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().code, Errc::Internal);
  EXPECT_NE(job.error().message.find("claim_job"), std::string::npos) << job.error().message;
}

TEST_P(StoreTest, RecordEventDedupesOnKey) {
  EXPECT_TRUE(run(store_->record_event({"slack", "Ev1", "events_api", "{\"a\":1}"})).value());
  clock_.advance(1s);
  EXPECT_FALSE(run(store_->record_event({"slack", "Ev1", "events_api", "{\"a\":2}"})).value());
  auto row = run(store_->get_event("Ev1")).value();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->event.payload, "{\"a\":1}");  // the redelivery wrote nothing
  EXPECT_EQ(row->event.source, "slack");
  EXPECT_EQ(row->event.kind, "events_api");
  EXPECT_EQ(row->status, EventStatus::Received);
  EXPECT_EQ(row->received_at, now() - 1s);
  EXPECT_FALSE(run(store_->get_event("Ev2")).value());
}

TEST_P(StoreTest, ListEventsGivesUnfinishedOnesOldestFirst) {
  ASSERT_TRUE(run(store_->record_event({"slack", "Ev1", "events_api", "1"})));
  clock_.advance(1s);
  ASSERT_TRUE(run(store_->record_event({"slack", "Ev2", "events_api", "2"})));
  clock_.advance(1s);
  ASSERT_TRUE(run(store_->record_event({"slack", "Ev3", "events_api", "3"})));
  ASSERT_TRUE(run(store_->set_event_status("Ev2", EventStatus::Processed, "")));
  auto all = run(store_->list_events(EventStatus::Received, now(), 10)).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].event.dedupe_key, "Ev1");
  EXPECT_EQ(all[1].event.dedupe_key, "Ev3");
  auto older = run(store_->list_events(EventStatus::Received, now() - 1s, 10)).value();
  ASSERT_EQ(older.size(), 1u);
  EXPECT_EQ(older[0].event.dedupe_key, "Ev1");
  EXPECT_EQ(run(store_->list_events(EventStatus::Received, now(), 1)).value().size(), 1u);
}

TEST_P(StoreTest, SetEventStatusKeepsNoteAndReportsMissingKey) {
  ASSERT_TRUE(run(store_->record_event({"webhook:alertmanager", "h1", "webhook", "x"})));
  ASSERT_TRUE(run(store_->set_event_status("h1", EventStatus::Rejected, "alert: no title")));
  auto row = run(store_->get_event("h1")).value();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, EventStatus::Rejected);
  EXPECT_EQ(row->note, "alert: no title");
  auto missing = run(store_->set_event_status("nope", EventStatus::Processed, ""));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::NotFound);
}

TEST_P(StoreTest, AddAlertReturnsDistinctIds) {
  AlertRow alert;
  alert.name = "HighLatency";
  alert.starts_at = now();
  auto first = run(store_->add_alert(alert));
  alert.ends_at = now() + 5min;
  auto second = run(store_->add_alert(alert));
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);
}

TEST_P(StoreTest, OnlyOneOpenGroupPerKeyUntilClosed) {
  const AlertGroupRow group = group_row("checkout/HighLatency", "checkout", "C1", "1.2");
  auto created = run(store_->create_group(group));
  ASSERT_TRUE(created) << created.error().describe();
  EXPECT_EQ(created->alert_count, 1);
  EXPECT_EQ(created->first_seen, now());
  auto again = run(store_->create_group(group));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::Conflict);

  ASSERT_TRUE(run(store_->close_group(created->id)));
  EXPECT_FALSE(run(store_->find_open_group(group.group_key)).value());
  auto reopened = run(store_->create_group(group));
  ASSERT_TRUE(reopened) << reopened.error().describe();
  EXPECT_NE(reopened->id, created->id);
  auto found = run(store_->find_open_group(group.group_key)).value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, reopened->id);
  EXPECT_EQ(found->channel, "C1");
  EXPECT_EQ(found->thread_ts, "1.2");
}

// The incident closes when the latest notification of every fingerprint counted in it is
// resolved, once; only a group closed that way reopens.
TEST_P(StoreTest, CloseIfResolvedCountsTheGroupsAlertsAndOnlyResolvedGroupsReopen) {
  auto group = run(store_->create_group(group_row("C1|service:api", "api", "C1", "1.2")));
  ASSERT_TRUE(group);
  auto note = [&](const std::string& fingerprint, const std::string& status, std::optional<Id> in) {
    AlertRow a;
    a.source = "test";
    a.name = fingerprint;
    a.status = status;
    a.fingerprint = fingerprint;
    a.group_key = "C1|service:api";
    a.starts_at = now();
    a.group_id = in;
    ASSERT_TRUE(run(store_->add_alert(a)));
  };
  note("a", "firing", group->id);
  note("b", "firing", group->id);
  note("c", "firing", std::nullopt);  // recorded, not counted in the incident
  note("b", "resolved", group->id);
  EXPECT_EQ(run(store_->close_if_resolved(group->id)).value(), 1);  // a still fires
  note("a", "resolved", group->id);
  EXPECT_EQ(run(store_->close_if_resolved(group->id)).value(), 0);
  EXPECT_EQ(run(store_->close_if_resolved(group->id)).value(), -1) << "closed once";
  EXPECT_FALSE(run(store_->find_open_group("C1|service:api")).value());
  clock_.advance(10min);
  auto back = run(store_->reopen_group("C1|service:api", now() - 60min)).value();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, group->id);
  EXPECT_EQ(back->status, GroupStatus::Open);
  EXPECT_EQ(back->alert_count, 2);
  // A group closed for any other reason (quiet too long, abandoned) stays closed.
  ASSERT_TRUE(run(store_->close_group(back->id)));
  EXPECT_FALSE(run(store_->reopen_group("C1|service:api", now() - 60min)).value());
  // Too long ago: not reopened either.
  auto other = run(store_->create_group(group_row("C1|service:web", "web", "C1", "1.3")));
  ASSERT_TRUE(other);
  EXPECT_EQ(run(store_->close_if_resolved(other->id)).value(), 0);
  clock_.advance(61min);
  EXPECT_FALSE(run(store_->reopen_group("C1|service:web", now() - 60min)).value());
}

TEST_P(StoreTest, SilencesLastUntilTheirEnd) {
  ASSERT_TRUE(run(store_->add_silence(SilenceRow{0, "api", now() + 2h, "U1", "drill"})));
  ASSERT_TRUE(run(store_->add_silence(SilenceRow{0, "api", now() + 1h, "U2", ""})));
  auto active = run(store_->active_silence("api", now())).value();
  ASSERT_TRUE(active);
  EXPECT_EQ(active->created_by, "U1");
  EXPECT_EQ(active->reason, "drill");
  EXPECT_FALSE(run(store_->active_silence("web", now())).value());
  EXPECT_FALSE(run(store_->active_silence("api", now() + 3h)).value());
}

TEST_P(StoreTest, TouchGroupCountsAlertsAndMovesLastSeen) {
  auto group = run(store_->create_group(group_row("k", "api"))).value();
  clock_.advance(90s);
  auto touched = run(store_->touch_group(group.id));
  ASSERT_TRUE(touched);
  EXPECT_EQ(touched->alert_count, 2);
  EXPECT_EQ(touched->first_seen, group.first_seen);
  EXPECT_EQ(touched->last_seen, now());
  EXPECT_EQ(run(store_->touch_group(group.id)).value().alert_count, 3);
  auto missing = run(store_->touch_group(group.id + 100));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::NotFound);
}

TEST_P(StoreTest, CloseGroupSetsClosedAt) {
  auto group = run(store_->create_group(group_row("k"))).value();
  clock_.advance(1h);
  ASSERT_TRUE(run(store_->close_group(group.id)));
  EXPECT_FALSE(run(store_->find_open_group("k")).value());
  EXPECT_EQ(run(store_->close_group(group.id + 1)).error().code, Errc::NotFound);
}

TEST_P(StoreTest, SetGroupThreadRecordsWhereTheThreadLives) {
  auto row = group_row("hook-key");
  row.thread_ts.clear();
  auto group = run(store_->create_group(row)).value();
  ASSERT_TRUE(run(store_->set_group_thread(group.id, "C0HOOKS", "1795578000.000100")));
  auto found = run(store_->find_open_group("hook-key")).value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->channel, "C0HOOKS");
  EXPECT_EQ(found->thread_ts, "1795578000.000100");
  EXPECT_EQ(run(store_->set_group_thread(group.id + 1, "C", "1.0")).error().code, Errc::NotFound);
}

TEST_P(StoreTest, InvestigationLifecycleSetsTimes) {
  auto group = run(store_->create_group(group_row("k", "checkout"))).value();
  auto inv = investigation("checkout");
  inv.group_id = group.id;
  inv.requested_by = "U1";
  const Id id = run(store_->create_investigation(inv)).value();
  auto row = run(store_->get_investigation(id)).value();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, InvestigationStatus::Queued);
  EXPECT_EQ(row->group_id, group.id);
  EXPECT_EQ(row->trigger, "alert");
  EXPECT_EQ(row->requested_by, "U1");
  EXPECT_EQ(row->created_at, now());
  EXPECT_FALSE(row->started_at);

  clock_.advance(2s);
  ASSERT_TRUE(run(store_->update_investigation(id, InvestigationStatus::Running, "", "")));
  EXPECT_EQ(run(store_->get_investigation(id)).value()->started_at, now());
  clock_.advance(30s);
  ASSERT_TRUE(run(store_->update_investigation(id, InvestigationStatus::Done, "{\"causes\":[]}", "")));
  row = run(store_->get_investigation(id)).value();
  EXPECT_EQ(row->status, InvestigationStatus::Done);
  EXPECT_EQ(row->finished_at, now());
  EXPECT_EQ(row->report_json, "{\"causes\":[]}");
  // Empty texts keep the old values.
  ASSERT_TRUE(run(store_->update_investigation(id, InvestigationStatus::Failed, "", "llm timeout")));
  row = run(store_->get_investigation(id)).value();
  EXPECT_EQ(row->report_json, "{\"causes\":[]}");
  EXPECT_EQ(row->error, "llm timeout");

  EXPECT_FALSE(run(store_->get_investigation(id + 1)).value());
  EXPECT_EQ(run(store_->update_investigation(id + 1, InvestigationStatus::Done, "", "")).error().code,
            Errc::NotFound);
}

TEST_P(StoreTest, CreateInvestigationForMissingGroupIsNotFound) {
  auto inv = investigation("api");
  inv.group_id = 42;
  auto id = run(store_->create_investigation(inv));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, Errc::NotFound);
}

TEST_P(StoreTest, RecentInvestigationsAreNewestFirstAndLimited) {
  for (const char* service : {"a", "b", "c"}) {
    ASSERT_TRUE(run(store_->create_investigation(investigation(service))));
    clock_.advance(1s);
  }
  auto recent = run(store_->recent_investigations(2)).value();
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].service, "c");
  EXPECT_EQ(recent[1].service, "b");
  EXPECT_TRUE(run(store_->recent_investigations(0)).value().empty());
}

TEST_P(StoreTest, FindingsAreListedInInsertionOrder) {
  const Id inv = run(store_->create_investigation(investigation("api"))).value();
  const Id other = run(store_->create_investigation(investigation("web"))).value();
  ASSERT_TRUE(run(store_->add_finding(finding(inv, "m1", "onset", "", 0.9))));
  ASSERT_TRUE(run(store_->add_finding(finding(other, "x1"))));
  ASSERT_TRUE(run(store_->add_finding(finding(inv, "d1", "deploy", "v2"))));
  auto findings = run(store_->list_findings(inv)).value();
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].evidence_id, "m1");
  EXPECT_DOUBLE_EQ(findings[0].score, 0.9);
  EXPECT_EQ(findings[0].created_at, now());
  EXPECT_EQ(findings[1].evidence_id, "d1");
  EXPECT_EQ(findings[1].title, "v2");
  auto orphan = run(store_->add_finding(finding(999, "m1")));
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, Errc::NotFound);
}

TEST_P(StoreTest, PutReportReplacesTheInvestigationsReport) {
  const Id inv = run(store_->create_investigation(investigation("api"))).value();
  EXPECT_FALSE(run(store_->get_report(inv)).value());
  ASSERT_TRUE(run(store_->put_report({inv, "C1", "100.1", "100.2", "placeholder", {}})));
  clock_.advance(5s);
  ASSERT_TRUE(run(store_->put_report({inv, "C1", "100.1", "100.2", "final", {}})));
  auto report = run(store_->get_report(inv)).value();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, "final");
  EXPECT_EQ(report->channel, "C1");
  EXPECT_EQ(report->thread_ts, "100.1");
  EXPECT_EQ(report->message_ts, "100.2");
  EXPECT_EQ(report->updated_at, now());
  EXPECT_EQ(run(store_->put_report({inv + 1, "C1", "1", "2", "final", {}})).error().code, Errc::NotFound);
}

TEST_P(StoreTest, FindReportByThreadTakesTheParentOrTheReportsOwnTs) {
  const Id first = run(store_->create_investigation(investigation("api"))).value();
  const Id rerun = run(store_->create_investigation(investigation("api"))).value();
  ASSERT_TRUE(run(store_->put_report({first, "C1", "100.1", "100.2", "final", {}})));
  ASSERT_TRUE(run(store_->put_report({rerun, "C1", "100.1", "100.9", "final", {}})));
  auto by_parent = run(store_->find_report_by_thread("C1", "100.1")).value();
  ASSERT_TRUE(by_parent);
  EXPECT_EQ(by_parent->investigation_id, rerun) << "the latest report of the thread";
  auto by_own = run(store_->find_report_by_thread("C1", "100.2")).value();
  ASSERT_TRUE(by_own);
  EXPECT_EQ(by_own->investigation_id, first);
  EXPECT_FALSE(run(store_->find_report_by_thread("C2", "100.1")).value());
  EXPECT_FALSE(run(store_->find_report_by_thread("C1", "999.1")).value());
}

TEST_P(StoreTest, LlmUsageAddsUpPerInvestigation) {
  const Id inv = run(store_->create_investigation(investigation("api"))).value();
  EXPECT_EQ(run(store_->get_investigation(inv)).value()->llm.calls, 0);
  ASSERT_TRUE(run(store_->add_llm_usage(inv, {2, 1200, 300, 0.0042, 1800})));
  ASSERT_TRUE(run(store_->add_llm_usage(inv, {3, 5000, 200, 0.01, 4200})));
  auto row = run(store_->get_investigation(inv)).value();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->llm.calls, 5);
  EXPECT_EQ(row->llm.prompt_tokens, 6200);
  EXPECT_EQ(row->llm.completion_tokens, 500);
  EXPECT_NEAR(row->llm.cost_usd, 0.0142, 1e-12);
  EXPECT_EQ(row->llm.latency_ms, 6000);
  EXPECT_EQ(run(store_->recent_investigations(1)).value().at(0).llm.prompt_tokens, 6200);
  EXPECT_EQ(run(store_->add_llm_usage(inv + 1, {1, 1, 1, 0, 1})).error().code, Errc::NotFound);
}

TEST_P(StoreTest, AddFeedbackNeedsAnInvestigation) {
  const Id inv = run(store_->create_investigation(investigation("api"))).value();
  EXPECT_TRUE(run(store_->add_feedback(feedback(inv, "helpful"))));
  EXPECT_EQ(run(store_->add_feedback(feedback(inv + 1, "wrong"))).error().code,
            Errc::NotFound);
}

TEST_P(StoreTest, ListDeploysReturnsTheWindowNewestFirst) {
  const Time t0 = now();
  ASSERT_TRUE(run(store_->add_deploy(deploy("checkout", t0 - 2h))));
  ASSERT_TRUE(run(store_->add_deploy(deploy("checkout", t0 - 30min))));
  ASSERT_TRUE(run(store_->add_deploy(deploy("checkout", t0 - 10min))));
  ASSERT_TRUE(run(store_->add_deploy(deploy("checkout", t0))));
  ASSERT_TRUE(run(store_->add_deploy(deploy("search", t0 - 20min))));
  auto deploys = run(store_->list_deploys("checkout", t0 - 1h, t0)).value();
  ASSERT_EQ(deploys.size(), 3u);  // both ends inclusive
  EXPECT_EQ(deploys[0].deployed_at, t0);
  EXPECT_EQ(deploys[1].deployed_at, t0 - 10min);
  EXPECT_EQ(deploys[2].deployed_at, t0 - 30min);
  EXPECT_EQ(deploys[0].service, "checkout");
  EXPECT_EQ(deploys[0].source, "webhook");
}

TEST_P(StoreTest, AddDeployConflictsOnSourceAndExternalId) {
  ASSERT_TRUE(run(store_->add_deploy(deploy("api", now(), "gh-1"))));
  auto dup = run(store_->add_deploy(deploy("api", now(), "gh-1")));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::Conflict);
  auto other_source = deploy("api", now(), "gh-1");
  other_source.source = "github";
  EXPECT_TRUE(run(store_->add_deploy(other_source)));
  // Deploys without an external id never conflict.
  EXPECT_TRUE(run(store_->add_deploy(deploy("api", now()))));
  EXPECT_TRUE(run(store_->add_deploy(deploy("api", now()))));
}

}  // namespace
