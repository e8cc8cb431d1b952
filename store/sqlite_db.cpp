#include "store/sqlite_db.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

#include "store/row_codec.hpp"

namespace alertbot::store::sqlite {
namespace {

Errc errc_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Errc::Busy;
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) return Errc::Conflict;
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return Errc::NotFound;
      return Errc::Internal;
    default:
      return Errc::Internal;
  }
}

// Fails when the directory that would hold `path` does not exist: SQLite's own message
// ("unable to open database file") does not say why.
Result<void> check_directory(const std::string& path) {
  if (path == ":memory:") return {};
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (parent.empty() || std::filesystem::is_directory(parent, ec)) return {};
  return fail(Errc::Internal,
              "cannot open SQLite database '" + path + "': directory '" + parent.string() + "' does not exist");
}

}  // namespace

Error sqlite_error(sqlite3* db, int rc, std::string_view name) {
  std::string message(name);
  message += ": ";
  const bool db_has_it = db != nullptr && sqlite3_extended_errcode(db) == rc;
  message += db_has_it ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Error{errc_for(rc), std::move(message)};
}

// --- Stmt ---

Stmt::Stmt(Stmt&& other) noexcept : stmt_(other.stmt_), name_(other.name_), bind_rc_(other.bind_rc_) {
  other.stmt_ = nullptr;
}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Stmt::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }

void Stmt::bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind(int index, std::string_view value) {
  // A default string_view has a null data(), which SQLite would bind as NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  const int rc = sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind(int index, Time value) { bind(index, to_millis(value)); }

void Stmt::bind(int index, const std::optional<Time>& value) {
  if (value) return bind(index, *value);
  const int rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Stmt::bind(int index, const std::optional<std::int64_t>& value) {
  if (value) return bind(index, *value);
  const int rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Result<bool> Stmt::step() {
  if (bind_rc_ != SQLITE_OK) return sqlite_error(nullptr, bind_rc_, name_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(sqlite3_db_handle(stmt_), rc, name_);
}

Result<void> Stmt::run() {
  for (;;) {
    auto has_row = step();
    if (!has_row) return has_row.error();
    if (!*has_row) return {};
  }
}

std::int64_t Stmt::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
int Stmt::int32(int col) const { return sqlite3_column_int(stmt_, col); }
double Stmt::real(int col) const { return sqlite3_column_double(stmt_, col); }
bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
Time Stmt::time(int col) const { return from_millis(int64(col)); }

std::string Stmt::text(int col) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<Time> Stmt::opt_time(int col) const {
  if (is_null(col)) return std::nullopt;
  return time(col);
}

std::optional<std::int64_t> Stmt::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

// --- Db ---

Result<std::unique_ptr<Db>> Db::open(const std::string& path, int busy_timeout_ms) {
  if (auto dir = check_directory(path); !dir) return dir.error();
  sqlite3* raw = nullptr;
  // NOMUTEX: the connection is used by one thread at a time (the store's database thread).
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Db> db(new Db(raw));  // closes the handle on every path, even a failed open
  const std::string what = "open SQLite database '" + path + "'";
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, what);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);

  static constexpr const char* kWal = "PRAGMA journal_mode = WAL";
  auto stmt = db->prepare(kWal, "open.journal_mode");
  if (!stmt) return Error{stmt.error().code, what + ": " + stmt.error().message};
  auto mode = fetch_one(*stmt, [](const Stmt& s) { return s.text(0); });
  if (!mode) return Error{mode.error().code, what + ": " + mode.error().message};
  if (*mode != "wal" && *mode != "memory") {
    return fail(Errc::Internal, what + ": cannot enable WAL (journal_mode is " + mode->value_or("?") + ")");
  }
  auto pragmas = db->exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", "open.pragmas");
  if (!pragmas) return Error{pragmas.error().code, what + ": " + pragmas.error().message};
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Stmt> Db::prepare(const char* sql, const char* name) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, name);
    it = cache_.emplace(sql, stmt).first;
  }
  return Stmt(it->second, name);
}

Result<void> Db::exec(const char* sql, const char* name) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, name);
  return {};
}

std::int64_t Db::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
std::int64_t Db::changes() const { return sqlite3_changes64(db_); }
bool Db::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

// --- Txn ---

Result<Txn> Txn::begin(Db& db, const char* name) {
  if (auto r = db.exec("BEGIN IMMEDIATE", name); !r) return r.error();
  return Txn(db, name);
}

Txn::~Txn() {
  // SQLite may already have rolled back after some errors (SQLITE_FULL, SQLITE_IOERR, ...).
  if (db_ != nullptr && db_->in_transaction()) (void)db_->exec("ROLLBACK", name_);
}

Result<void> Txn::commit() {
  if (auto r = db_->exec("COMMIT", name_); !r) return r.error();
  db_ = nullptr;
  return {};
}

}  // namespace alertbot::store::sqlite
