// The durable job queue on SQLite. A claim is one BEGIN IMMEDIATE transaction: it holds the
// database's write lock from the SELECT of the oldest runnable job to the UPDATE that leases it,
// so claimers on other connections or processes wait (busy timeout) and then see the job leased.
// Heartbeat, complete and fail are single UPDATEs guarded by "status = 'running' AND owner = ?",
// so a worker whose lease was taken over cannot touch the job any more.
#include "store/row_codec.hpp"
#include "store/sqlite_ops.hpp"

namespace alertbot::store::sqlite {
namespace {

constexpr const char* kInsertJob =
    "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, owner, lease_until, run_at, last_error, "
    "created_at, updated_at) VALUES (?1, ?2, 'queued', 0, ?3, '', NULL, ?4, '', ?5, ?5)";
constexpr const char* kSelectJob =
    "SELECT id, kind, payload, status, attempts, max_attempts, owner, lease_until, run_at, last_error "
    "FROM jobs WHERE id = ?1";
// A job whose lease expired after its last allowed attempt is not handed out again: its worker
// died (or hung) max_attempts times, which is how a poison job looks. It fails for good, like a
// job whose worker called fail_job on its last attempt.
constexpr const char* kFailExhausted =
    "UPDATE jobs SET status = 'failed', owner = '', lease_until = NULL, updated_at = ?1, "
    "last_error = 'lease of ' || owner || ' expired on attempt ' || attempts || ' of ' || max_attempts "
    "WHERE status = 'running' AND lease_until < ?1 AND attempts >= max_attempts";
constexpr const char* kSelectRunnable =
    "SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= ?1) OR (status = 'running' AND lease_until < ?1) "
    "ORDER BY run_at, id LIMIT 1";
constexpr const char* kLease =
    "UPDATE jobs SET status = 'running', owner = ?1, lease_until = ?2, attempts = attempts + 1, updated_at = ?3 "
    "WHERE id = ?4";
constexpr const char* kHeartbeat =
    "UPDATE jobs SET lease_until = ?1, updated_at = ?2 WHERE id = ?3 AND status = 'running' AND owner = ?4";
constexpr const char* kComplete =
    "UPDATE jobs SET status = 'done', owner = '', lease_until = NULL, updated_at = ?1 "
    "WHERE id = ?2 AND status = 'running' AND owner = ?3";
constexpr const char* kFail =
    "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, "
    "run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE ?1 END, "
    "last_error = ?2, owner = '', lease_until = NULL, updated_at = ?3 "
    "WHERE id = ?4 AND status = 'running' AND owner = ?5";
constexpr const char* kPendingJobs = "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')";

Job read_job(const Stmt& s) {
  Job job;
  job.id = s.int64(0);
  job.kind = s.text(1);
  job.payload = s.text(2);
  job.status = job_status_from_text(s.text(3));
  job.attempts = s.int32(4);
  job.max_attempts = s.int32(5);
  job.owner = s.text(6);
  job.lease_until = s.opt_time(7);
  job.run_at = s.time(8);
  job.last_error = s.text(9);
  return job;
}

// Runs a statement bound to `args` that returns no rows.
template <class... Args>
Result<void> run(Db& db, const char* sql, const char* name, const Args&... args) {
  auto stmt = db.prepare(sql, name);
  if (!stmt) return stmt.error();
  return stmt->bind_all(args...).run();
}

// Id of the oldest runnable job at `now`, if any.
Result<std::optional<Id>> select_runnable(Db& db, Time now) {
  auto stmt = db.prepare(kSelectRunnable, "claim_job.select");
  if (!stmt) return stmt.error();
  stmt->bind_all(now);
  return fetch_one(*stmt, [](const Stmt& s) { return s.int64(0); });
}

// Why a guarded UPDATE of job `job_id` changed nothing: NotFound, or Conflict naming the holder.
Error not_held(Db& db, Id job_id, const std::string& worker, const char* what) {
  auto job = get_job(db, job_id);
  if (!job) return job.error();
  const std::string id = std::to_string(job_id);
  if (!*job) return fail(Errc::NotFound, std::string(what) + ": no job " + id);
  const Job& j = **job;
  return fail(Errc::Conflict, std::string(what) + ": job " + id + " is not leased to '" + worker + "' (status " +
                                  std::string(to_text(j.status)) + ", owner '" + j.owner + "')");
}

// Runs a guarded UPDATE (`... AND owner = worker`) and explains a miss with not_held().
template <class... Args>
Result<void> run_owned(Db& db, const char* sql, const char* name, Id job_id, const std::string& worker,
                       const Args&... args) {
  if (auto r = run(db, sql, name, args...); !r) return r.error();
  if (db.changes() == 0) return not_held(db, job_id, worker, name);
  return {};
}

}  // namespace

Result<Id> enqueue_job(Db& db, const std::string& kind, const std::string& payload, Time run_at, int max_attempts,
                       Time now) {
  if (max_attempts < 1) return fail(Errc::InvalidArgument, "enqueue_job: max_attempts must be at least 1");
  if (auto r = run(db, kInsertJob, "enqueue_job", kind, payload, max_attempts, run_at, now); !r) return r.error();
  return db.last_insert_id();
}

Result<std::optional<Job>> claim_job(Db& db, const std::string& worker, std::chrono::milliseconds lease, Time now) {
  if (worker.empty()) return fail(Errc::InvalidArgument, "claim_job: worker id is empty");
  auto txn = Txn::begin(db, "claim_job.begin");
  if (!txn) return txn.error();
  if (auto r = run(db, kFailExhausted, "claim_job.fail_exhausted", now); !r) return r.error();
  auto id = select_runnable(db, now);
  if (!id) return id.error();
  if (!*id) {
    if (auto r = txn->commit(); !r) return r.error();  // keeps what fail_exhausted did
    return std::optional<Job>{};
  }
  if (auto r = run(db, kLease, "claim_job.lease", worker, now + lease, now, **id); !r) return r.error();
  auto job = get_job(db, **id);
  if (!job) return job.error();
  if (auto r = txn->commit(); !r) return r.error();
  return job;
}

Result<void> heartbeat_job(Db& db, Id job_id, const std::string& worker, std::chrono::milliseconds lease, Time now) {
  return run_owned(db, kHeartbeat, "heartbeat_job", job_id, worker, now + lease, now, job_id, worker);
}

Result<void> complete_job(Db& db, Id job_id, const std::string& worker, Time now) {
  return run_owned(db, kComplete, "complete_job", job_id, worker, now, job_id, worker);
}

Result<void> fail_job(Db& db, Id job_id, const std::string& worker, const std::string& error,
                      std::chrono::milliseconds retry_after, Time now) {
  return run_owned(db, kFail, "fail_job", job_id, worker, now + retry_after, error, now, job_id, worker);
}

Result<std::optional<Job>> get_job(Db& db, Id job_id) {
  auto stmt = db.prepare(kSelectJob, "get_job");
  if (!stmt) return stmt.error();
  stmt->bind_all(job_id);
  return fetch_one(*stmt, read_job);
}

Result<std::int64_t> pending_jobs(Db& db) {
  auto stmt = db.prepare(kPendingJobs, "pending_jobs");
  if (!stmt) return stmt.error();
  auto n = fetch_one(*stmt, [](const Stmt& s) { return s.int64(0); });
  if (!n) return n.error();
  return n->value_or(0);
}

}  // namespace alertbot::store::sqlite
