#include "net/async_mutex.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace alertbot {

struct AsyncMutex::Waiter {
  explicit Waiter(asio::any_io_executor ex) : timer(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  bool granted = false;
};

awaitable<bool> AsyncMutex::lock() {
  if (!busy_) {
    busy_ = true;
    co_return true;
  }
  auto w = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiters_.push_back(w);
  // However this coroutine leaves (woken, cancelled, or destroyed by an exception), a waiter that
  // was not granted the lock is taken off the queue.
  struct Leave {
    AsyncMutex& m;
    std::shared_ptr<Waiter> w;
    ~Leave() {
      if (!w->granted) m.waiters_.erase(std::remove(m.waiters_.begin(), m.waiters_.end(), w), m.waiters_.end());
    }
  } leave{*this, w};
  co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return w->granted;
}

void AsyncMutex::unlock() {
  if (waiters_.empty()) {
    busy_ = false;
    return;
  }
  auto next = waiters_.front();
  waiters_.pop_front();
  next->granted = true;  // busy_ stays true: ownership moves
  next->timer.cancel();
}

}  // namespace alertbot
