// The weekly digest on SQLite: first replies, the per-week claim, and the digest's reads.
#include <utility>

#include "store/row_codec.hpp"
#include "store/sqlite_ops.hpp"
#include "store/store.hpp"

namespace alertbot::store::sqlite {
namespace {

constexpr const char* kSetFirstReply =
    "UPDATE investigations SET first_reply_at = COALESCE(first_reply_at, ?2) WHERE id = ?1";

// A new claim, or the takeover of an abandoned one (unposted and claimed before ?4).
constexpr const char* kClaimDigest =
    "INSERT INTO digests (week, claimed_by, claimed_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (week) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at "
    "WHERE digests.posted_at IS NULL AND digests.claimed_at < ?4";
constexpr const char* kMarkDigestPosted =
    "UPDATE digests SET posted_at = ?3, channel = ?4, message_ts = ?5 "
    "WHERE week = ?1 AND claimed_by = ?2 AND posted_at IS NULL";
constexpr const char* kReleaseDigest = "DELETE FROM digests WHERE week = ?1 AND claimed_by = ?2 AND posted_at IS NULL";
constexpr const char* kGetDigest =
    "SELECT week, claimed_by, claimed_at, posted_at, channel, message_ts FROM digests WHERE week = ?1";

constexpr const char* kDigestAlerts =
    "SELECT name, service, severity, status, fingerprint, group_key, starts_at, received_at FROM alerts "
    "WHERE received_at >= ?1 AND received_at < ?2 ORDER BY received_at, id";
constexpr const char* kDigestInvestigations =
    "SELECT i.id, i.service, i.trigger_kind, COALESCE(g.group_key, ''), i.status, i.created_at, i.first_reply_at, "
    "i.finished_at, COALESCE(d.alert_name, ''), COALESCE(d.top_cause, ''), COALESCE(d.suspect_kind, ''), "
    "COALESCE(d.suspect_ref, ''), i.llm_calls, i.llm_prompt_tokens, i.llm_completion_tokens, i.llm_cost_usd, i.llm_ms "
    "FROM investigations i LEFT JOIN alert_groups g ON g.id = i.group_id "
    "LEFT JOIN search_documents d ON d.investigation_id = i.id "
    "WHERE i.created_at >= ?1 AND i.created_at < ?2 ORDER BY i.created_at, i.id";
constexpr const char* kDigestFeedback =
    "SELECT investigation_id, user_id, verdict, created_at, comment FROM feedback "
    "WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id";

DigestAlert read_alert(const Stmt& s) {
  return DigestAlert{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.time(6), s.time(7)};
}

DigestInvestigation read_investigation(const Stmt& s) {
  DigestInvestigation row;
  row.id = s.int64(0);
  row.service = s.text(1);
  row.trigger = s.text(2);
  row.group_key = s.text(3);
  row.status = investigation_status_from_text(s.text(4));
  row.created_at = s.time(5);
  row.first_reply_at = s.opt_time(6);
  row.finished_at = s.opt_time(7);
  row.alert_name = s.text(8);
  row.top_cause = s.text(9);
  row.suspect_kind = s.text(10);
  row.suspect_ref = s.text(11);
  row.llm = LlmUsage{s.int64(12), s.int64(13), s.int64(14), s.real(15), s.int64(16)};
  return row;
}

DigestFeedback read_feedback(const Stmt& s) {
  return DigestFeedback{s.int64(0), s.text(1), s.text(2), s.time(3), s.text(4)};
}

DigestPost read_post(const Stmt& s) {
  return DigestPost{s.text(0), s.text(1), s.time(2), s.opt_time(3), s.text(4), s.text(5)};
}

template <class Read>
auto read_window(Db& db, const char* sql, const char* name, Time from, Time to, Read read)
    -> Result<std::vector<decltype(read(std::declval<const Stmt&>()))>> {
  auto stmt = db.prepare(sql, name);
  if (!stmt) return stmt.error();
  stmt->bind_all(from, to);
  return fetch_all(*stmt, read);
}

}  // namespace

Result<void> set_first_reply(Db& db, Id investigation_id, Time at) {
  auto stmt = db.prepare(kSetFirstReply, "set_first_reply");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(investigation_id, at).run(); !r) return r.error();
  if (db.changes() == 0) {
    return fail(Errc::NotFound, "set_first_reply: no investigation " + std::to_string(investigation_id));
  }
  return {};
}

Result<bool> claim_digest(Db& db, const std::string& week, const std::string& owner, Time now) {
  auto stmt = db.prepare(kClaimDigest, "claim_digest");
  if (!stmt) return stmt.error();
  const Time abandoned_before = now - kDigestClaimTimeout;
  if (auto r = stmt->bind_all(week, owner, now, abandoned_before).run(); !r) return r.error();
  return db.changes() > 0;
}

Result<void> mark_digest_posted(Db& db, const std::string& week, const std::string& owner, const std::string& channel,
                                const std::string& message_ts, Time now) {
  auto stmt = db.prepare(kMarkDigestPosted, "mark_digest_posted");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(week, owner, now, channel, message_ts).run(); !r) return r.error();
  if (db.changes() == 0) {
    return fail(Errc::Conflict, "mark_digest_posted: " + owner + " holds no unposted claim of " + week);
  }
  return {};
}

Result<void> release_digest(Db& db, const std::string& week, const std::string& owner) {
  auto stmt = db.prepare(kReleaseDigest, "release_digest");
  if (!stmt) return stmt.error();
  return stmt->bind_all(week, owner).run();
}

Result<std::optional<DigestPost>> get_digest(Db& db, const std::string& week) {
  auto stmt = db.prepare(kGetDigest, "get_digest");
  if (!stmt) return stmt.error();
  stmt->bind_all(week);
  return fetch_one(*stmt, read_post);
}

Result<DigestData> digest_data(Db& db, Time from, Time to) {
  DigestData data;
  auto alerts = read_window(db, kDigestAlerts, "digest_data.alerts", from, to, read_alert);
  if (!alerts) return alerts.error();
  data.alerts = std::move(*alerts);
  auto investigations = read_window(db, kDigestInvestigations, "digest_data.investigations", from, to, read_investigation);
  if (!investigations) return investigations.error();
  data.investigations = std::move(*investigations);
  auto feedback = read_window(db, kDigestFeedback, "digest_data.feedback", from, to, read_feedback);
  if (!feedback) return feedback.error();
  data.feedback = std::move(*feedback);
  return data;
}

}  // namespace alertbot::store::sqlite
