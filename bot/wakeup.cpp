#include "bot/wakeup.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/clock.hpp"

namespace alertbot::bot {

using namespace boost::asio::experimental::awaitable_operators;

Wakeup::Wakeup(asio::any_io_executor ex, Clock& clock) : timer_(ex), clock_(clock) {}

void Wakeup::notify() {
  pending_ = true;
  timer_.cancel();
}

awaitable<bool> Wakeup::wait(std::chrono::milliseconds poll) {
  if (pending_) {
    pending_ = false;
    co_return true;
  }
  timer_.expires_at(asio::steady_timer::time_point::max());
  auto notified = [this]() -> awaitable<void> { co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable)); };
  auto r = co_await (notified() || clock_.sleep_for(poll));
  pending_ = false;
  if (r.index() == 1) co_return std::get<1>(r);
  co_return true;
}

}  // namespace alertbot::bot
