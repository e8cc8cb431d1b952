// Inbound events, alerts and alert groups on SQLite.
#include "store/row_codec.hpp"
#include "store/sqlite_ops.hpp"

namespace alertbot::store::sqlite {
namespace {

constexpr const char* kInsertEvent =
    "INSERT INTO inbound_events (source, dedupe_key, kind, payload, status, note, received_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, '', ?6) ON CONFLICT (dedupe_key) DO NOTHING";
constexpr const char* kSetEventStatus = "UPDATE inbound_events SET status = ?1, note = ?2 WHERE dedupe_key = ?3";
constexpr const char* kSelectEvent =
    "SELECT id, source, dedupe_key, kind, payload, status, note, received_at FROM inbound_events "
    "WHERE dedupe_key = ?1";

constexpr const char* kListEvents =
    "SELECT id, source, dedupe_key, kind, payload, status, note, received_at FROM inbound_events "
    "WHERE status = ?1 AND received_at <= ?2 ORDER BY received_at, id LIMIT ?3";

constexpr const char* kInsertAlert =
    "INSERT INTO alerts (source, name, status, severity, service, fingerprint, group_key, labels_json, "
    "annotations_json, starts_at, ends_at, event_key, received_at, group_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

// Both group SELECTs list the columns in read_group's order.
constexpr const char* kSelectOpenGroup =
    "SELECT id, group_key, service, status, channel, thread_ts, alert_count, first_seen, last_seen, closed_at, counter_ts "
    "FROM alert_groups WHERE group_key = ?1 AND status = 'open'";
constexpr const char* kSelectGroup =
    "SELECT id, group_key, service, status, channel, thread_ts, alert_count, first_seen, last_seen, closed_at, counter_ts "
    "FROM alert_groups WHERE id = ?1";
constexpr const char* kInsertGroup =
    "INSERT INTO alert_groups (group_key, service, status, channel, thread_ts, alert_count, first_seen, "
    "last_seen, closed_at) VALUES (?1, ?2, 'open', ?3, ?4, 1, ?5, ?5, NULL)";
constexpr const char* kTouchGroup =
    "UPDATE alert_groups SET alert_count = alert_count + 1, last_seen = ?1 WHERE id = ?2";
constexpr const char* kSetGroupThread = "UPDATE alert_groups SET channel = ?1, thread_ts = ?2 WHERE id = ?3";
constexpr const char* kSetGroupCounter = "UPDATE alert_groups SET counter_ts = ?1 WHERE id = ?2";
constexpr const char* kRecentClosedGroup =
    "SELECT id FROM alert_groups WHERE group_key = ?1 AND status = 'closed' AND close_reason = 'resolved' "
    "AND closed_at >= ?2 ORDER BY closed_at DESC, id DESC LIMIT 1";
constexpr const char* kReopenGroup =
    "UPDATE alert_groups SET status = 'open', closed_at = NULL, close_reason = '', alert_count = alert_count + 1, "
    "last_seen = ?1 WHERE id = ?2";
// The latest notification of each fingerprint counted in the group, counted when it is firing.
constexpr const char* kCountFiring =
    "SELECT COUNT(*) FROM alerts a WHERE a.group_id = ?1 AND a.status = 'firing' "
    "AND a.id = (SELECT MAX(b.id) FROM alerts b WHERE b.group_id = ?1 AND b.fingerprint = a.fingerprint)";
constexpr const char* kCloseResolved =
    "UPDATE alert_groups SET status = 'closed', close_reason = 'resolved', closed_at = ?1 "
    "WHERE id = ?2 AND status = 'open'";
constexpr const char* kCountResolutions =
    "SELECT COUNT(*) FROM alerts WHERE fingerprint = ?1 AND status = 'resolved' AND received_at >= ?2";
constexpr const char* kInsertSilence =
    "INSERT INTO silences (service, until_at, created_by, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kActiveSilence =
    "SELECT id, service, until_at, created_by, reason FROM silences WHERE service = ?1 AND until_at > ?2 "
    "ORDER BY until_at DESC LIMIT 1";
constexpr const char* kCloseGroup =
    "UPDATE alert_groups SET status = 'closed', closed_at = COALESCE(closed_at, ?1) WHERE id = ?2";

InboundEventRow read_event(const Stmt& s) {
  InboundEventRow row;
  row.id = s.int64(0);
  row.event = InboundEvent{s.text(1), s.text(2), s.text(3), s.text(4)};
  row.status = event_status_from_text(s.text(5));
  row.note = s.text(6);
  row.received_at = s.time(7);
  return row;
}

AlertGroupRow read_group(const Stmt& s) {
  AlertGroupRow row;
  row.id = s.int64(0);
  row.group_key = s.text(1);
  row.service = s.text(2);
  row.status = group_status_from_text(s.text(3));
  row.channel = s.text(4);
  row.thread_ts = s.text(5);
  row.alert_count = s.int64(6);
  row.first_seen = s.time(7);
  row.last_seen = s.time(8);
  row.closed_at = s.opt_time(9);
  row.counter_ts = s.text(10);
  return row;
}

Result<std::optional<AlertGroupRow>> select_group(Db& db, Id group_id) {
  auto stmt = db.prepare(kSelectGroup, "select_group");
  if (!stmt) return stmt.error();
  stmt->bind_all(group_id);
  return fetch_one(*stmt, read_group);
}

}  // namespace

Result<bool> record_event(Db& db, const InboundEvent& ev, Time now) {
  auto stmt = db.prepare(kInsertEvent, "record_event");
  if (!stmt) return stmt.error();
  stmt->bind_all(ev.source, ev.dedupe_key, ev.kind, ev.payload, to_text(EventStatus::Received), now);
  if (auto r = stmt->run(); !r) return r.error();
  return db.changes() == 1;
}

Result<void> set_event_status(Db& db, const std::string& dedupe_key, EventStatus status, const std::string& note) {
  auto stmt = db.prepare(kSetEventStatus, "set_event_status");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(to_text(status), note, dedupe_key).run(); !r) return r.error();
  if (db.changes() == 0) return fail(Errc::NotFound, "set_event_status: no event with key '" + dedupe_key + "'");
  return {};
}

