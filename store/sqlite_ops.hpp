// The SQLite backend's operations as plain synchronous functions over a Db, one per Store method
// (store/store.hpp has the contracts). SqliteStore runs them on its database thread; `now` is the
// store Clock's system_now() read when the call was made. Each function is one statement or one
// BEGIN IMMEDIATE transaction, so it can be retried whole after Errc::Busy.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"
#include "store/digest_records.hpp"
#include "store/records.hpp"
#include "store/sqlite_db.hpp"

namespace alertbot::store::sqlite {

// --- Inbound events, alerts and groups (sqlite_events.cpp) ---
Result<bool> record_event(Db& db, const InboundEvent& ev, Time now);
Result<void> set_event_status(Db& db, const std::string& dedupe_key, EventStatus status, const std::string& note);
Result<std::optional<InboundEventRow>> get_event(Db& db, const std::string& dedupe_key);
Result<std::vector<InboundEventRow>> list_events(Db& db, EventStatus status, Time received_before, int limit);
Result<Id> add_alert(Db& db, const AlertRow& alert, Time now);
Result<std::optional<AlertGroupRow>> find_open_group(Db& db, const std::string& group_key);
Result<AlertGroupRow> create_group(Db& db, AlertGroupRow group, Time now);
Result<AlertGroupRow> touch_group(Db& db, Id group_id, Time now);
Result<void> close_group(Db& db, Id group_id, Time now);
Result<void> set_group_thread(Db& db, Id group_id, const std::string& channel, const std::string& thread_ts);
Result<void> set_group_counter(Db& db, Id group_id, const std::string& counter_ts);
Result<std::optional<AlertGroupRow>> reopen_group(Db& db, const std::string& group_key, Time closed_since, Time now);
Result<std::int64_t> close_if_resolved(Db& db, Id group_id, Time now);
Result<std::int64_t> count_resolutions(Db& db, const std::string& fingerprint, Time since);
Result<Id> add_silence(Db& db, const SilenceRow& silence, Time now);
Result<std::optional<SilenceRow>> active_silence(Db& db, const std::string& service, Time at);

// --- Investigations, findings, reports, feedback, deploys (sqlite_investigations.cpp) ---
Result<Id> create_investigation(Db& db, const InvestigationRow& inv, Time now);
Result<std::optional<InvestigationRow>> get_investigation(Db& db, Id id);
Result<void> update_investigation(Db& db, Id id, InvestigationStatus status, const std::string& report_json,
                                  const std::string& error, Time now);
Result<std::vector<InvestigationRow>> recent_investigations(Db& db, int limit);
Result<Id> add_finding(Db& db, const FindingRow& finding, Time now);
Result<std::vector<FindingRow>> list_findings(Db& db, Id investigation_id);
Result<void> put_report(Db& db, const ReportRow& report, Time now);
Result<std::optional<ReportRow>> get_report(Db& db, Id investigation_id);
Result<void> add_llm_usage(Db& db, Id investigation_id, const LlmUsage& usage);
Result<std::optional<ReportRow>> find_report_by_thread(Db& db, const std::string& channel, const std::string& thread_ts);
Result<Id> add_feedback(Db& db, const FeedbackRow& feedback, Time now);
Result<Id> add_deploy(Db& db, const DeployRow& deploy);
Result<std::vector<DeployRow>> list_deploys(Db& db, const std::string& service, Time from, Time to);

// --- Weekly digest (sqlite_digest.cpp) ---
Result<void> set_first_reply(Db& db, Id investigation_id, Time at);
Result<bool> claim_digest(Db& db, const std::string& week, const std::string& owner, Time now);
Result<void> mark_digest_posted(Db& db, const std::string& week, const std::string& owner, const std::string& channel,
                                const std::string& message_ts, Time now);
Result<void> release_digest(Db& db, const std::string& week, const std::string& owner);
Result<std::optional<DigestPost>> get_digest(Db& db, const std::string& week);
Result<DigestData> digest_data(Db& db, Time from, Time to);

// --- Similar-incident search (sqlite_search.cpp) ---
Result<void> index_investigation(Db& db, const SearchDocument& doc);
Result<std::vector<SearchHit>> search_investigations(Db& db, const std::string& service, const std::string& words,
                                                     Time before, int limit);
// The FTS5 MATCH expression for untrusted `words`: every run of ASCII letters and digits (bytes
// of 0x80 and up count as letters) becomes one double-quoted FTS5 string, lower case, joined by
// OR; everything else only separates words. The FTS5 keywords (and, or, not, near), repeats and
// words over 64 bytes are dropped, and at most 32 words are kept. "" when no word is left.
std::string fts5_query(std::string_view words);

// --- Job queue (sqlite_jobs.cpp) ---
Result<Id> enqueue_job(Db& db, const std::string& kind, const std::string& payload, Time run_at, int max_attempts,
                       Time now);
Result<std::optional<Job>> claim_job(Db& db, const std::string& worker, std::chrono::milliseconds lease, Time now);
Result<void> heartbeat_job(Db& db, Id job_id, const std::string& worker, std::chrono::milliseconds lease, Time now);
Result<void> complete_job(Db& db, Id job_id, const std::string& worker, Time now);
Result<void> fail_job(Db& db, Id job_id, const std::string& worker, const std::string& error,
                      std::chrono::milliseconds retry_after, Time now);
Result<std::optional<Job>> get_job(Db& db, Id job_id);
Result<std::int64_t> pending_jobs(Db& db);

}  // namespace alertbot::store::sqlite
