// run_posted(): how a store backend runs one piece of database work off the event loop, and
// run_retrying_busy(): how it runs it on a database thread. The work
// is posted to `pool` (the backend's database threads); its result is posted back to the awaiting
// coroutine's executor, which resumes there.
// Not co_spawn: its entry point keeps touching the caller's executor on the database thread after
// the caller has resumed, which races with a caller that then destroys its io_context. Here the
// database thread's last touch is the post() that hands the result back; the work guard that keeps
// the caller's context alive meanwhile is released on the caller's side.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot::store {

// What `work(conn)` returns: a Result<T>.
template <class Work, class Conn>
using WorkResult = std::invoke_result_t<Work&, Conn&>;

// Posts `guarded(work)` to `pool` and awaits its result. `guarded` runs on a pool thread and must
// not throw (it turns exceptions into errors).
template <class Conn, class Pool, class Work, class Guarded>
awaitable<WorkResult<Work, Conn>> run_posted(Pool& pool, Work work, Guarded guarded) {
  using R = WorkResult<Work, Conn>;
  auto initiate = [&pool, guarded = std::move(guarded)](auto handler, Work work) mutable {
    auto guard = asio::make_work_guard(asio::get_associated_executor(handler));
    asio::post(pool, [work = std::move(work), guarded = std::move(guarded), handler = std::move(handler),
                      guard = std::move(guard)]() mutable {
      R result = guarded(work);
      auto caller = guard.get_executor();
      asio::post(caller, [handler = std::move(handler), guard = std::move(guard),
                          result = std::move(result)]() mutable {
        guard.reset();
        std::move(handler)(std::move(result));
      });
    });
  };
  return asio::async_initiate<const asio::use_awaitable_t<>, void(R)>(std::move(initiate), asio::use_awaitable,
                                                                       std::move(work));
}

// Runs `work(conn)` on the calling (database) thread, again while it fails with Busy (each
// attempt re-runs a whole statement or transaction, which rolled back), at most `attempts` times;
// an exception becomes Internal, prefixed with `backend`.
template <class Work, class Conn>
WorkResult<Work, Conn> run_retrying_busy(Work& work, Conn& conn, int attempts, const char* backend) {
  try {
    for (int attempt = 1;; ++attempt) {
      auto result = work(conn);
      if (result || result.error().code != Errc::Busy || attempt >= attempts) return result;
    }
  } catch (const std::exception& e) {
    return fail(Errc::Internal, std::string(backend) + ": " + e.what());
  } catch (...) {
    return fail(Errc::Internal, std::string(backend) + ": unknown exception");
  }
}

}  // namespace alertbot::store
