// The SQLite backend: BackendStore over sqlite_ops, each call hopped to the database thread.
#include "store/sqlite_store.hpp"

#include <boost/asio/thread_pool.hpp>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "store/migrations.hpp"
#include "store/runner_post.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_ops.hpp"

namespace alertbot::store {
namespace ops_call {
using namespace alertbot::store::sqlite;  // NOLINT(google-build-using-namespace): see backend_store.hpp
}  // namespace ops_call
}  // namespace alertbot::store

#include "store/backend_store.hpp"

namespace alertbot::store {
namespace {

using sqlite::Db;

// Attempts per call when SQLite stays busy past the busy timeout (each attempt re-runs the whole
// statement or transaction, which rolled back).
constexpr int kBusyAttempts = 3;

// Runs each piece of work on the one database thread that owns the connection.
class SqliteRunner {
 public:
  explicit SqliteRunner(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  // Finishes the calls already queued, then stops the thread; db_ closes after.
  ~SqliteRunner() { pool_.join(); }

  template <class Work>
  awaitable<WorkResult<Work, Db>> run(Work work) {
    return run_posted<Db>(pool_, std::move(work), [this](Work& w) { return run_guarded(w); });
  }

 private:
  // On the database thread: runs `work`, again while SQLite is busy.
  template <class Work>
  WorkResult<Work, Db> run_guarded(Work& work) {
    return run_retrying_busy(work, *db_, kBusyAttempts, "sqlite store");
  }

  std::unique_ptr<Db> db_;     // used only on pool_'s thread once the store is constructed
  asio::thread_pool pool_{1};  // the database thread
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, Clock& clock, SqliteOptions options) {
  auto db = Db::open(path, options.busy_timeout_ms);
  if (!db) return db.error();
  return std::unique_ptr<Store>(std::make_unique<BackendStore<SqliteRunner>>(clock, std::move(*db)));
}

}  // namespace alertbot::store
