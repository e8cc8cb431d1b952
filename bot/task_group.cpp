#include "bot/task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/logging.hpp"

namespace alertbot::bot {

TaskGroup::TaskGroup(asio::any_io_executor ex) : executor_(ex), idle_(ex, asio::steady_timer::time_point::max()) {}

void TaskGroup::spawn(awaitable<void> task, std::string name) {
  ++running_;
  asio::co_spawn(executor_, std::move(task), [this, name = std::move(name)](std::exception_ptr e) {
    log_exception(e, name + ": stopped by an exception");
    if (--running_ == 0) idle_.cancel();
  });
}

awaitable<void> TaskGroup::join() {
  while (running_ > 0) {
    idle_.expires_at(asio::steady_timer::time_point::max());
    co_await idle_.async_wait(asio::bind_cancellation_slot(asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable)));
  }
}

}  // namespace alertbot::bot
