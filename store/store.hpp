// Store: everything Alertbot keeps: raw inbound events, alerts and groups, investigations, their
// findings and Slack reports, feedback, deploys, and a durable job queue with leases.
// Every method suspends the calling coroutine while the backend works off the event loop (SQLite
// on its own thread), and resumes it on the caller's executor. Safe to call concurrently from any
// number of coroutines. Times written by the store ("set by the store" in records.hpp) come from
// the Clock given at open. Errors: Busy (database locked past the busy timeout), Conflict (a
// uniqueness rule or a job not leased to the caller), NotFound, Internal (any other backend error;
// the message names the statement). Cancellation does not abort a statement already started.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "store/digest_records.hpp"
#include "store/records.hpp"
#include "store/store_settings.hpp"

namespace alertbot {
class Clock;
}

namespace alertbot::store {

// How long a digest claim may stay unposted before another replica may take it over.
inline constexpr std::chrono::minutes kDigestClaimTimeout{30};

class Store {
 public:
  virtual ~Store() = default;

  // Applies every migration not yet applied (each in its own transaction) and returns the schema
  // version reached. Idempotent.
  virtual awaitable<Result<int>> migrate() = 0;
  // The applied schema version (0 for an empty database).
  virtual awaitable<Result<int>> schema_version() = 0;

  // --- Inbound events: persist first, then acknowledge. ---
  // Stores `ev` with status Received. Returns true when it is new, false when an event with the
  // same dedupe_key was already stored (a redelivery: nothing is written).
  virtual awaitable<Result<bool>> record_event(InboundEvent ev) = 0;
  // Sets the status of the event with `dedupe_key` and why (kept for people). NotFound if absent.
  virtual awaitable<Result<void>> set_event_status(std::string dedupe_key, EventStatus status, std::string note) = 0;
  virtual awaitable<Result<std::optional<InboundEventRow>>> get_event(std::string dedupe_key) = 0;
  // Events with `status` received at or before `received_before`, oldest first, at most `limit`
  // (for replaying events whose processing never finished).
  virtual awaitable<Result<std::vector<InboundEventRow>>> list_events(EventStatus status, Time received_before,
                                                                      int limit) = 0;

  // --- Alerts and groups ---
  virtual awaitable<Result<Id>> add_alert(AlertRow alert) = 0;
  // The open group with `group_key`, if any.
  virtual awaitable<Result<std::optional<AlertGroupRow>>> find_open_group(std::string group_key) = 0;
  // Creates an open group (alert_count 1, first_seen = last_seen = now). Conflict if an open group
  // with the same key exists.
  virtual awaitable<Result<AlertGroupRow>> create_group(AlertGroupRow group) = 0;
  // Counts one more alert in the group and sets last_seen = now; returns the updated row.
  virtual awaitable<Result<AlertGroupRow>> touch_group(Id group_id) = 0;
  virtual awaitable<Result<void>> close_group(Id group_id) = 0;
  // Sets where the group's thread lives (a group opened before its first message was posted).
  // NotFound if absent.
  virtual awaitable<Result<void>> set_group_thread(Id group_id, std::string channel, std::string thread_ts) = 0;
  // Records the ts of the group's counter message. NotFound when there is no such group.
  virtual awaitable<Result<void>> set_group_counter(Id group_id, std::string counter_ts) = 0;
  // The group with `group_key` closed because its alerts resolved (close_if_resolved) at or after
  // `closed_since`, reopened (status open, closed_at cleared, alert_count + 1, last_seen now): a
  // flapping alert returns to its thread. Groups closed otherwise (quiet too long, an abandoned
  // intake) are never reopened. nullopt when none. Conflict when another group with that key is open.
  virtual awaitable<Result<std::optional<AlertGroupRow>>> reopen_group(std::string group_key, Time closed_since) = 0;
  // In one transaction: when no alert counted in the open group `group_id` is still firing (the
  // latest notification of each fingerprint), closes it as resolved and returns 0; otherwise
  // returns how many still fire. -1 when the group was not open (someone else closed it).
  virtual awaitable<Result<std::int64_t>> close_if_resolved(Id group_id) = 0;
  // Resolved notifications of `fingerprint` received at or after `since` (flapping).
  virtual awaitable<Result<std::int64_t>> count_resolutions(std::string fingerprint, Time since) = 0;

  // --- Silences (/alertbot silence) ---
  virtual awaitable<Result<Id>> add_silence(SilenceRow silence) = 0;
  // The silence of `service` that lasts longest among those active at `at`, if any.
  virtual awaitable<Result<std::optional<SilenceRow>>> active_silence(std::string service, Time at) = 0;

  // --- Investigations, findings, reports, feedback ---
  virtual awaitable<Result<Id>> create_investigation(InvestigationRow inv) = 0;
  virtual awaitable<Result<std::optional<InvestigationRow>>> get_investigation(Id id) = 0;
  // Running sets started_at; Done and Failed set finished_at. `report_json` and `error` are
  // written as given (empty keeps the old value).
  virtual awaitable<Result<void>> update_investigation(Id id, InvestigationStatus status, std::string report_json,
                                                       std::string error) = 0;
  // Most recent first.
  virtual awaitable<Result<std::vector<InvestigationRow>>> recent_investigations(int limit) = 0;
  // Adds `usage` to the investigation's LLM totals (calls, tokens, cost, latency). NotFound when
  // there is no such investigation.
  virtual awaitable<Result<void>> add_llm_usage(Id investigation_id, LlmUsage usage) = 0;
  virtual awaitable<Result<Id>> add_finding(FindingRow finding) = 0;
  virtual awaitable<Result<std::vector<FindingRow>>> list_findings(Id investigation_id) = 0;
  // Inserts or replaces the report of `report.investigation_id`.
  virtual awaitable<Result<void>> put_report(ReportRow report) = 0;
  virtual awaitable<Result<std::optional<ReportRow>>> get_report(Id investigation_id) = 0;
  // The latest report posted in the thread of (channel, thread_ts): the thread's parent message
  // ts, or the report message's own ts (a reply may name either). nullopt when none.
  virtual awaitable<Result<std::optional<ReportRow>>> find_report_by_thread(std::string channel, std::string thread_ts) = 0;
  virtual awaitable<Result<Id>> add_feedback(FeedbackRow feedback) = 0;

