#include "store/migrations.hpp"

#include <array>
#include <string>

namespace alertbot::store::sqlite {
namespace {

// Written in the subset SQLite and PostgreSQL share (TEXT, INTEGER, BIGINT, DOUBLE PRECISION,
// CHECK, partial unique indexes), so the PostgreSQL backend can mirror it with only the id
// columns changed (INTEGER PRIMARY KEY is SQLite's rowid; PostgreSQL wants BIGINT GENERATED ...
// AS IDENTITY). Times are BIGINT milliseconds since the Unix epoch.
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE inbound_events (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('received', 'processed', 'ignored', 'rejected')),
  note TEXT NOT NULL DEFAULT '',
  received_at BIGINT NOT NULL
);
CREATE INDEX inbound_events_received_at ON inbound_events (received_at);
CREATE INDEX inbound_events_status ON inbound_events (status, received_at);

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  severity TEXT NOT NULL,
  service TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  group_key TEXT NOT NULL,
  labels_json TEXT NOT NULL,
  annotations_json TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT,
  event_key TEXT NOT NULL,
  received_at BIGINT NOT NULL
);
CREATE INDEX alerts_fingerprint ON alerts (fingerprint, starts_at);
CREATE INDEX alerts_service ON alerts (service, starts_at);

CREATE TABLE alert_groups (
  id INTEGER PRIMARY KEY,
  group_key TEXT NOT NULL,
  service TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  channel TEXT NOT NULL,
  thread_ts TEXT NOT NULL,
  alert_count BIGINT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  closed_at BIGINT
);
-- At most one open group per key; closed groups keep their key for history.
CREATE UNIQUE INDEX alert_groups_one_open ON alert_groups (group_key) WHERE status = 'open';

CREATE TABLE investigations (
  id INTEGER PRIMARY KEY,
  group_id BIGINT REFERENCES alert_groups (id),
  service TEXT NOT NULL,
  trigger_kind TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  report_json TEXT NOT NULL,
  error TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX investigations_created_at ON investigations (created_at);
CREATE INDEX investigations_group ON investigations (group_id);

CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  investigation_id BIGINT NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
  evidence_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  detail_json TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX findings_investigation ON findings (investigation_id);

-- The Slack message showing an investigation: one per investigation.
CREATE TABLE reports (
  investigation_id BIGINT PRIMARY KEY REFERENCES investigations (id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  thread_ts TEXT NOT NULL,
  message_ts TEXT NOT NULL,
  state TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX reports_thread ON reports (channel, thread_ts);

CREATE TABLE feedback (
  id INTEGER PRIMARY KEY,
  investigation_id BIGINT NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  verdict TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX feedback_investigation ON feedback (investigation_id);

CREATE TABLE deploys (
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  environment TEXT NOT NULL,
  version TEXT NOT NULL,
  previous_version TEXT NOT NULL,
  source TEXT NOT NULL,
  external_id TEXT NOT NULL,
  author TEXT NOT NULL,
  description TEXT NOT NULL,
  deployed_at BIGINT NOT NULL
);
CREATE INDEX deploys_service_time ON deploys (service, deployed_at);
CREATE UNIQUE INDEX deploys_external ON deploys (source, external_id) WHERE external_id <> '';

-- The durable job queue. owner and lease_until are set only while status = 'running'.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  owner TEXT NOT NULL,
  lease_until BIGINT,
  run_at BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_runnable ON jobs (status, run_at);
)sql";

// The similar-incident search. SQLite only: FTS5 has no PostgreSQL twin (that backend would keep
// the same search_documents table with a tsvector column and ts_rank). search_documents holds one
// row per finished investigation; search_index is an external-content FTS5 index over its text
// columns, kept in step by the triggers (so deleting an investigation cascades into the index).
// alert_key is alert_name in the search's own word form (" lower case words "), see
// sqlite_search.cpp.
constexpr const char* kSearchSchema = R"sql(
CREATE TABLE search_documents (
  investigation_id INTEGER PRIMARY KEY REFERENCES investigations (id) ON DELETE CASCADE,
  service TEXT NOT NULL,
  alert_name TEXT NOT NULL,
  alert_key TEXT NOT NULL,
  top_cause TEXT NOT NULL,
  suspect_kind TEXT NOT NULL,
  suspect_ref TEXT NOT NULL,
  body TEXT NOT NULL,
  finished_at BIGINT NOT NULL
);
CREATE INDEX search_documents_service ON search_documents (service, finished_at);

CREATE VIRTUAL TABLE search_index USING fts5 (
  alert_name, top_cause, suspect_ref, body,
  content = 'search_documents', content_rowid = 'investigation_id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER search_documents_insert AFTER INSERT ON search_documents BEGIN
  INSERT INTO search_index (rowid, alert_name, top_cause, suspect_ref, body)
  VALUES (new.investigation_id, new.alert_name, new.top_cause, new.suspect_ref, new.body);
END;
CREATE TRIGGER search_documents_delete AFTER DELETE ON search_documents BEGIN
  INSERT INTO search_index (search_index, rowid, alert_name, top_cause, suspect_ref, body)
  VALUES ('delete', old.investigation_id, old.alert_name, old.top_cause, old.suspect_ref, old.body);
END;
CREATE TRIGGER search_documents_update AFTER UPDATE ON search_documents BEGIN
  INSERT INTO search_index (search_index, rowid, alert_name, top_cause, suspect_ref, body)
  VALUES ('delete', old.investigation_id, old.alert_name, old.top_cause, old.suspect_ref, old.body);
  INSERT INTO search_index (rowid, alert_name, top_cause, suspect_ref, body)
  VALUES (new.investigation_id, new.alert_name, new.top_cause, new.suspect_ref, new.body);
END;
)sql";

// What the models cost each investigation (explanation and follow-ups), for the report footer
// and the weekly digest.
constexpr const char* kLlmUsageSchema = R"sql(
ALTER TABLE investigations ADD COLUMN llm_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE investigations ADD COLUMN llm_prompt_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE investigations ADD COLUMN llm_completion_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE investigations ADD COLUMN llm_cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE investigations ADD COLUMN llm_ms BIGINT NOT NULL DEFAULT 0;
)sql";

// Storms and flapping: the thread's counter message, silences, and the indexes the incident
// queries need.
constexpr const char* kIncidentSchema = R"sql(
ALTER TABLE alert_groups ADD COLUMN counter_ts TEXT NOT NULL DEFAULT '';
ALTER TABLE alert_groups ADD COLUMN close_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN group_id BIGINT REFERENCES alert_groups (id);
CREATE INDEX alert_groups_closed ON alert_groups (group_key, closed_at);
CREATE INDEX alerts_group ON alerts (group_id, fingerprint, id);
CREATE INDEX alerts_fingerprint_received ON alerts (fingerprint, received_at);
CREATE TABLE silences (
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  until_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX silences_service ON silences (service, until_at);
)sql";

// The weekly digest: one row per week, claimed by the replica that posts it (the primary key makes
// the claim atomic across replicas), and when each investigation's first reply reached Slack.
constexpr const char* kDigestSchema = R"sql(
CREATE TABLE digests (
  week TEXT PRIMARY KEY,
  claimed_by TEXT NOT NULL,
  claimed_at BIGINT NOT NULL,
  posted_at BIGINT,
  channel TEXT NOT NULL DEFAULT '',
  message_ts TEXT NOT NULL DEFAULT ''
);
ALTER TABLE investigations ADD COLUMN first_reply_at BIGINT;
CREATE INDEX alerts_received_at ON alerts (received_at);
CREATE INDEX feedback_created_at ON feedback (created_at);
)sql";

constexpr std::array<Migration, 5> kMigrations{{
    {1, "initial schema: events, alerts, groups, investigations, findings, reports, feedback, deploys, jobs",
     kInitialSchema},
    {2, "similar-incident search: search_documents and its FTS5 index", kSearchSchema},
    {3, "LLM usage per investigation: calls, tokens, cost, latency", kLlmUsageSchema},
    {4, "weekly digest: digest claims and investigations.first_reply_at", kDigestSchema},
    {5, "incidents: counter messages, silences, alert indexes", kIncidentSchema},
}};

constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)";
constexpr const char* kHasVersionTable =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
constexpr const char* kMaxVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
constexpr const char* kIsApplied = "SELECT COUNT(*) FROM schema_migrations WHERE version = ?1";
constexpr const char* kRecordVersion = "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)";

