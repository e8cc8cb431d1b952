// Wakeup: lets one coroutine sleep until another says there is work, or a poll interval passes
// (work may also come from another replica through the store). Single executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "net/asio_fwd.hpp"

namespace alertbot {
class Clock;
}

namespace alertbot::bot {

class Wakeup {
 public:
  Wakeup(asio::any_io_executor ex, Clock& clock);
  // Ends the current (or next) wait early.
  void notify();
  // Suspends until notify() or `poll` passes on the clock. Returns false when cancelled.
  awaitable<bool> wait(std::chrono::milliseconds poll);

 private:
  asio::steady_timer timer_;
  Clock& clock_;
  bool pending_ = false;  // notify() came while nobody waited
};

}  // namespace alertbot::bot
