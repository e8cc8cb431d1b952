#include "tests/support/fake_clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace alertbot::testing {

struct FakeClock::Sleeper {
  explicit Sleeper(asio::any_io_executor ex) : timer(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  bool fired = false;
};

FakeClock::FakeClock(SystemTime system_start) : system_start_(system_start) {}

awaitable<bool> FakeClock::sleep_for(Duration d) {
  auto ex = co_await asio::this_coro::executor;
  if (d <= Duration::zero()) {
    asio::steady_timer t(ex, std::chrono::steady_clock::time_point::min());
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return true;
  }
  auto sleeper = std::make_shared<Sleeper>(ex);
  auto key = std::make_pair(elapsed_ + d, seq_++);
  sleepers_.emplace(key, sleeper);
  co_await sleeper->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!sleeper->fired) {
    // Cancelled through the coroutine's slot: forget the sleeper.
    for (auto it = sleepers_.begin(); it != sleepers_.end(); ++it) {
      if (it->second == sleeper) {
        sleepers_.erase(it);
        break;
      }
    }
  }
  co_return sleeper->fired;
}

void FakeClock::advance(Duration d) {
  elapsed_ += d;
  while (!sleepers_.empty() && sleepers_.begin()->first.first <= elapsed_) {
    auto sleeper = sleepers_.begin()->second;
    sleepers_.erase(sleepers_.begin());
    sleeper->fired = true;
    sleeper->timer.cancel();
  }
}

Clock::Duration FakeClock::next_wake_in() const {
  if (sleepers_.empty()) return Duration::zero();
  return sleepers_.begin()->first.first - elapsed_;
}

}  // namespace alertbot::testing
