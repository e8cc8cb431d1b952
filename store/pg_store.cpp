// The PostgreSQL backend: BackendStore over pg_ops, each call run on a pooled connection.
#include "store/pg_store.hpp"

#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

#include "store/pg_conn.hpp"
#include "store/pg_ops.hpp"
#include "store/runner_post.hpp"

namespace alertbot::store {
namespace ops_call {
using namespace alertbot::store::pg;  // NOLINT(google-build-using-namespace): see backend_store.hpp
}  // namespace ops_call
}  // namespace alertbot::store

#include "store/backend_store.hpp"

namespace alertbot::store {
namespace {

using pg::Conn;

// Attempts per call when PostgreSQL reports a serialization failure or a deadlock (each attempt
// re-runs the whole transaction, which rolled back).
constexpr int kBusyAttempts = 3;

class PgRunner {
 public:
  explicit PgRunner(std::vector<std::unique_ptr<Conn>> conns)
      : free_(std::move(conns)), pool_(free_.size()) {}
  // Finishes the calls already queued, then stops the threads; the connections close after.
  ~PgRunner() { pool_.join(); }

  template <class Work>
  awaitable<WorkResult<Work, Conn>> run(Work work) {
    return run_posted<Conn>(pool_, std::move(work), [this](Work& w) { return run_guarded(w); });
  }

 private:
  // On a database thread: borrows a connection (there are as many as threads, so one is free),
  // runs `work`, retrying while PostgreSQL reports Busy; exceptions become Internal.
  template <class Work>
  WorkResult<Work, Conn> run_guarded(Work& work) {
    std::unique_ptr<Conn> conn = borrow();
    auto result = run_retrying_busy(work, *conn, kBusyAttempts, "postgresql store");
    give_back(std::move(conn));
    return result;
  }

  std::unique_ptr<Conn> borrow() {
    std::unique_lock lock(mu_);
    freed_.wait(lock, [this] { return !free_.empty(); });
    auto conn = std::move(free_.back());
    free_.pop_back();
    return conn;
  }

  void give_back(std::unique_ptr<Conn> conn) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(std::move(conn));
    }
    freed_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Conn>> free_;  // guarded by mu_: connections not in use
  asio::thread_pool pool_;                   // the database threads, one per connection
};

}  // namespace

Result<std::unique_ptr<Store>> open_pg_store(const std::string& url, Clock& clock, PgOptions options) {
  if (options.connections < 1) return fail(Errc::InvalidArgument, "postgresql store: connections must be at least 1");
  std::vector<std::unique_ptr<Conn>> conns;
  for (int i = 0; i < options.connections; ++i) {
    auto conn = Conn::open(url);
    if (!conn) return conn.error();
    conns.push_back(std::move(*conn));
  }
  return std::unique_ptr<Store>(std::make_unique<BackendStore<PgRunner>>(clock, std::move(conns)));
}

}  // namespace alertbot::store
