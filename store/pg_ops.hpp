// The PostgreSQL backend's operations as plain synchronous functions over a Conn, one per Store
// method (store/store.hpp has the contracts), with the same signatures as the SQLite backend's
// (store/sqlite_ops.hpp) so that BackendStore drives both. PgStore runs them on its database
// threads; `now` is the store Clock's system_now() read when the call was made. Each function is
// one transaction (READ COMMITTED), so it can be retried whole after Errc::Busy.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/result.hpp"
#include "store/digest_records.hpp"
#include "store/pg_conn.hpp"
#include "store/records.hpp"

namespace alertbot::store::pg {

// --- Schema (pg_migrations.cpp): the SQLite migrations in PostgreSQL's dialect. ---
Result<int> schema_version(Conn& db);
// Applies every migration not applied yet under an advisory lock (replicas starting together
// migrate one after another), recording `now`; returns the version reached.
Result<int> migrate(Conn& db, Time now);

// --- Inbound events, alerts and groups (pg_events.cpp) ---
Result<bool> record_event(Conn& db, const InboundEvent& ev, Time now);
Result<void> set_event_status(Conn& db, const std::string& dedupe_key, EventStatus status, const std::string& note);
Result<std::optional<InboundEventRow>> get_event(Conn& db, const std::string& dedupe_key);
Result<std::vector<InboundEventRow>> list_events(Conn& db, EventStatus status, Time received_before, int limit);
Result<Id> add_alert(Conn& db, const AlertRow& alert, Time now);
Result<std::optional<AlertGroupRow>> find_open_group(Conn& db, const std::string& group_key);
Result<AlertGroupRow> create_group(Conn& db, AlertGroupRow group, Time now);
Result<AlertGroupRow> touch_group(Conn& db, Id group_id, Time now);
Result<void> close_group(Conn& db, Id group_id, Time now);
Result<void> set_group_thread(Conn& db, Id group_id, const std::string& channel, const std::string& thread_ts);
Result<void> set_group_counter(Conn& db, Id group_id, const std::string& counter_ts);
Result<std::optional<AlertGroupRow>> reopen_group(Conn& db, const std::string& group_key, Time closed_since, Time now);
Result<std::int64_t> close_if_resolved(Conn& db, Id group_id, Time now);
Result<std::int64_t> count_resolutions(Conn& db, const std::string& fingerprint, Time since);
Result<Id> add_silence(Conn& db, const SilenceRow& silence, Time now);
Result<std::optional<SilenceRow>> active_silence(Conn& db, const std::string& service, Time at);

// --- Investigations, findings, reports, feedback, deploys (pg_investigations.cpp) ---
Result<Id> create_investigation(Conn& db, const InvestigationRow& inv, Time now);
Result<std::optional<InvestigationRow>> get_investigation(Conn& db, Id id);
Result<void> update_investigation(Conn& db, Id id, InvestigationStatus status, const std::string& report_json,
                                  const std::string& error, Time now);
Result<std::vector<InvestigationRow>> recent_investigations(Conn& db, int limit);
Result<Id> add_finding(Conn& db, const FindingRow& finding, Time now);
Result<std::vector<FindingRow>> list_findings(Conn& db, Id investigation_id);
Result<void> put_report(Conn& db, const ReportRow& report, Time now);
Result<std::optional<ReportRow>> get_report(Conn& db, Id investigation_id);
Result<void> add_llm_usage(Conn& db, Id investigation_id, const LlmUsage& usage);
Result<std::optional<ReportRow>> find_report_by_thread(Conn& db, const std::string& channel, const std::string& thread_ts);
Result<Id> add_feedback(Conn& db, const FeedbackRow& feedback, Time now);
Result<Id> add_deploy(Conn& db, const DeployRow& deploy);
Result<std::vector<DeployRow>> list_deploys(Conn& db, const std::string& service, Time from, Time to);

// --- Weekly digest (pg_digest.cpp) ---
Result<void> set_first_reply(Conn& db, Id investigation_id, Time at);
Result<bool> claim_digest(Conn& db, const std::string& week, const std::string& owner, Time now);
Result<void> mark_digest_posted(Conn& db, const std::string& week, const std::string& owner, const std::string& channel,
                                const std::string& message_ts, Time now);
Result<void> release_digest(Conn& db, const std::string& week, const std::string& owner);
Result<std::optional<DigestPost>> get_digest(Conn& db, const std::string& week);
Result<DigestData> digest_data(Conn& db, Time from, Time to);

// --- Similar-incident search (pg_search.cpp) ---
Result<void> index_investigation(Conn& db, const SearchDocument& doc);
Result<std::vector<SearchHit>> search_investigations(Conn& db, const std::string& service, const std::string& words,
                                                     Time before, int limit);

// --- Job queue (pg_jobs.cpp) ---
Result<Id> enqueue_job(Conn& db, const std::string& kind, const std::string& payload, Time run_at, int max_attempts,
                       Time now);
Result<std::optional<Job>> claim_job(Conn& db, const std::string& worker, std::chrono::milliseconds lease, Time now);
Result<void> heartbeat_job(Conn& db, Id job_id, const std::string& worker, std::chrono::milliseconds lease, Time now);
Result<void> complete_job(Conn& db, Id job_id, const std::string& worker, Time now);
Result<void> fail_job(Conn& db, Id job_id, const std::string& worker, const std::string& error,
                      std::chrono::milliseconds retry_after, Time now);
Result<std::optional<Job>> get_job(Conn& db, Id job_id);
Result<std::int64_t> pending_jobs(Conn& db);

}  // namespace alertbot::store::pg
