#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/clock.hpp"

namespace alertbot {
namespace {

class SystemClock final : public Clock {
 public:
  SystemTime system_now() const override { return std::chrono::system_clock::now(); }
  SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }

  awaitable<bool> sleep_for(Duration d) override {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, d.count() > 0 ? d : Duration::zero());
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec;
  }
};

}  // namespace

std::unique_ptr<Clock> make_system_clock() { return std::make_unique<SystemClock>(); }

}  // namespace alertbot
