// run_coro: runs a coroutine to completion on `io` and returns its value (or rethrows), so tests
// read top to bottom. The io_context is restarted first, and run until the coroutine finishes.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <type_traits>

#include "net/asio_fwd.hpp"

namespace alertbot::testing {

template <class T>
T run_coro(asio::io_context& io, awaitable<T> coro) {
  std::exception_ptr error;
  bool done = false;
  if constexpr (std::is_void_v<T>) {
    asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e) {
      error = e;
      done = true;
    });
    io.restart();
    while (!done && io.run_one() > 0) {
    }
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<T> out;
    asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e, T v) {
      error = e;
      if (!e) out.emplace(std::move(v));
      done = true;
    });
    io.restart();
    while (!done && io.run_one() > 0) {
    }
    if (error) std::rethrow_exception(error);
    return std::move(*out);
  }
}

}  // namespace alertbot::testing