Result<std::int64_t> count(Db& db, const char* sql, const char* name, std::optional<std::int64_t> arg = {}) {
  auto stmt = db.prepare(sql, name);
  if (!stmt) return stmt.error();
  if (arg) stmt->bind_all(*arg);
  auto n = fetch_one(*stmt, [](const Stmt& s) { return s.int64(0); });
  if (!n) return n.error();
  return n->value_or(0);
}

// Applies `m` unless it is already recorded (another process may have applied it since we looked).
Result<void> apply(Db& db, const Migration& m, Time now) {
  auto txn = Txn::begin(db, "migrate.begin");
  if (!txn) return txn.error();
  auto applied = count(db, kIsApplied, "migrate.is_applied", m.version);
  if (!applied) return applied.error();
  if (*applied > 0) return {};
  const std::string name = "migration " + std::to_string(m.version);
  if (auto r = db.exec(m.sql, name.c_str()); !r) return r.error();
  auto record = db.prepare(kRecordVersion, "migrate.record");
  if (!record) return record.error();
  if (auto r = record->bind_all(m.version, now).run(); !r) return r.error();
  return txn->commit();
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

Result<int> schema_version(Db& db) {
  auto has_table = count(db, kHasVersionTable, "schema_version.has_table");
  if (!has_table) return has_table.error();
  if (*has_table == 0) return 0;
  auto version = count(db, kMaxVersion, "schema_version");
  if (!version) return version.error();
  return static_cast<int>(*version);
}

Result<int> migrate(Db& db, Time now) {
  if (auto r = db.exec(kCreateVersionTable, "migrate.version_table"); !r) return r.error();
  auto current = schema_version(db);
  if (!current) return current.error();
  for (const Migration& m : kMigrations) {
    if (m.version <= *current) continue;
    if (auto r = apply(db, m, now); !r) return r.error();
  }
  return schema_version(db);
}

}  // namespace alertbot::store::sqlite
