// FakeClock: a Clock that moves only when a test calls advance(). Sleepers wake in deadline order
// (ties in the order they started sleeping), each on its own executor. Single-threaded: use from
// the test thread and the io_context it runs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "net/clock.hpp"

namespace alertbot::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime system_start = SystemTime(std::chrono::seconds(1795578000)));

  SystemTime system_now() const override { return system_start_ + elapsed_; }
  SteadyTime steady_now() const override { return SteadyTime(elapsed_); }
  awaitable<bool> sleep_for(Duration d) override;

  // Moves time forward by `d` and wakes every sleeper whose deadline is now due.
  void advance(Duration d);
  // Sleepers currently suspended (lets a test wait until the code under test is asleep).
  std::size_t sleepers() const { return sleepers_.size(); }
  // Deadline of the earliest sleeper, relative to now (zero if none).
  Duration next_wake_in() const;

 private:
  struct Sleeper;
  SystemTime system_start_;
  Duration elapsed_{0};
  std::uint64_t seq_ = 0;
  std::multimap<std::pair<Duration, std::uint64_t>, std::shared_ptr<Sleeper>> sleepers_;
};

}  // namespace alertbot::testing
