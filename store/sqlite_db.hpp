// sqlite::Db: one SQLite connection with a cache of prepared statements; Stmt: a borrowed prepared
// statement with typed bind and column helpers; Txn: a BEGIN IMMEDIATE transaction that rolls
// back unless committed. Not thread-safe: SqliteStore uses a Db from its database thread only.
// Failures are Results whose message names the statement ("claim_job.select: database is locked");
// SQLite codes map to Errc: BUSY/LOCKED -> Busy, UNIQUE/PRIMARY KEY -> Conflict, FOREIGN KEY ->
// NotFound (the referenced row does not exist), anything else -> Internal.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/result.hpp"
#include "store/records.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace alertbot::store::sqlite {

// The Error for SQLite result code `rc` on connection `db`, prefixed with `name`.
Error sqlite_error(sqlite3* db, int rc, std::string_view name);

class Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, const char* name) : stmt_(stmt), name_(name) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  // Resets the statement and clears its bindings; the Db keeps it for reuse.
  ~Stmt();

  // Binds `args` to parameters 1..N in order. A bind failure is reported by the next step().
  template <class... Args>
  Stmt& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }
  void bind(int index, std::int64_t value);
  void bind(int index, int value);
  void bind(int index, double value);
  void bind(int index, std::string_view value);
  void bind(int index, Time value);                          // milliseconds since the epoch
  void bind(int index, const std::optional<Time>& value);    // NULL when empty
  void bind(int index, const std::optional<std::int64_t>& value);

  // Runs one step: true when a row is ready to read, false when the statement is done.
  Result<bool> step();
  // Runs a statement that returns no rows (INSERT, UPDATE, DELETE) to completion.
  Result<void> run();

  // Columns of the current row, numbered from 0.
  std::int64_t int64(int col) const;
  int int32(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  bool is_null(int col) const;
  Time time(int col) const;
  std::optional<Time> opt_time(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;

 private:
  sqlite3_stmt* stmt_;  // owned by the Db's cache
  const char* name_;    // statement name for error messages (a string constant)
  int bind_rc_ = 0;     // first failed bind, reported by step()
};

class Db {
 public:
  // Opens (creating) the database at `path` (":memory:" for a private in-memory one) with
  // journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON and a busy timeout of `busy_timeout_ms`.
  // Internal when the directory does not exist or the file cannot be opened as a database.
  static Result<std::unique_ptr<Db>> open(const std::string& path, int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Returns `sql` prepared, from the cache when it was prepared before. The cache is keyed by the
  // address of `sql`: pass a string constant. One Stmt per statement may be alive at a time.
  Result<Stmt> prepare(const char* sql, const char* name);
  // Runs a script without parameters (DDL, PRAGMA, BEGIN/COMMIT). Never pass values in `sql`.
  Result<void> exec(const char* sql, const char* name);
  // Rowid of the last INSERT and rows changed by the last INSERT/UPDATE/DELETE on this connection.
  std::int64_t last_insert_id() const;
  std::int64_t changes() const;
  bool in_transaction() const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;  // finalized in ~Db
};

// A write transaction. BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy
// timeout), so the transaction never fails halfway on a lock upgrade and its reads stay valid.
class Txn {
 public:
  static Result<Txn> begin(Db& db, const char* name);
  Txn(Txn&& other) noexcept : db_(other.db_), name_(other.name_) { other.db_ = nullptr; }
  Txn& operator=(Txn&&) = delete;
  ~Txn();  // rolls back unless committed
  Result<void> commit();

 private:
  Txn(Db& db, const char* name) : db_(&db), name_(name) {}
  Db* db_;  // null once committed or moved from
  const char* name_;
};

// Steps `stmt` once and reads the row with `read`; nullopt when there is no row.
template <class Read>
auto fetch_one(Stmt& stmt, Read read) -> Result<std::optional<decltype(read(stmt))>> {
  using Row = decltype(read(stmt));
  auto has_row = stmt.step();
  if (!has_row) return has_row.error();
  if (!*has_row) return std::optional<Row>{};
  return std::optional<Row>{read(stmt)};
}

// Steps `stmt` to the end, reading every row with `read`.
template <class Read>
auto fetch_all(Stmt& stmt, Read read) -> Result<std::vector<decltype(read(stmt))>> {
  std::vector<decltype(read(stmt))> rows;
  for (;;) {
    auto has_row = stmt.step();
    if (!has_row) return has_row.error();
    if (!*has_row) return rows;
    rows.push_back(read(stmt));
  }
}

}  // namespace alertbot::store::sqlite
