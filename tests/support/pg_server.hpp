// A real PostgreSQL server for tests: the Debian binaries (initdb, postgres) run as a child of the
// test process in a fresh temp dir (as the postgres user when the test runs as root: PostgreSQL
// refuses root), listening on a free 127.0.0.1 port with fsync off. One server per test process,
// started on first use and stopped at exit; each test asks for its own empty database.
// Blocks the calling thread: call before or after io_context work. Trouble (no binaries, no
// readiness within 30 s) throws std::runtime_error with the server's log tail.
#pragma once

#include <string>

namespace alertbot::testing {

// The binaries' directory: $ALERTBOT_PG_BIN, else the newest /usr/lib/postgresql/*/bin; "" when
// PostgreSQL is not installed.
std::string postgres_bin_dir();

// A new, empty database on the shared test server, as a libpq URI
// (postgresql://postgres@127.0.0.1:PORT/NAME). Starts the server on first use.
std::string fresh_postgres_database();

// Drops a database made by fresh_postgres_database() (it must have no open connections).
void drop_postgres_database(const std::string& url);

}  // namespace alertbot::testing