  // --- Weekly digest (store/digest_records.hpp) ---
  // Records when the first reply (the placeholder) reached the thread; kept if already set.
  virtual awaitable<Result<void>> set_first_reply(Id investigation_id, Time at) = 0;
  // Claims the digest of `week` ("2026-W47") for `owner`: true when this caller claimed it now; false when
  // it was already claimed (by anyone) and not released. Posting is then marked with mark_digest_posted.
  // A claim neither posted nor released within kDigestClaimTimeout is taken as abandoned (its
  // owner died mid-post) and may be claimed again.
  virtual awaitable<Result<bool>> claim_digest(std::string week, std::string owner) = 0;
  // Marks the claimed digest of `week` posted now, as message (channel, message_ts). Conflict when
  // `owner` does not hold the claim or it is already posted.
  virtual awaitable<Result<void>> mark_digest_posted(std::string week, std::string owner, std::string channel,
                                                     std::string message_ts) = 0;
  // Drops `owner`'s unposted claim of `week` (its post failed) so that the next attempt can claim
  // it. Nothing happens when `owner` does not hold an unposted claim.
  virtual awaitable<Result<void>> release_digest(std::string week, std::string owner) = 0;
  // The post state of `week`, nullopt when never claimed (or released).
  virtual awaitable<Result<std::optional<DigestPost>>> get_digest(std::string week) = 0;
  // The alerts, investigations and feedback of [from, to) (see DigestData).
  virtual awaitable<Result<DigestData>> digest_data(Time from, Time to) = 0;

  // --- Similar past investigations (full-text search) ---
  // Inserts or replaces the document of doc.investigation_id. NotFound when that investigation
  // does not exist. Deleting the investigation deletes its document.
  virtual awaitable<Result<void>> index_investigation(SearchDocument doc) = 0;
  // Documents matching any word of `words` (full-text, bm25-ranked; untrusted text, never read as
  // query syntax: punctuation only separates words and every word is quoted) or whose service is
  // `service`, finished strictly before `before`, best first, at most `limit` (0 or less: none).
  // Score in 0..1: 0.40 * r/(1+r) with r = -bm25 (weighted full-text relevance, 0 for a
  // service-only match), + 0.25 when the service is `service`, + 0.35 when the document's alert
  // name occurs in `words` as a run of words (ignoring case and punctuation); ties go to the most
  // recently finished. Candidates are the 200 best full-text matches and the service's 200 most
  // recent documents. Empty `words` (or only punctuation) searches by service alone; empty both:
  // no hits.
  virtual awaitable<Result<std::vector<SearchHit>>> search_investigations(std::string service, std::string words,
                                                                          Time before, int limit) = 0;

  // --- Deploys ---
  // Conflict when (source, external_id) already exists and external_id is not empty.
  virtual awaitable<Result<Id>> add_deploy(DeployRow deploy) = 0;
  // Deploys of `service` with from <= deployed_at <= to, newest first.
  virtual awaitable<Result<std::vector<DeployRow>>> list_deploys(std::string service, Time from, Time to) = 0;

  // --- Durable job queue ---
  // Enqueues a Queued job runnable from `run_at` (nullopt: now). Returns its id.
  virtual awaitable<Result<Id>> enqueue_job(std::string kind, std::string payload,
                                            std::optional<Time> run_at = std::nullopt, int max_attempts = 3) = 0;
  // Atomically leases the oldest runnable job to `worker` until now + lease: a Queued job whose
  // run_at has come, or a Running job whose lease expired (its previous owner is presumed dead).
  // Increments attempts. nullopt when nothing is runnable. Two claimers never get the same job.
  virtual awaitable<Result<std::optional<Job>>> claim_job(std::string worker, std::chrono::milliseconds lease) = 0;
  // Extends the lease to now + lease. Conflict if `worker` no longer holds the job.
  virtual awaitable<Result<void>> heartbeat_job(Id job_id, std::string worker, std::chrono::milliseconds lease) = 0;
  // Marks the job Done. Conflict if `worker` no longer holds the job.
  virtual awaitable<Result<void>> complete_job(Id job_id, std::string worker) = 0;
  // Records `error`; the job becomes Queued again with run_at = now + retry_after, or Failed when
  // attempts reached max_attempts. Conflict if `worker` no longer holds the job.
  virtual awaitable<Result<void>> fail_job(Id job_id, std::string worker, std::string error,
                                           std::chrono::milliseconds retry_after) = 0;
  virtual awaitable<Result<std::optional<Job>>> get_job(Id job_id) = 0;
  // Jobs Queued or Running (for /metrics and status).
  virtual awaitable<Result<std::int64_t>> pending_jobs() = 0;
};

// Opens the store named by settings.url. sqlite://PATH opens (creating) a SQLite database in WAL
// mode with a busy timeout; postgresql://... (or postgres://...) connects a pool to PostgreSQL
// (store/pg_store.hpp). Does not migrate. `clock` must outlive the store. Errors: InvalidArgument
// (bad URL), Unavailable (PostgreSQL unreachable), Internal (cannot open the file).
Result<std::unique_ptr<Store>> open_store(const StoreSettings& settings, Clock& clock);

}  // namespace alertbot::store
