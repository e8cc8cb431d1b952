// Inbound events, alerts, alert groups and silences on PostgreSQL.
#include "store/pg_ops.hpp"
#include "store/row_codec.hpp"

namespace alertbot::store::pg {
namespace {

constexpr const char* kInsertEvent =
    "INSERT INTO inbound_events (source, dedupe_key, kind, payload, status, note, received_at) "
    "VALUES ($1, $2, $3, $4, $5, '', $6) ON CONFLICT (dedupe_key) DO NOTHING";
constexpr const char* kSetEventStatus = "UPDATE inbound_events SET status = $1, note = $2 WHERE dedupe_key = $3";
constexpr const char* kSelectEvent =
    "SELECT id, source, dedupe_key, kind, payload, status, note, received_at FROM inbound_events "
    "WHERE dedupe_key = $1";
constexpr const char* kListEvents =
    "SELECT id, source, dedupe_key, kind, payload, status, note, received_at FROM inbound_events "
    "WHERE status = $1 AND received_at <= $2 ORDER BY received_at, id LIMIT $3";
constexpr const char* kInsertAlert =
    "INSERT INTO alerts (source, name, status, severity, service, fingerprint, group_key, labels_json, "
    "annotations_json, starts_at, ends_at, event_key, received_at, group_id) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id";
// Every group SELECT lists the columns in read_group's order.
constexpr const char* kGroupColumns =
    "id, group_key, service, status, channel, thread_ts, alert_count, first_seen, last_seen, closed_at, counter_ts";
constexpr const char* kInsertGroup =
    "INSERT INTO alert_groups (group_key, service, status, channel, thread_ts, alert_count, first_seen, "
    "last_seen, closed_at) VALUES ($1, $2, 'open', $3, $4, 1, $5, $5, NULL) RETURNING id";
constexpr const char* kSetGroupThread = "UPDATE alert_groups SET channel = $1, thread_ts = $2 WHERE id = $3";
constexpr const char* kSetGroupCounter = "UPDATE alert_groups SET counter_ts = $1 WHERE id = $2";
// The most recent group of the key closed as resolved since $2, locked so that two replicas
// reopening it at once are serialised.
constexpr const char* kRecentClosedGroup =
    "SELECT id FROM alert_groups WHERE group_key = $1 AND status = 'closed' AND close_reason = 'resolved' "
    "AND closed_at >= $2 ORDER BY closed_at DESC, id DESC LIMIT 1 FOR UPDATE";
constexpr const char* kLockGroup = "SELECT status FROM alert_groups WHERE id = $1 FOR UPDATE";
constexpr const char* kCountFiring =
    "SELECT COUNT(*) FROM alerts a WHERE a.group_id = $1 AND a.status = 'firing' "
    "AND a.id = (SELECT MAX(b.id) FROM alerts b WHERE b.group_id = $1 AND b.fingerprint = a.fingerprint)";
constexpr const char* kCloseResolved =
    "UPDATE alert_groups SET status = 'closed', close_reason = 'resolved', closed_at = $1 "
    "WHERE id = $2 AND status = 'open'";
constexpr const char* kCountResolutions =
    "SELECT COUNT(*) FROM alerts WHERE fingerprint = $1 AND status = 'resolved' AND received_at >= $2";
constexpr const char* kInsertSilence =
    "INSERT INTO silences (service, until_at, created_by, reason, created_at) VALUES ($1, $2, $3, $4, $5) "
    "RETURNING id";
constexpr const char* kActiveSilence =
    "SELECT id, service, until_at, created_by, reason FROM silences WHERE service = $1 AND until_at > $2 "
    "ORDER BY until_at DESC LIMIT 1";
constexpr const char* kCloseGroup =
    "UPDATE alert_groups SET status = 'closed', closed_at = COALESCE(closed_at, $1) WHERE id = $2";

InboundEventRow read_event(const pqxx::row& r) {
  InboundEventRow row;
  row.id = int64(r, 0);
  row.event = InboundEvent{text(r, 1), text(r, 2), text(r, 3), text(r, 4)};
  row.status = event_status_from_text(text(r, 5));
  row.note = text(r, 6);
  row.received_at = time(r, 7);
  return row;
}

AlertGroupRow read_group(const pqxx::row& r) {
  AlertGroupRow row;
  row.id = int64(r, 0);
  row.group_key = text(r, 1);
  row.service = text(r, 2);
  row.status = group_status_from_text(text(r, 3));
  row.channel = text(r, 4);
  row.thread_ts = text(r, 5);
  row.alert_count = int64(r, 6);
  row.first_seen = time(r, 7);
  row.last_seen = time(r, 8);
  row.closed_at = opt_time(r, 9);
  row.counter_ts = text(r, 10);
  return row;
}

std::string group_query(const char* rest) { return std::string("SELECT ") + kGroupColumns + " FROM alert_groups " + rest; }

}  // namespace

Result<bool> record_event(Conn& db, const InboundEvent& ev, Time now) {
  return in_tx(db, "record_event", [&](Tx& tx) -> Result<bool> {
    const Params p(ev.source, ev.dedupe_key, ev.kind, ev.payload, to_text(EventStatus::Received), now);
    return Tx::changed(tx.exec(kInsertEvent, "record_event", p)) == 1;
  });
}

Result<void> set_event_status(Conn& db, const std::string& dedupe_key, EventStatus status, const std::string& note) {
  return update_one(db, kSetEventStatus, "set_event_status", Params(to_text(status), note, dedupe_key),
                    "event with key '" + dedupe_key + "'");
}

Result<std::optional<InboundEventRow>> get_event(Conn& db, const std::string& dedupe_key) {
  return in_tx(db, "get_event", [&](Tx& tx) -> Result<std::optional<InboundEventRow>> {
    return read_first(tx.exec(kSelectEvent, "get_event", Params(dedupe_key)), read_event);
  });
}

Result<std::vector<InboundEventRow>> list_events(Conn& db, EventStatus status, Time received_before, int limit) {
  return in_tx(db, "list_events", [&](Tx& tx) -> Result<std::vector<InboundEventRow>> {
    if (limit <= 0) return std::vector<InboundEventRow>{};
    return read_all(tx.exec(kListEvents, "list_events", Params(to_text(status), received_before, limit)), read_event);
  });
}

Result<Id> add_alert(Conn& db, const AlertRow& a, Time now) {
  return in_tx(db, "add_alert", [&](Tx& tx) -> Result<Id> {
    const Params p(a.source, a.name, a.status, a.severity, a.service, a.fingerprint, a.group_key, a.labels_json,
                   a.annotations_json, a.starts_at, a.ends_at, a.event_key, now, a.group_id);
    return int64(tx.exec(kInsertAlert, "add_alert", p)[0], 0);
  });
}

Result<std::optional<AlertGroupRow>> find_open_group(Conn& db, const std::string& group_key) {
  static const std::string kSql = group_query("WHERE group_key = $1 AND status = 'open'");
  return in_tx(db, "find_open_group", [&](Tx& tx) -> Result<std::optional<AlertGroupRow>> {
    return read_first(tx.exec(kSql.c_str(), "find_open_group", Params(group_key)), read_group);
  });
}

Result<AlertGroupRow> create_group(Conn& db, AlertGroupRow group, Time now) {
  auto created = in_tx(db, "create_group", [&](Tx& tx) -> Result<Id> {
    const Params p(group.group_key, group.service, group.channel, group.thread_ts, now);
    return int64(tx.exec(kInsertGroup, "create_group", p)[0], 0);
  });
  if (!created) {
    if (created.error().code != Errc::Conflict) return created.error();
    return fail(Errc::Conflict, "create_group: an open group with key '" + group.group_key + "' already exists");
  }
  group.id = *created;
  group.status = GroupStatus::Open;
  group.alert_count = 1;
  group.first_seen = group.last_seen = from_millis(to_millis(now));  // as stored: millisecond precision
  group.closed_at.reset();
  return group;
}

Result<AlertGroupRow> touch_group(Conn& db, Id group_id, Time now) {
  static const std::string kSql =
      "UPDATE alert_groups SET alert_count = alert_count + 1, last_seen = $1 WHERE id = $2 RETURNING " +
      std::string(kGroupColumns);
  return in_tx(db, "touch_group", [&](Tx& tx) -> Result<AlertGroupRow> {
    auto row = read_first(tx.exec(kSql.c_str(), "touch_group", Params(now, group_id)), read_group);
    if (!row) return fail(Errc::NotFound, "touch_group: no group " + std::to_string(group_id));
    return std::move(*row);
  });
}

Result<void> close_group(Conn& db, Id group_id, Time now) {
  return update_one(db, kCloseGroup, "close_group", Params(now, group_id), "group " + std::to_string(group_id));
}

Result<void> set_group_thread(Conn& db, Id group_id, const std::string& channel, const std::string& thread_ts) {
  return update_one(db, kSetGroupThread, "set_group_thread", Params(channel, thread_ts, group_id),
                    "group " + std::to_string(group_id));
}

Result<void> set_group_counter(Conn& db, Id group_id, const std::string& counter_ts) {
  return update_one(db, kSetGroupCounter, "set_group_counter", Params(counter_ts, group_id),
                    "group " + std::to_string(group_id));
}

Result<std::optional<AlertGroupRow>> reopen_group(Conn& db, const std::string& group_key, Time closed_since, Time now) {
  static const std::string kReopen =
      "UPDATE alert_groups SET status = 'open', closed_at = NULL, close_reason = '', alert_count = alert_count + 1, "
      "last_seen = $1 WHERE id = $2 RETURNING " +
      std::string(kGroupColumns);
  auto row = in_tx(db, "reopen_group", [&](Tx& tx) -> Result<std::optional<AlertGroupRow>> {
    auto id = read_first(tx.exec(kRecentClosedGroup, "reopen_group.find", Params(group_key, closed_since)),
                         [](const pqxx::row& r) { return int64(r, 0); });
    if (!id) return std::optional<AlertGroupRow>();
    return read_first(tx.exec(kReopen.c_str(), "reopen_group", Params(now, *id)), read_group);
  });
  if (!row && row.error().code == Errc::Conflict) {
    return fail(Errc::Conflict, "reopen_group: an open group with key '" + group_key + "' already exists");
  }
  return row;
}

Result<std::int64_t> close_if_resolved(Conn& db, Id group_id, Time now) {
  return in_tx(db, "close_if_resolved", [&](Tx& tx) -> Result<std::int64_t> {
    // The group's row lock orders this against alerts counted into it by other replicas.
    auto status = read_first(tx.exec(kLockGroup, "close_if_resolved.lock", Params(group_id)),
                             [](const pqxx::row& r) { return text(r, 0); });
    if (!status || *status != "open") return std::int64_t{-1};
    const std::int64_t firing = int64(tx.exec(kCountFiring, "close_if_resolved.count", Params(group_id))[0], 0);
    if (firing > 0) return firing;
    const auto closed = Tx::changed(tx.exec(kCloseResolved, "close_if_resolved.close", Params(now, group_id)));
    return closed == 1 ? std::int64_t{0} : std::int64_t{-1};
  });
}

Result<std::int64_t> count_resolutions(Conn& db, const std::string& fingerprint, Time since) {
  return in_tx(db, "count_resolutions", [&](Tx& tx) -> Result<std::int64_t> {
    return int64(tx.exec(kCountResolutions, "count_resolutions", Params(fingerprint, since))[0], 0);
  });
}

Result<Id> add_silence(Conn& db, const SilenceRow& s, Time now) {
  return in_tx(db, "add_silence", [&](Tx& tx) -> Result<Id> {
    const Params p(s.service, s.until, s.created_by, s.reason, now);
    return int64(tx.exec(kInsertSilence, "add_silence", p)[0], 0);
  });
}

Result<std::optional<SilenceRow>> active_silence(Conn& db, const std::string& service, Time at) {
  return in_tx(db, "active_silence", [&](Tx& tx) -> Result<std::optional<SilenceRow>> {
    return read_first(tx.exec(kActiveSilence, "active_silence", Params(service, at)), [](const pqxx::row& r) {
      return SilenceRow{int64(r, 0), text(r, 1), time(r, 2), text(r, 3), text(r, 4)};
    });
  });
}

}  // namespace alertbot::store::pg
