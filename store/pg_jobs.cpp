// The durable job queue on PostgreSQL. A claim is one transaction that picks the oldest runnable
// job with FOR UPDATE SKIP LOCKED and leases it in the same statement: claimers on other
// connections or replicas skip rows being claimed instead of waiting for them, so N replicas
// polling the queue never hand out one job twice and never queue up behind each other.
// Heartbeat, complete and fail are single UPDATEs guarded by "status = 'running' AND owner = $",
// so a worker whose lease was taken over cannot touch the job any more.
#include "store/pg_ops.hpp"
#include "store/row_codec.hpp"

namespace alertbot::store::pg {
namespace {

constexpr const char* kJobColumns =
    "id, kind, payload, status, attempts, max_attempts, owner, lease_until, run_at, last_error";
constexpr const char* kInsertJob =
    "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, owner, lease_until, run_at, last_error, "
    "created_at, updated_at) VALUES ($1, $2, 'queued', 0, $3, '', NULL, $4, '', $5, $5) RETURNING id";
// A job whose lease expired after its last allowed attempt is not handed out again: its worker
// died (or hung) max_attempts times, which is how a poison job looks. It fails for good.
constexpr const char* kFailExhausted =
    "UPDATE jobs SET status = 'failed', owner = '', lease_until = NULL, updated_at = $1, "
    "last_error = 'lease of ' || owner || ' expired on attempt ' || attempts || ' of ' || max_attempts "
    "WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_until < $1 AND attempts >= max_attempts "
    "FOR UPDATE SKIP LOCKED)";
constexpr const char* kHeartbeat =
    "UPDATE jobs SET lease_until = $1, updated_at = $2 WHERE id = $3 AND status = 'running' AND owner = $4";
constexpr const char* kComplete =
    "UPDATE jobs SET status = 'done', owner = '', lease_until = NULL, updated_at = $1 "
    "WHERE id = $2 AND status = 'running' AND owner = $3";
constexpr const char* kFail =
    "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, "
    "run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE $1::bigint END, "
    "last_error = $2, owner = '', lease_until = NULL, updated_at = $3 "
    "WHERE id = $4 AND status = 'running' AND owner = $5";
constexpr const char* kPendingJobs = "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')";

const std::string& claim_sql() {
  // The runnable set is two index ranges (queued by run_at, running by lease_until); the inner
  // SELECT locks the first row nobody else is claiming right now.
  static const std::string kSql =
      "UPDATE jobs SET status = 'running', owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3 "
      "WHERE id = (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $3) "
      "OR (status = 'running' AND lease_until < $3) ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
      "RETURNING " +
      std::string(kJobColumns);
  return kSql;
}

const std::string& select_job_sql() {
  static const std::string kSql = "SELECT " + std::string(kJobColumns) + " FROM jobs WHERE id = $1";
  return kSql;
}

Job read_job(const pqxx::row& r) {
  Job job;
  job.id = int64(r, 0);
  job.kind = text(r, 1);
  job.payload = text(r, 2);
  job.status = job_status_from_text(text(r, 3));
  job.attempts = static_cast<int>(int64(r, 4));
  job.max_attempts = static_cast<int>(int64(r, 5));
  job.owner = text(r, 6);
  job.lease_until = opt_time(r, 7);
  job.run_at = time(r, 8);
  job.last_error = text(r, 9);
  return job;
}

// Runs a guarded UPDATE (`... AND owner = worker`); a miss is explained as NotFound, or Conflict
// naming the job's current holder.
Result<void> run_owned(Conn& db, const char* sql, const char* name, Id job_id, const std::string& worker,
                       const Params& params) {
  return in_tx(db, name, [&](Tx& tx) -> Result<void> {
    if (Tx::changed(tx.exec(sql, name, params)) == 1) return {};
    auto job = read_first(tx.exec(select_job_sql().c_str(), name, Params(job_id)), read_job);
    const std::string id = std::to_string(job_id);
    if (!job) return fail(Errc::NotFound, std::string(name) + ": no job " + id);
    return fail(Errc::Conflict, std::string(name) + ": job " + id + " is not leased to '" + worker + "' (status " +
                                    std::string(to_text(job->status)) + ", owner '" + job->owner + "')");
  });
}

}  // namespace

Result<Id> enqueue_job(Conn& db, const std::string& kind, const std::string& payload, Time run_at, int max_attempts,
                       Time now) {
  if (max_attempts < 1) return fail(Errc::InvalidArgument, "enqueue_job: max_attempts must be at least 1");
  return in_tx(db, "enqueue_job", [&](Tx& tx) -> Result<Id> {
    return int64(tx.exec(kInsertJob, "enqueue_job", Params(kind, payload, max_attempts, run_at, now))[0], 0);
  });
}

Result<std::optional<Job>> claim_job(Conn& db, const std::string& worker, std::chrono::milliseconds lease, Time now) {
  if (worker.empty()) return fail(Errc::InvalidArgument, "claim_job: worker id is empty");
  return in_tx(db, "claim_job", [&](Tx& tx) -> Result<std::optional<Job>> {
    tx.exec(kFailExhausted, "claim_job.fail_exhausted", Params(now));
    return read_first(tx.exec(claim_sql().c_str(), "claim_job.lease", Params(worker, now + lease, now)), read_job);
  });
}

Result<void> heartbeat_job(Conn& db, Id job_id, const std::string& worker, std::chrono::milliseconds lease, Time now) {
  return run_owned(db, kHeartbeat, "heartbeat_job", job_id, worker, Params(now + lease, now, job_id, worker));
}

Result<void> complete_job(Conn& db, Id job_id, const std::string& worker, Time now) {
  return run_owned(db, kComplete, "complete_job", job_id, worker, Params(now, job_id, worker));
}

Result<void> fail_job(Conn& db, Id job_id, const std::string& worker, const std::string& error,
                      std::chrono::milliseconds retry_after, Time now) {
  return run_owned(db, kFail, "fail_job", job_id, worker, Params(now + retry_after, error, now, job_id, worker));
}

Result<std::optional<Job>> get_job(Conn& db, Id job_id) {
  return select_one<Job>(db, select_job_sql(), "get_job", Params(job_id), read_job);
}

Result<std::int64_t> pending_jobs(Conn& db) {
  return in_tx(db, "pending_jobs", [&](Tx& tx) -> Result<std::int64_t> {
    return int64(tx.exec(kPendingJobs, "pending_jobs")[0], 0);
  });
}

}  // namespace alertbot::store::pg
