// The PostgreSQL backend of Store. It owns a small pool of connections and as many database
// threads: every Store call is queued to the pool, runs on a free connection synchronously, and
// resumes the caller on its own executor, so PostgreSQL never blocks an event loop. Any number of
// processes (replicas) may share one database: the job queue hands each job to one claimer
// (FOR UPDATE SKIP LOCKED), uniqueness rules (one open group per key, one event per dedupe key,
// one report per investigation) hold across replicas, migrations and digest claims take advisory
// locks. A lost connection fails the calls on it with Unavailable and is reopened by the next call.
// Destruction waits for calls already queued, then closes the connections.
// Lifetime: destroy the store before any io_context whose coroutines await it.
#pragma once

#include <memory>
#include <string>

#include "net/result.hpp"
#include "store/store.hpp"

namespace alertbot {
class Clock;
}

namespace alertbot::store {

struct PgOptions {
  // Connections (and database threads) in the pool: calls beyond this many wait for a free one.
  int connections = 4;
};

// Connects `options.connections` times to `url` (a libpq URI: postgresql://user:pass@host:port/db
// ?sslmode=...) on the calling thread; call at start-up. Does not migrate. `clock` must outlive
// the store. Errors: Unavailable (the server cannot be reached or refuses the login; the message
// never repeats the URL), InvalidArgument (connections < 1).
Result<std::unique_ptr<Store>> open_pg_store(const std::string& url, Clock& clock, PgOptions options = {});

}  // namespace alertbot::store
