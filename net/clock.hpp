// Clock: the only way project code reads time or sleeps. system_now() is for timestamps shown to
// people or stored; steady_now() is for measuring intervals and deadlines. sleep_for() suspends
// the calling coroutine on its own executor. Implementations are safe to call from any thread.
// Tests inject FakeClock (tests/support/fake_clock.hpp), which moves only when told to.
#pragma once

#include <chrono>
#include <memory>

#include "net/asio_fwd.hpp"

namespace alertbot {

class Clock {
 public:
  using SystemTime = std::chrono::system_clock::time_point;
  using SteadyTime = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::nanoseconds;

  virtual ~Clock() = default;

  virtual SystemTime system_now() const = 0;
  virtual SteadyTime steady_now() const = 0;

  // Suspends for `d` (<= 0 returns at once, after one trip through the executor).
  // Returns true when the full duration elapsed, false when the wait was cancelled through the
  // awaiting coroutine's cancellation slot. Never throws for cancellation.
  virtual awaitable<bool> sleep_for(Duration d) = 0;
};

// The real clock: std::chrono clocks and asio steady timers.
std::unique_ptr<Clock> make_system_clock();

}  // namespace alertbot
