// TaskGroup: background coroutines a component starts and must see finish before it goes away
// (the worker loop, the replay loop). An exception escaping one is logged with its name. join()
// completes when none is running; it ignores cancellation of its caller, because the tasks use
// the owner's state. Single executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "net/asio_fwd.hpp"

namespace alertbot::bot {

class TaskGroup {
 public:
  explicit TaskGroup(asio::any_io_executor ex);
  void spawn(awaitable<void> task, std::string name);
  awaitable<void> join();
  int running() const { return running_; }

 private:
  asio::any_io_executor executor_;
  asio::steady_timer idle_;  // cancelled whenever running_ drops to zero
  int running_ = 0;
};

}  // namespace alertbot::bot
