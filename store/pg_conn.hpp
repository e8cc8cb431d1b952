// pg::Conn: one PostgreSQL connection (libpqxx) and the helpers the PostgreSQL backend's
// operations are written with: Params (values bound to $1..$N, NULL for empty optionals), typed
// column readers, and in_tx(), which runs a piece of work in one transaction and turns every
// failure into a Result. Not thread-safe: a Conn is used by one database thread at a time.
// Errors name the statement ("claim_job.select: ..."); SQLSTATEs map to Errc: unique violation ->
// Conflict, foreign key violation -> NotFound (the referenced row does not exist), serialization
// failure and deadlock -> Busy (the whole transaction may be retried), a lost connection ->
// Unavailable, anything else -> Internal. Messages never carry the connection URL.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"
#include "store/records.hpp"

namespace alertbot::store::pg {

// Values for $1..$N in text form, in the order added.
class Params {
 public:
  template <class... Args>
  explicit Params(const Args&... args) {
    (add(args), ...);
  }
  void add(std::int64_t v);
  void add(int v);
  void add(double v);
  void add(std::string_view v);
  void add(const std::string& v) { add(std::string_view(v)); }
  void add(const char* v) { add(std::string_view(v)); }
  void add(Time v);  // milliseconds since the epoch
  void add(const std::optional<Time>& v);
  void add(const std::optional<std::int64_t>& v);
  // Pointers to the values (null for NULL), valid while this object lives unchanged.
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::string> values_;
  std::vector<bool> null_;
};

// One transaction on a Conn (READ COMMITTED). exec() throws ResultError (mapped as above) on
// failure; in_tx() catches it.
class Tx {
 public:
  explicit Tx(pqxx::connection& c) : work_(c) {}
  pqxx::result exec(const char* sql, const char* name, const Params& params = Params());
  // Runs a script of several statements without parameters (DDL). Never pass values in `sql`.
  void exec_script(const char* sql, const char* name);
  // Rows changed by an INSERT/UPDATE/DELETE result.
  static std::int64_t changed(const pqxx::result& r) { return static_cast<std::int64_t>(r.affected_rows()); }
  void commit();

 private:
  pqxx::work work_;
};

class Conn {
 public:
  // Connects to `url` (a libpq connection URI). Unavailable when the server cannot be reached,
  // with libpq's reason (never the URL).
  static Result<std::unique_ptr<Conn>> open(const std::string& url);
  // Reconnects when the connection was lost (a restarted server). Unavailable if it still fails.
  Result<void> ensure_open();
  pqxx::connection& raw() { return *conn_; }

 private:
  explicit Conn(std::string url) : url_(std::move(url)) {}
  std::string url_;
  std::unique_ptr<pqxx::connection> conn_;
};

// The Error for a database exception `e` raised while running statement `name`.
Error to_error(const std::exception& e, std::string_view name);

// Runs `body(tx)` in one transaction named `name` and commits (unless body committed or
// returned an error); any exception becomes the mapped Error. `body` returns Result<T>.
template <class Body>
auto in_tx(Conn& conn, const char* name, Body body) -> decltype(body(std::declval<Tx&>())) {
  if (auto open = conn.ensure_open(); !open) return open.error();
  try {
    Tx tx(conn.raw());
    auto result = body(tx);
    if (result) tx.commit();
    return result;
  } catch (const ResultError& e) {
    return e.error();
  } catch (const std::exception& e) {
    return to_error(e, name);
  }
}

// Column readers over one row of a result.
std::string text(const pqxx::row& r, int col);
std::int64_t int64(const pqxx::row& r, int col);
double real(const pqxx::row& r, int col);
Time time(const pqxx::row& r, int col);
std::optional<Time> opt_time(const pqxx::row& r, int col);
std::optional<std::int64_t> opt_int64(const pqxx::row& r, int col);

// Every row of `rows` read with `read`, and the first row (nullopt when none).
template <class Read>
auto read_all(const pqxx::result& rows, Read read) -> std::vector<decltype(read(rows[0]))> {
  std::vector<decltype(read(rows[0]))> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(read(row));
  return out;
}
template <class Read>
auto read_first(const pqxx::result& rows, Read read) -> std::optional<decltype(read(rows[0]))> {
  if (rows.empty()) return std::nullopt;
  return read(rows[0]);
}

// The shapes most operations take, each one transaction named `name`:
// an UPDATE that must change a row (NotFound "name: no <what>" otherwise),
Result<void> update_one(Conn& db, const char* sql, const char* name, const Params& params, const std::string& what);
// a SELECT of at most one row, and a SELECT of every row, each row read with `read`.
template <class T, class Read>
Result<std::optional<T>> select_one(Conn& db, const std::string& sql, const char* name, const Params& params,
                                    Read read) {
  return in_tx(db, name, [&](Tx& tx) -> Result<std::optional<T>> {
    return read_first(tx.exec(sql.c_str(), name, params), read);
  });
}
template <class T, class Read>
Result<std::vector<T>> select_all(Conn& db, const std::string& sql, const char* name, const Params& params, Read read) {
  return in_tx(db, name, [&](Tx& tx) -> Result<std::vector<T>> {
    return read_all(tx.exec(sql.c_str(), name, params), read);
  });
}

}  // namespace alertbot::store::pg
