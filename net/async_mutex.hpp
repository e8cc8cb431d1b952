// AsyncMutex: a FIFO lock for coroutines on one executor. lock() suspends until the caller's turn
// and says whether it got the lock: a waiter cancelled while queued leaves the queue and gets
// false. The lock passes from unlock() straight to the next waiter, so the order of lock() calls
// is the order of turns. Hold it with AsyncMutex::Guard so a throwing holder still releases it.
// Single-threaded: every lock()/unlock() on the same executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>

#include "net/asio_fwd.hpp"

namespace alertbot {

class AsyncMutex {
 public:
  // True when the caller now holds the lock; false when it was cancelled while waiting.
  awaitable<bool> lock();
  void unlock();
  bool locked() const { return busy_; }
  std::size_t waiting() const { return waiters_.size(); }

  // Releases the lock when it goes out of scope. Movable, so it can be returned.
  class Guard {
   public:
    Guard() = default;
    explicit Guard(AsyncMutex& m) : m_(&m) {}
    Guard(Guard&& o) noexcept : m_(o.m_) { o.m_ = nullptr; }
    Guard& operator=(Guard&& o) noexcept {
      if (this != &o) {
        release();
        m_ = o.m_;
        o.m_ = nullptr;
      }
      return *this;
    }
    ~Guard() { release(); }
    void release() {
      if (m_) m_->unlock();
      m_ = nullptr;
    }

   private:
    AsyncMutex* m_ = nullptr;
  };

 private:
  struct Waiter;
  bool busy_ = false;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace alertbot