Result<std::optional<InboundEventRow>> get_event(Db& db, const std::string& dedupe_key) {
  auto stmt = db.prepare(kSelectEvent, "get_event");
  if (!stmt) return stmt.error();
  stmt->bind_all(dedupe_key);
  return fetch_one(*stmt, read_event);
}

Result<std::vector<InboundEventRow>> list_events(Db& db, EventStatus status, Time received_before, int limit) {
  auto stmt = db.prepare(kListEvents, "list_events");
  if (!stmt) return stmt.error();
  stmt->bind_all(to_text(status), received_before, static_cast<std::int64_t>(limit));
  return fetch_all(*stmt, read_event);
}

Result<Id> add_alert(Db& db, const AlertRow& a, Time now) {
  auto stmt = db.prepare(kInsertAlert, "add_alert");
  if (!stmt) return stmt.error();
  stmt->bind_all(a.source, a.name, a.status, a.severity, a.service, a.fingerprint, a.group_key, a.labels_json,
                 a.annotations_json, a.starts_at, a.ends_at, a.event_key, now, a.group_id);
  if (auto r = stmt->run(); !r) return r.error();
  return db.last_insert_id();
}

Result<std::optional<AlertGroupRow>> find_open_group(Db& db, const std::string& group_key) {
  auto stmt = db.prepare(kSelectOpenGroup, "find_open_group");
  if (!stmt) return stmt.error();
  stmt->bind_all(group_key);
  return fetch_one(*stmt, read_group);
}

Result<AlertGroupRow> create_group(Db& db, AlertGroupRow group, Time now) {
  auto stmt = db.prepare(kInsertGroup, "create_group");
  if (!stmt) return stmt.error();
  stmt->bind_all(group.group_key, group.service, group.channel, group.thread_ts, now);
  if (auto r = stmt->run(); !r) {
    if (r.error().code != Errc::Conflict) return r.error();
    return fail(Errc::Conflict, "create_group: an open group with key '" + group.group_key + "' already exists");
  }
  group.id = db.last_insert_id();
  group.status = GroupStatus::Open;
  group.alert_count = 1;
  group.first_seen = group.last_seen = from_millis(to_millis(now));  // as stored: millisecond precision
  group.closed_at.reset();
  return group;
}

Result<AlertGroupRow> touch_group(Db& db, Id group_id, Time now) {
  auto txn = Txn::begin(db, "touch_group.begin");
  if (!txn) return txn.error();
  {
    auto stmt = db.prepare(kTouchGroup, "touch_group");
    if (!stmt) return stmt.error();
    if (auto r = stmt->bind_all(now, group_id).run(); !r) return r.error();
  }
  if (db.changes() == 0) return fail(Errc::NotFound, "touch_group: no group " + std::to_string(group_id));
  auto row = select_group(db, group_id);
  if (!row) return row.error();
  if (auto r = txn->commit(); !r) return r.error();
  return std::move(**row);  // present: updated in this transaction
}

