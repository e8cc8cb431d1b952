// Rows of the store's tables as plain values. Times are std::chrono::system_clock time points,
// stored as integer milliseconds since the Unix epoch (portable to SQLite and PostgreSQL).
// JSON columns hold serialised JSON text; the store never interprets them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace alertbot::store {

using Time = std::chrono::system_clock::time_point;
using Id = std::int64_t;

// One delivery from outside (Slack envelope, webhook body), kept before it is acknowledged.
struct InboundEvent {
  std::string source;      // "slack" | "webhook:alertmanager" | ... (free text, for people)
  std::string dedupe_key;  // unique per delivery: Slack event_id / envelope_id, or a body hash
  std::string kind;        // "events_api" | "slash_commands" | "interactive" | "webhook" | ...
  std::string payload;     // the raw bytes as received
};

enum class EventStatus { Received, Processed, Ignored, Rejected };

struct InboundEventRow {
  Id id = 0;
  InboundEvent event;
  EventStatus status = EventStatus::Received;
  std::string note;  // why it was ignored or rejected ("alert: no title")
  Time received_at;
};

struct AlertRow {
  Id id = 0;
  std::string source;       // alertmanager | alertmanager-slack | grafana | ...
  std::string name;         // alertname
  std::string status;       // firing | resolved
  std::string severity;
  std::string service;
  std::string fingerprint;
  std::string group_key;
  std::string labels_json;       // {"k":"v",...}
  std::string annotations_json;  // {"k":"v",...}
  Time starts_at;
  std::optional<Time> ends_at;
  std::string event_key;  // InboundEvent::dedupe_key it came from (may be empty)
  std::optional<Id> group_id;  // the incident it was counted in (none: recorded only)
  Time received_at;       // set by the store
};

enum class GroupStatus { Open, Closed };

// One incident: alerts sharing a group key within a window share one thread and investigation.
struct AlertGroupRow {
  Id id = 0;
  std::string group_key;
  std::string service;
  GroupStatus status = GroupStatus::Open;
  std::string channel;    // where the thread lives (may be empty for webhook-only alerts)
  std::string thread_ts;  // the alert message the thread hangs off
  std::int64_t alert_count = 0;
  Time first_seen;
  Time last_seen;
  std::optional<Time> closed_at;
  std::string counter_ts;  // the thread's "fired N times" message, updated in place ("" until posted)
};

// A service whose alerts are recorded but not investigated until `until` (/alertbot silence).
struct SilenceRow {
  Id id = 0;
  std::string service;
  Time until;
  std::string created_by;  // Slack user id
  std::string reason;
};

enum class InvestigationStatus { Queued, Running, Done, Failed };

// What the models cost an investigation: its explanation and every follow-up in its thread.
struct LlmUsage {
  std::int64_t calls = 0;  // model steps (an explanation with a repair is 2)
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  double cost_usd = 0;
  std::int64_t latency_ms = 0;  // time spent waiting for the models
};

struct InvestigationRow {
  Id id = 0;
  std::optional<Id> group_id;
  std::string service;
  std::string trigger;       // "alert" | "command" | "mention" | "cli"
  std::string requested_by;  // Slack user id or empty
  InvestigationStatus status = InvestigationStatus::Queued;
  std::string report_json;   // the final report (contract.md shape); empty until done
  std::string error;         // why it failed
  Time created_at;           // set by the store
  std::optional<Time> started_at;
  std::optional<Time> finished_at;
  LlmUsage llm;  // set by the store (add_llm_usage)
};

struct FindingRow {
  Id id = 0;
  Id investigation_id = 0;
  std::string evidence_id;  // stable id cited by causes ("m1", "d2")
  std::string kind;         // onset | before_after | deploy | ...
  std::string title;
  std::string detail_json;
  double score = 0.0;
  Time created_at;  // set by the store
};

// The Slack message that shows an investigation: at most one per investigation.
struct ReportRow {
  Id investigation_id = 0;
  std::string channel;
  std::string thread_ts;   // parent message
  std::string message_ts;  // the bot's reply that is updated in place
  std::string state;       // placeholder | progress | final
  Time updated_at;         // set by the store
};

struct FeedbackRow {
  Id id = 0;
  Id investigation_id = 0;
  std::string user;
  std::string verdict;  // helpful | wrong | ...
  std::string comment;
  Time created_at;  // set by the store
};

struct DeployRow {
  Id id = 0;
  std::string service;
  std::string environment;
  std::string version;       // revision, tag or image
  std::string previous_version;
  std::string source;        // webhook | github | argocd
  std::string external_id;   // id at the source; (source, external_id) is unique when set
  std::string author;
  std::string description;
  Time deployed_at;
};

// A finished investigation as the similar-incident search indexes it (one per investigation).
struct SearchDocument {
  Id investigation_id = 0;
  std::string service;
  std::string alert_name;    // "" for on-demand investigations
  std::string top_cause;     // title of its first cause, "" when it abstained
  std::string suspect_kind;  // of that cause
  std::string suspect_ref;
  std::string text;          // summaries of causes and findings, free text
  Time finished_at;
};

// One answer of the similar-incident search.
struct SearchHit {
  Id investigation_id = 0;
  std::string service;
  std::string alert_name;
  std::string top_cause;
  std::string suspect_kind;
  std::string suspect_ref;
  std::string feedback;  // the latest helpful|wrong verdict given on it, "" when none
  Time finished_at;
  double score = 0.0;    // 0..1, higher is closer (see Store::search_investigations)
};

enum class JobStatus { Queued, Running, Done, Failed };

struct Job {
  Id id = 0;
  std::string kind;     // "investigate" | ...
  std::string payload;  // JSON, interpreted by the worker for `kind`
  JobStatus status = JobStatus::Queued;
  int attempts = 0;       // claims so far, this one included
  int max_attempts = 3;   // after this many failures the job is Failed for good
  std::string owner;      // worker id holding the lease
  std::optional<Time> lease_until;
  Time run_at;            // not claimable before this
  std::string last_error;
};

}  // namespace alertbot::store
