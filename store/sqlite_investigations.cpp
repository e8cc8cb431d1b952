// Investigations, findings, reports, feedback and deploys on SQLite.
#include "store/row_codec.hpp"
#include "store/sqlite_ops.hpp"

namespace alertbot::store::sqlite {
namespace {

constexpr const char* kInsertInvestigation =
    "INSERT INTO investigations (group_id, service, trigger_kind, requested_by, status, report_json, error, "
    "created_at, started_at, finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr const char* kSelectInvestigation =
    "SELECT id, group_id, service, trigger_kind, requested_by, status, report_json, error, created_at, "
    "started_at, finished_at, llm_calls, llm_prompt_tokens, llm_completion_tokens, llm_cost_usd, llm_ms FROM investigations WHERE id = ?1";
constexpr const char* kRecentInvestigations =
    "SELECT id, group_id, service, trigger_kind, requested_by, status, report_json, error, created_at, "
    "started_at, finished_at, llm_calls, llm_prompt_tokens, llm_completion_tokens, llm_cost_usd, llm_ms FROM investigations ORDER BY created_at DESC, id DESC LIMIT ?1";
// Running (re)starts the clock: started_at = now and finished_at cleared, so a re-run never shows
// the previous run's end. Done and Failed set finished_at. Empty texts keep the old value.
constexpr const char* kUpdateInvestigation =
    "UPDATE investigations SET status = ?1, "
    "started_at = CASE WHEN ?1 = 'running' THEN ?2 ELSE started_at END, "
    "finished_at = CASE WHEN ?1 = 'running' THEN NULL WHEN ?1 IN ('done', 'failed') THEN ?2 "
    "ELSE finished_at END, "
    "report_json = CASE WHEN ?3 = '' THEN report_json ELSE ?3 END, "
    "error = CASE WHEN ?4 = '' THEN error ELSE ?4 END "
    "WHERE id = ?5";

constexpr const char* kInsertFinding =
    "INSERT INTO findings (investigation_id, evidence_id, kind, title, detail_json, score, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kListFindings =
    "SELECT id, investigation_id, evidence_id, kind, title, detail_json, score, created_at FROM findings "
    "WHERE investigation_id = ?1 ORDER BY id";

constexpr const char* kPutReport =
    "INSERT INTO reports (investigation_id, channel, thread_ts, message_ts, state, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (investigation_id) DO UPDATE SET "
    "channel = excluded.channel, thread_ts = excluded.thread_ts, message_ts = excluded.message_ts, "
    "state = excluded.state, updated_at = excluded.updated_at";
constexpr const char* kGetReport =
    "SELECT investigation_id, channel, thread_ts, message_ts, state, updated_at FROM reports "
    "WHERE investigation_id = ?1";

constexpr const char* kAddLlmUsage =
    "UPDATE investigations SET llm_calls = llm_calls + ?2, llm_prompt_tokens = llm_prompt_tokens + ?3, "
    "llm_completion_tokens = llm_completion_tokens + ?4, llm_cost_usd = llm_cost_usd + ?5, llm_ms = llm_ms + ?6 "
    "WHERE id = ?1";

constexpr const char* kFindReportByThread =
    "SELECT investigation_id, channel, thread_ts, message_ts, state, updated_at FROM reports "
    "WHERE channel = ?1 AND (thread_ts = ?2 OR message_ts = ?2) ORDER BY investigation_id DESC LIMIT 1";

constexpr const char* kInsertFeedback =
    "INSERT INTO feedback (investigation_id, user_id, verdict, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";

constexpr const char* kInsertDeploy =
    "INSERT INTO deploys (service, environment, version, previous_version, source, external_id, author, "
    "description, deployed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kListDeploys =
    "SELECT id, service, environment, version, previous_version, source, external_id, author, description, "
    "deployed_at FROM deploys WHERE service = ?1 AND deployed_at >= ?2 AND deployed_at <= ?3 "
    "ORDER BY deployed_at DESC, id DESC";

InvestigationRow read_investigation(const Stmt& s) {
  InvestigationRow row;
  row.id = s.int64(0);
  row.group_id = s.opt_int64(1);
  row.service = s.text(2);
  row.trigger = s.text(3);
  row.requested_by = s.text(4);
  row.status = investigation_status_from_text(s.text(5));
  row.report_json = s.text(6);
  row.error = s.text(7);
  row.created_at = s.time(8);
  row.started_at = s.opt_time(9);
  row.finished_at = s.opt_time(10);
  row.llm = LlmUsage{s.int64(11), s.int64(12), s.int64(13), s.real(14), s.int64(15)};
  return row;
}

FindingRow read_finding(const Stmt& s) {
  return FindingRow{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.real(6), s.time(7)};
}

ReportRow read_report(const Stmt& s) {
  return ReportRow{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.time(5)};
}

DeployRow read_deploy(const Stmt& s) {
  return DeployRow{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4),
                   s.text(5),  s.text(6), s.text(7), s.text(8), s.time(9)};
}

// Rewrites a foreign-key failure (NotFound) as a message naming the missing parent row.
Error missing_parent(Error e, const char* what, const std::string& parent) {
  if (e.code == Errc::NotFound) e.message = std::string(what) + ": no " + parent;
  return e;
}

// Runs an INSERT bound to `args` and returns the new row's id.
template <class... Args>
Result<Id> insert(Db& db, const char* sql, const char* name, const Args&... args) {
  auto stmt = db.prepare(sql, name);
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(args...).run(); !r) return r.error();
  return db.last_insert_id();
}

}  // namespace

