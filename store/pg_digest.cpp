// The weekly digest on PostgreSQL: first replies, the per-week claim (serialised by an advisory
// lock per week, so replicas racing for the same week queue on the lock and the loser sees the
// winner's claim), and the digest's reads.
#include <utility>

#include "store/pg_ops.hpp"
#include "store/row_codec.hpp"
#include "store/store.hpp"

namespace alertbot::store::pg {
namespace {

constexpr const char* kSetFirstReply =
    "UPDATE investigations SET first_reply_at = COALESCE(first_reply_at, $2) WHERE id = $1";
// Held until the transaction ends; keyed by the week's name in the namespace of digest claims.
constexpr const char* kLockWeek = "SELECT pg_advisory_xact_lock(hashtext('alertbot.digest'), hashtext($1))";
// A new claim, or the takeover of an abandoned one (unposted and claimed before $4).
constexpr const char* kClaimDigest =
    "INSERT INTO digests (week, claimed_by, claimed_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (week) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at "
    "WHERE digests.posted_at IS NULL AND digests.claimed_at < $4";
constexpr const char* kMarkDigestPosted =
    "UPDATE digests SET posted_at = $3, channel = $4, message_ts = $5 "
    "WHERE week = $1 AND claimed_by = $2 AND posted_at IS NULL";
constexpr const char* kReleaseDigest = "DELETE FROM digests WHERE week = $1 AND claimed_by = $2 AND posted_at IS NULL";
constexpr const char* kGetDigest =
    "SELECT week, claimed_by, claimed_at, posted_at, channel, message_ts FROM digests WHERE week = $1";
constexpr const char* kDigestAlerts =
    "SELECT name, service, severity, status, fingerprint, group_key, starts_at, received_at FROM alerts "
    "WHERE received_at >= $1 AND received_at < $2 ORDER BY received_at, id";
constexpr const char* kDigestInvestigations =
    "SELECT i.id, i.service, i.trigger_kind, COALESCE(g.group_key, ''), i.status, i.created_at, i.first_reply_at, "
    "i.finished_at, COALESCE(d.alert_name, ''), COALESCE(d.top_cause, ''), COALESCE(d.suspect_kind, ''), "
    "COALESCE(d.suspect_ref, ''), i.llm_calls, i.llm_prompt_tokens, i.llm_completion_tokens, i.llm_cost_usd, i.llm_ms "
    "FROM investigations i LEFT JOIN alert_groups g ON g.id = i.group_id "
    "LEFT JOIN search_documents d ON d.investigation_id = i.id "
    "WHERE i.created_at >= $1 AND i.created_at < $2 ORDER BY i.created_at, i.id";
constexpr const char* kDigestFeedback =
    "SELECT investigation_id, user_id, verdict, created_at, comment FROM feedback "
    "WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id";

DigestAlert read_alert(const pqxx::row& r) {
  return DigestAlert{text(r, 0), text(r, 1), text(r, 2), text(r, 3), text(r, 4), text(r, 5), time(r, 6), time(r, 7)};
}

DigestInvestigation read_investigation(const pqxx::row& r) {
  DigestInvestigation row;
  row.id = int64(r, 0);
  row.service = text(r, 1);
  row.trigger = text(r, 2);
  row.group_key = text(r, 3);
  row.status = investigation_status_from_text(text(r, 4));
  row.created_at = time(r, 5);
  row.first_reply_at = opt_time(r, 6);
  row.finished_at = opt_time(r, 7);
  row.alert_name = text(r, 8);
  row.top_cause = text(r, 9);
  row.suspect_kind = text(r, 10);
  row.suspect_ref = text(r, 11);
  row.llm = LlmUsage{int64(r, 12), int64(r, 13), int64(r, 14), real(r, 15), int64(r, 16)};
  return row;
}

DigestFeedback read_feedback(const pqxx::row& r) {
  return DigestFeedback{int64(r, 0), text(r, 1), text(r, 2), time(r, 3), text(r, 4)};
}

DigestPost read_post(const pqxx::row& r) {
  return DigestPost{text(r, 0), text(r, 1), time(r, 2), opt_time(r, 3), text(r, 4), text(r, 5)};
}

}  // namespace

Result<void> set_first_reply(Conn& db, Id investigation_id, Time at) {
  return update_one(db, kSetFirstReply, "set_first_reply", Params(investigation_id, at),
                    "investigation " + std::to_string(investigation_id));
}

Result<bool> claim_digest(Conn& db, const std::string& week, const std::string& owner, Time now) {
  return in_tx(db, "claim_digest", [&](Tx& tx) -> Result<bool> {
    tx.exec(kLockWeek, "claim_digest.lock", Params(week));
    const Time abandoned_before = now - kDigestClaimTimeout;
    return Tx::changed(tx.exec(kClaimDigest, "claim_digest", Params(week, owner, now, abandoned_before))) > 0;
  });
}

Result<void> mark_digest_posted(Conn& db, const std::string& week, const std::string& owner, const std::string& channel,
                                const std::string& message_ts, Time now) {
  return in_tx(db, "mark_digest_posted", [&](Tx& tx) -> Result<void> {
    const Params p(week, owner, now, channel, message_ts);
    if (Tx::changed(tx.exec(kMarkDigestPosted, "mark_digest_posted", p)) == 0) {
      return fail(Errc::Conflict, "mark_digest_posted: " + owner + " holds no unposted claim of " + week);
    }
    return {};
  });
}

Result<void> release_digest(Conn& db, const std::string& week, const std::string& owner) {
  return in_tx(db, "release_digest", [&](Tx& tx) -> Result<void> {
    tx.exec(kReleaseDigest, "release_digest", Params(week, owner));
    return {};
  });
}

Result<std::optional<DigestPost>> get_digest(Conn& db, const std::string& week) {
  return select_one<DigestPost>(db, kGetDigest, "get_digest", Params(week), read_post);
}

Result<DigestData> digest_data(Conn& db, Time from, Time to) {
  // One REPEATABLE READ snapshot would be stricter; the three lists are read in one transaction,
  // which at READ COMMITTED sees each statement's own snapshot (the digest is a summary).
  return in_tx(db, "digest_data", [&](Tx& tx) -> Result<DigestData> {
    DigestData data;
    const Params window(from, to);
    data.alerts = read_all(tx.exec(kDigestAlerts, "digest_data.alerts", window), read_alert);
    data.investigations =
        read_all(tx.exec(kDigestInvestigations, "digest_data.investigations", window), read_investigation);
    data.feedback = read_all(tx.exec(kDigestFeedback, "digest_data.feedback", window), read_feedback);
    return data;
  });
}

}  // namespace alertbot::store::pg
