// Investigations, findings, reports, feedback and deploys on PostgreSQL.
#include "store/pg_ops.hpp"
#include "store/row_codec.hpp"

namespace alertbot::store::pg {
namespace {

constexpr const char* kInsertInvestigation =
    "INSERT INTO investigations (group_id, service, trigger_kind, requested_by, status, report_json, error, "
    "created_at, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
constexpr const char* kInvestigationColumns =
    "SELECT id, group_id, service, trigger_kind, requested_by, status, report_json, error, created_at, "
    "started_at, finished_at, llm_calls, llm_prompt_tokens, llm_completion_tokens, llm_cost_usd, llm_ms "
    "FROM investigations ";
// Running (re)starts the clock: started_at = now and finished_at cleared, so a re-run never shows
// the previous run's end. Done and Failed set finished_at. Empty texts keep the old value.
constexpr const char* kUpdateInvestigation =
    "UPDATE investigations SET status = $1, "
    "started_at = CASE WHEN $1 = 'running' THEN $2::bigint ELSE started_at END, "
    "finished_at = CASE WHEN $1 = 'running' THEN NULL WHEN $1 IN ('done', 'failed') THEN $2::bigint "
    "ELSE finished_at END, "
    "report_json = CASE WHEN $3 = '' THEN report_json ELSE $3 END, "
    "error = CASE WHEN $4 = '' THEN error ELSE $4 END "
    "WHERE id = $5";
constexpr const char* kInsertFinding =
    "INSERT INTO findings (investigation_id, evidence_id, kind, title, detail_json, score, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
constexpr const char* kListFindings =
    "SELECT id, investigation_id, evidence_id, kind, title, detail_json, score, created_at FROM findings "
    "WHERE investigation_id = $1 ORDER BY id";
constexpr const char* kPutReport =
    "INSERT INTO reports (investigation_id, channel, thread_ts, message_ts, state, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (investigation_id) DO UPDATE SET "
    "channel = excluded.channel, thread_ts = excluded.thread_ts, message_ts = excluded.message_ts, "
    "state = excluded.state, updated_at = excluded.updated_at";
constexpr const char* kReportColumns =
    "SELECT investigation_id, channel, thread_ts, message_ts, state, updated_at FROM reports ";
constexpr const char* kAddLlmUsage =
    "UPDATE investigations SET llm_calls = llm_calls + $2, llm_prompt_tokens = llm_prompt_tokens + $3, "
    "llm_completion_tokens = llm_completion_tokens + $4, llm_cost_usd = llm_cost_usd + $5, llm_ms = llm_ms + $6 "
    "WHERE id = $1";
constexpr const char* kInsertFeedback =
    "INSERT INTO feedback (investigation_id, user_id, verdict, comment, created_at) VALUES ($1, $2, $3, $4, $5) "
    "RETURNING id";
constexpr const char* kInsertDeploy =
    "INSERT INTO deploys (service, environment, version, previous_version, source, external_id, author, "
    "description, deployed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
constexpr const char* kListDeploys =
    "SELECT id, service, environment, version, previous_version, source, external_id, author, description, "
    "deployed_at FROM deploys WHERE service = $1 AND deployed_at >= $2 AND deployed_at <= $3 "
    "ORDER BY deployed_at DESC, id DESC";

InvestigationRow read_investigation(const pqxx::row& r) {
  InvestigationRow row;
  row.id = int64(r, 0);
  row.group_id = opt_int64(r, 1);
  row.service = text(r, 2);
  row.trigger = text(r, 3);
  row.requested_by = text(r, 4);
  row.status = investigation_status_from_text(text(r, 5));
  row.report_json = text(r, 6);
  row.error = text(r, 7);
  row.created_at = time(r, 8);
  row.started_at = opt_time(r, 9);
  row.finished_at = opt_time(r, 10);
  row.llm = LlmUsage{int64(r, 11), int64(r, 12), int64(r, 13), real(r, 14), int64(r, 15)};
  return row;
}

FindingRow read_finding(const pqxx::row& r) {
  return FindingRow{int64(r, 0), int64(r, 1), text(r, 2), text(r, 3), text(r, 4), text(r, 5), real(r, 6), time(r, 7)};
}

ReportRow read_report(const pqxx::row& r) {
  return ReportRow{int64(r, 0), text(r, 1), text(r, 2), text(r, 3), text(r, 4), time(r, 5)};
}

DeployRow read_deploy(const pqxx::row& r) {
  return DeployRow{int64(r, 0), text(r, 1), text(r, 2), text(r, 3), text(r, 4),
                   text(r, 5),  text(r, 6), text(r, 7), text(r, 8), time(r, 9)};
}

// Runs an INSERT ... RETURNING id; a foreign-key failure (NotFound) names the missing parent.
Result<Id> insert(Conn& db, const char* sql, const char* name, const Params& params, const std::string& parent) {
  auto id = in_tx(db, name, [&](Tx& tx) -> Result<Id> { return int64(tx.exec(sql, name, params)[0], 0); });
  if (!id && id.error().code == Errc::NotFound) return fail(Errc::NotFound, std::string(name) + ": no " + parent);
  return id;
}

}  // namespace

Result<Id> create_investigation(Conn& db, const InvestigationRow& inv, Time now) {
  const Params p(inv.group_id, inv.service, inv.trigger, inv.requested_by, to_text(inv.status), inv.report_json,
                 inv.error, now, inv.started_at, inv.finished_at);
  return insert(db, kInsertInvestigation, "create_investigation", p,
                "group " + std::to_string(inv.group_id.value_or(0)));
}

Result<std::optional<InvestigationRow>> get_investigation(Conn& db, Id id) {
  static const std::string kSql = std::string(kInvestigationColumns) + "WHERE id = $1";
  return select_one<InvestigationRow>(db, kSql, "get_investigation", Params(id), read_investigation);
}

Result<void> update_investigation(Conn& db, Id id, InvestigationStatus status, const std::string& report_json,
                                  const std::string& error, Time now) {
  return update_one(db, kUpdateInvestigation, "update_investigation", Params(to_text(status), now, report_json, error, id),
                    "investigation " + std::to_string(id));
}

Result<std::vector<InvestigationRow>> recent_investigations(Conn& db, int limit) {
  if (limit <= 0) return std::vector<InvestigationRow>{};
  static const std::string kSql = std::string(kInvestigationColumns) + "ORDER BY created_at DESC, id DESC LIMIT $1";
  return select_all<InvestigationRow>(db, kSql, "recent_investigations", Params(limit), read_investigation);
}

Result<Id> add_finding(Conn& db, const FindingRow& f, Time now) {
  const Params p(f.investigation_id, f.evidence_id, f.kind, f.title, f.detail_json, f.score, now);
  return insert(db, kInsertFinding, "add_finding", p, "investigation " + std::to_string(f.investigation_id));
}

Result<std::vector<FindingRow>> list_findings(Conn& db, Id investigation_id) {
  return select_all<FindingRow>(db, kListFindings, "list_findings", Params(investigation_id), read_finding);
}

Result<void> put_report(Conn& db, const ReportRow& r, Time now) {
  auto done = in_tx(db, "put_report", [&](Tx& tx) -> Result<void> {
    tx.exec(kPutReport, "put_report", Params(r.investigation_id, r.channel, r.thread_ts, r.message_ts, r.state, now));
    return {};
  });
  if (!done && done.error().code == Errc::NotFound) {
    return fail(Errc::NotFound, "put_report: no investigation " + std::to_string(r.investigation_id));
  }
  return done;
}

Result<std::optional<ReportRow>> get_report(Conn& db, Id investigation_id) {
  static const std::string kSql = std::string(kReportColumns) + "WHERE investigation_id = $1";
  return select_one<ReportRow>(db, kSql, "get_report", Params(investigation_id), read_report);
}

Result<void> add_llm_usage(Conn& db, Id investigation_id, const LlmUsage& u) {
  const Params p(investigation_id, u.calls, u.prompt_tokens, u.completion_tokens, u.cost_usd, u.latency_ms);
  return update_one(db, kAddLlmUsage, "add_llm_usage", p, "investigation " + std::to_string(investigation_id));
}

Result<std::optional<ReportRow>> find_report_by_thread(Conn& db, const std::string& channel, const std::string& thread_ts) {
  static const std::string kSql = std::string(kReportColumns) +
                                 "WHERE channel = $1 AND (thread_ts = $2 OR message_ts = $2) "
                                 "ORDER BY investigation_id DESC LIMIT 1";
  return select_one<ReportRow>(db, kSql, "find_report_by_thread", Params(channel, thread_ts), read_report);
}

Result<Id> add_feedback(Conn& db, const FeedbackRow& f, Time now) {
  const Params p(f.investigation_id, f.user, f.verdict, f.comment, now);
  return insert(db, kInsertFeedback, "add_feedback", p, "investigation " + std::to_string(f.investigation_id));
}

Result<Id> add_deploy(Conn& db, const DeployRow& d) {
  const Params p(d.service, d.environment, d.version, d.previous_version, d.source, d.external_id, d.author,
                 d.description, d.deployed_at);
  auto id = insert(db, kInsertDeploy, "add_deploy", p, "parent");
  if (!id && id.error().code == Errc::Conflict) {
    return fail(Errc::Conflict, "add_deploy: deploy '" + d.external_id + "' from '" + d.source + "' already exists");
  }
  return id;
}

Result<std::vector<DeployRow>> list_deploys(Conn& db, const std::string& service, Time from, Time to) {
  return select_all<DeployRow>(db, kListDeploys, "list_deploys", Params(service, from, to), read_deploy);
}

}  // namespace alertbot::store::pg