Result<void> close_group(Db& db, Id group_id, Time now) {
  auto stmt = db.prepare(kCloseGroup, "close_group");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(now, group_id).run(); !r) return r.error();
  if (db.changes() == 0) return fail(Errc::NotFound, "close_group: no group " + std::to_string(group_id));
  return {};
}

Result<void> set_group_thread(Db& db, Id group_id, const std::string& channel, const std::string& thread_ts) {
  auto stmt = db.prepare(kSetGroupThread, "set_group_thread");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(channel, thread_ts, group_id).run(); !r) return r.error();
  if (db.changes() == 0) return fail(Errc::NotFound, "set_group_thread: no group " + std::to_string(group_id));
  return {};
}

Result<void> set_group_counter(Db& db, Id group_id, const std::string& counter_ts) {
  auto stmt = db.prepare(kSetGroupCounter, "set_group_counter");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(counter_ts, group_id).run(); !r) return r.error();
  if (db.changes() == 0) return fail(Errc::NotFound, "set_group_counter: no group " + std::to_string(group_id));
  return {};
}

Result<std::optional<AlertGroupRow>> reopen_group(Db& db, const std::string& group_key, Time closed_since, Time now) {
  auto txn = Txn::begin(db, "reopen_group.begin");
  if (!txn) return txn.error();
  std::optional<Id> id;
  {
    auto stmt = db.prepare(kRecentClosedGroup, "reopen_group.find");
    if (!stmt) return stmt.error();
    stmt->bind_all(group_key, closed_since);
    auto found = fetch_one(*stmt, [](const Stmt& s) { return s.int64(0); });
    if (!found) return found.error();
    id = *found;
  }
  if (!id) return std::optional<AlertGroupRow>();
  {
    auto stmt = db.prepare(kReopenGroup, "reopen_group");
    if (!stmt) return stmt.error();
    if (auto r = stmt->bind_all(now, *id).run(); !r) {
      if (r.error().code == Errc::Conflict) {
        return fail(Errc::Conflict, "reopen_group: an open group with key '" + group_key + "' already exists");
      }
      return r.error();
    }
  }
  auto row = select_group(db, *id);
  if (!row) return row.error();
  if (auto r = txn->commit(); !r) return r.error();
  return row;
}

Result<std::int64_t> close_if_resolved(Db& db, Id group_id, Time now) {
  auto txn = Txn::begin(db, "close_if_resolved.begin");
  if (!txn) return txn.error();
  std::int64_t firing = 0;
  {
    auto stmt = db.prepare(kCountFiring, "close_if_resolved.count");
    if (!stmt) return stmt.error();
    stmt->bind_all(group_id);
    auto n = fetch_one(*stmt, [](const Stmt& s) { return s.int64(0); });
    if (!n) return n.error();
    firing = n->value_or(0);
  }
  if (firing > 0) {
    if (auto r = txn->commit(); !r) return r.error();
    return firing;
  }
  {
    auto stmt = db.prepare(kCloseResolved, "close_if_resolved.close");
    if (!stmt) return stmt.error();
    if (auto r = stmt->bind_all(now, group_id).run(); !r) return r.error();
  }
  const bool closed = db.changes() == 1;
  if (auto r = txn->commit(); !r) return r.error();
  return closed ? std::int64_t{0} : std::int64_t{-1};
}

Result<std::int64_t> count_resolutions(Db& db, const std::string& fingerprint, Time since) {
  auto stmt = db.prepare(kCountResolutions, "count_resolutions");
  if (!stmt) return stmt.error();
  stmt->bind_all(fingerprint, since);
  auto n = fetch_one(*stmt, [](const Stmt& s) { return s.int64(0); });
  if (!n) return n.error();
  return n->value_or(0);
}

Result<Id> add_silence(Db& db, const SilenceRow& silence, Time now) {
  auto stmt = db.prepare(kInsertSilence, "add_silence");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind_all(silence.service, silence.until, silence.created_by, silence.reason, now).run(); !r) {
    return r.error();
  }
  return db.last_insert_id();
}

Result<std::optional<SilenceRow>> active_silence(Db& db, const std::string& service, Time at) {
  auto stmt = db.prepare(kActiveSilence, "active_silence");
  if (!stmt) return stmt.error();
  stmt->bind_all(service, at);
  return fetch_one(*stmt, [](const Stmt& s) { return SilenceRow{s.int64(0), s.text(1), s.time(2), s.text(3), s.text(4)}; });
}

}  // namespace alertbot::store::sqlite
