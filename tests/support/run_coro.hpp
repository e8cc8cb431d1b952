// run_coro: runs a coroutine to completion on `io` and returns its value (or rethrows), so tests
// read top to bottom. run_until: runs `io` until a condition holds. Both give up after a limit of
// real time: a safety net so a broken test fails instead of hanging, never a way to wait.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "net/asio_fwd.hpp"

namespace alertbot::testing {

inline constexpr std::chrono::milliseconds kTestLimit{30000};

template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = kTestLimit) {
  io.restart();
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_one_for(std::chrono::milliseconds(50));
    if (io.stopped()) io.restart();
  }
  return true;
}

template <class T>
T run_coro(asio::io_context& io, awaitable<T> coro, std::chrono::milliseconds limit = kTestLimit) {
  std::exception_ptr error;
  bool done = false;
  if constexpr (std::is_void_v<T>) {
    asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e) {
      error = e;
      done = true;
    });
    if (!run_until(io, [&] { return done; }, limit)) throw std::runtime_error("run_coro: coroutine did not finish");
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<T> out;
    asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e, T v) {
      error = e;
      if (!e) out.emplace(std::move(v));
      done = true;
    });
    if (!run_until(io, [&] { return done; }, limit)) throw std::runtime_error("run_coro: coroutine did not finish");
    if (error) std::rethrow_exception(error);
    return std::move(*out);
  }
}

}  // namespace alertbot::testing
