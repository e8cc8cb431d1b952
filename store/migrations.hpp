// Schema migrations of the SQLite backend: an ordered list of SQL scripts, and the
// schema_migrations(version, applied_at) table that records which ones ran. Each migration runs in
// its own write transaction, so a crash leaves the schema at a whole version, and two processes
// migrating at once apply each script once. Synchronous: call on the store's database thread.
#pragma once

#include <span>

#include "net/result.hpp"
#include "store/records.hpp"
#include "store/sqlite_db.hpp"

namespace alertbot::store::sqlite {

struct Migration {
  int version;       // 1, 2, 3, ... in order, never reused
  const char* name;  // for people: what the migration does
  const char* sql;   // DDL only, no values
};

// Every migration, oldest first. The last one's version is the schema this binary expects.
std::span<const Migration> migrations();

// The highest applied version; 0 for an empty database.
Result<int> schema_version(Db& db);

// Applies every migration not applied yet, recording `now` as applied_at; returns the version
// reached (which may be higher than this binary's latest if a newer binary migrated first).
Result<int> migrate(Db& db, Time now);

}  // namespace alertbot::store::sqlite
