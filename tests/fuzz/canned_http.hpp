// CannedHttp and StillClock: the two dependencies a client under fuzzing needs, so that the bytes
// it parses come straight from the fuzzer. CannedHttp answers every request with one fixed
// response, handing a streamed body to on_body in small uneven pieces first, as a network would.
// StillClock never waits: sleep_for() only moves its steady time, so retries end at once.
// Single-threaded; run the client on one io_context (run_to_end()).
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "net/clock.hpp"
#include "net/http_client.hpp"

namespace alertbot::fuzz {

class StillClock final : public Clock {
 public:
  SystemTime system_now() const override { return SystemTime(std::chrono::seconds(1714000000)) + elapsed_; }
  SteadyTime steady_now() const override { return SteadyTime() + elapsed_; }
  awaitable<bool> sleep_for(Duration d) override {
    if (d > Duration::zero()) elapsed_ += d;
    co_return true;
  }

 private:
  Duration elapsed_{0};  // total time slept
};

class CannedHttp final : public HttpClient {
 public:
  explicit CannedHttp(HttpResponse answer) : answer_(std::move(answer)) {}

  awaitable<Result<HttpResponse>> send(HttpRequest req) override {
    ++requests_;
    if (req.on_body && answer_.ok()) {
      // Piece sizes cycle through 1, 2, 3, 5, 8, 13 bytes: lines and UTF-8 characters get cut.
      static constexpr std::size_t kSizes[] = {1, 2, 3, 5, 8, 13};
      std::string_view rest = answer_.body;
      for (std::size_t i = 0; !rest.empty(); ++i) {
        const std::size_t n = std::min(rest.size(), kSizes[i % std::size(kSizes)]);
        req.on_body(rest.substr(0, n));
        rest.remove_prefix(n);
      }
    }
    co_return answer_;
  }

  int requests() const { return requests_; }

 private:
  HttpResponse answer_;
  int requests_ = 0;
};

// Runs `op` (an awaitable) on a fresh io_context until it finishes. An exception escaping it is
// rethrown by io_context::run(): an uncaught exception is a finding.
template <class Awaitable>
void run_to_end(Awaitable op) {
  asio::io_context io;
  asio::co_spawn(io, std::move(op), [](std::exception_ptr e, auto&&...) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
}

}  // namespace alertbot::fuzz
