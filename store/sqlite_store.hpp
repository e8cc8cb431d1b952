// The SQLite backend of Store. It owns one connection and one thread (the "database thread"):
// every Store call is queued to that thread, runs there synchronously, and resumes the caller on
// the caller's own executor, so SQLite never blocks an event loop. Several SqliteStores (or
// processes) may share a file: WAL lets readers run beside the single writer, and writers wait up
// to the busy timeout for each other. Destruction waits for calls already queued, then closes.
// Lifetime: destroy the store before any io_context whose coroutines await it (the database
// thread posts each result to the caller's context and may still be inside that post() when the
// caller resumes).
#pragma once

#include <memory>
#include <string>

#include "net/result.hpp"
#include "store/store.hpp"

namespace alertbot {
class Clock;
}

namespace alertbot::store {

struct SqliteOptions {
  // How long a statement waits for another connection's write lock before failing with Busy.
  int busy_timeout_ms = 5000;
};

// Opens (creating) the database file at `path` (":memory:" for a private in-memory database) on
// the calling thread; call at start-up. Does not migrate. `clock` must outlive the store.
// Errors: Internal (the directory does not exist, the file is not a database, WAL unavailable).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, Clock& clock, SqliteOptions options = {});

}  // namespace alertbot::store
