// gather: runs several awaitables concurrently on the current executor and returns their results
// in the order given, once all have finished. An exception escaping one of them is rethrown after
// all have finished. A cancellation of the caller is passed on to every operation still running
// (as terminal), and gather still returns only once they have all finished (they share this
// frame's state): operations must honour cancellation promptly. Used for the source fan-out.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <vector>

#include "net/asio_fwd.hpp"

namespace alertbot {

template <class T>
awaitable<std::vector<T>> gather(std::vector<awaitable<T>> ops) {
  // This frame's own waits decide what a cancellation does; it never throws out of them.
  co_await asio::this_coro::throw_if_cancelled(false);
  auto ex = co_await asio::this_coro::executor;
  std::vector<std::optional<T>> results(ops.size());
  std::exception_ptr error;
  std::size_t remaining = ops.size();
  asio::steady_timer done(ex, asio::steady_timer::time_point::max());
  std::vector<asio::cancellation_signal> signals(ops.size());  // one per child, to pass a cancellation on
  for (std::size_t i = 0; i < ops.size(); ++i) {
    asio::co_spawn(ex, std::move(ops[i]), asio::bind_cancellation_slot(signals[i].slot(), [&, i](std::exception_ptr e, T value) {
      if (e && !error) error = e;
      if (!e) results[i].emplace(std::move(value));
      if (--remaining == 0) done.cancel();
    }));
  }
  if (remaining > 0) {
    // The caller's cancellation ends this first wait: it is passed on to every child still running.
    co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (remaining > 0) {
    for (auto& s : signals) s.emit(asio::cancellation_type::terminal);
    // An empty slot: the children end (cancelled) before this frame, whose state they use, goes.
    while (remaining > 0) {  // NOLINT(bugprone-infinite-loop): handlers decrement it during co_await
      co_await done.async_wait(asio::bind_cancellation_slot(asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable)));
    }
  }
  if (error) std::rethrow_exception(error);
  std::vector<T> out;
  out.reserve(results.size());
  for (auto& r : results) out.push_back(std::move(*r));
  co_return out;
}

}  // namespace alertbot