Result<Id> create_investigation(Db& db, const InvestigationRow& inv, Time now) {
  auto id = insert(db, kInsertInvestigation, "create_investigation", inv.group_id, inv.service, inv.trigger,
                   inv.requested_by, to_text(inv.status), inv.report_json, inv.error, now, inv.started_at,
                   inv.finished_at);
  if (!id) {
    return missing_parent(id.error(), "create_investigation", "group " + std::to_string(inv.group_id.value_or(0)));
  }
  return id;
}

Result<std::optional<InvestigationRow>> get_investigation(Db& db, Id id) {
  auto stmt = db.prepare(kSelectInvestigation, "get_investigation");
  if (!stmt) return stmt.error();
  stmt->bind_all(id);
  return fetch_one(*stmt, read_investigation);
}

Result<void> update_investigation(Db& db, Id id, InvestigationStatus status, const std::string& report_json,
                                  const std::string& error, Time now) {
  auto stmt = db.prepare(kUpdateInvestigation, "update_investigation");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(to_text(status), now, report_json, error, id).run(); !r) return r.error();
  if (db.changes() == 0) return fail(Errc::NotFound, "update_investigation: no investigation " + std::to_string(id));
  return {};
}

Result<std::vector<InvestigationRow>> recent_investigations(Db& db, int limit) {
  if (limit <= 0) return std::vector<InvestigationRow>{};  // SQLite reads LIMIT -1 as "no limit"
  auto stmt = db.prepare(kRecentInvestigations, "recent_investigations");
  if (!stmt) return stmt.error();
  stmt->bind_all(limit);
  return fetch_all(*stmt, read_investigation);
}

Result<Id> add_finding(Db& db, const FindingRow& f, Time now) {
  auto id = insert(db, kInsertFinding, "add_finding", f.investigation_id, f.evidence_id, f.kind, f.title,
                   f.detail_json, f.score, now);
  if (!id) return missing_parent(id.error(), "add_finding", "investigation " + std::to_string(f.investigation_id));
  return id;
}

Result<std::vector<FindingRow>> list_findings(Db& db, Id investigation_id) {
  auto stmt = db.prepare(kListFindings, "list_findings");
  if (!stmt) return stmt.error();
  stmt->bind_all(investigation_id);
  return fetch_all(*stmt, read_finding);
}

Result<void> put_report(Db& db, const ReportRow& r, Time now) {
  auto stmt = db.prepare(kPutReport, "put_report");
  if (!stmt) return stmt.error();
  auto done = stmt->bind_all(r.investigation_id, r.channel, r.thread_ts, r.message_ts, r.state, now).run();
  if (!done) return missing_parent(done.error(), "put_report", "investigation " + std::to_string(r.investigation_id));
  return {};
}

Result<std::optional<ReportRow>> get_report(Db& db, Id investigation_id) {
  auto stmt = db.prepare(kGetReport, "get_report");
  if (!stmt) return stmt.error();
  stmt->bind_all(investigation_id);
  return fetch_one(*stmt, read_report);
}

Result<void> add_llm_usage(Db& db, Id investigation_id, const LlmUsage& u) {
  auto stmt = db.prepare(kAddLlmUsage, "add_llm_usage");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(investigation_id, u.calls, u.prompt_tokens, u.completion_tokens, u.cost_usd, u.latency_ms).run(); !r) {
    return r.error();
  }
  if (db.changes() == 0) return fail(Errc::NotFound, "add_llm_usage: no investigation " + std::to_string(investigation_id));
  return {};
}

Result<std::optional<ReportRow>> find_report_by_thread(Db& db, const std::string& channel, const std::string& thread_ts) {
  auto stmt = db.prepare(kFindReportByThread, "find_report_by_thread");
  if (!stmt) return stmt.error();
  stmt->bind_all(channel, thread_ts);
  return fetch_one(*stmt, read_report);
}

Result<Id> add_feedback(Db& db, const FeedbackRow& f, Time now) {
  auto id = insert(db, kInsertFeedback, "add_feedback", f.investigation_id, f.user, f.verdict, f.comment, now);
  if (!id) return missing_parent(id.error(), "add_feedback", "investigation " + std::to_string(f.investigation_id));
  return id;
}

Result<Id> add_deploy(Db& db, const DeployRow& d) {
  auto id = insert(db, kInsertDeploy, "add_deploy", d.service, d.environment, d.version, d.previous_version,
                   d.source, d.external_id, d.author, d.description, d.deployed_at);
  if (!id && id.error().code == Errc::Conflict) {
    return fail(Errc::Conflict, "add_deploy: deploy '" + d.external_id + "' from '" + d.source + "' already exists");
  }
  return id;
}

Result<std::vector<DeployRow>> list_deploys(Db& db, const std::string& service, Time from, Time to) {
  auto stmt = db.prepare(kListDeploys, "list_deploys");
  if (!stmt) return stmt.error();
  stmt->bind_all(service, from, to);
  return fetch_all(*stmt, read_deploy);
}

}  // namespace alertbot::store::sqlite
