// RateLimiter: keeps Web API calls within Slack's published limits instead of running into 429s,
// and makes the 429s that still come stop every call of that method until Retry-After passes.
// Calls wait in lanes: one per method, and one per channel for chat.postMessage, each first come
// first served and one call at a time, so messages reach a thread in the order they were sent even
// when one of them has to be retried. Each lane draws from a token bucket sized by the method's
// tier (Tier 2 = 20/min ... Tier 4 = 100/min; chat.postMessage about 1/s per channel with a burst,
// inside a workspace-wide budget). Time comes from the injected Clock. One executor.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "net/async_mutex.hpp"
#include "net/asio_fwd.hpp"
#include "net/clock.hpp"

namespace alertbot::slack {

struct RateLimit {
  double per_minute = 50;  // sustained rate
  double burst = 10;       // calls allowed at once after a quiet spell
};

// The limit Slack documents for `method` (Tier 3 for methods it does not list).
RateLimit limit_for(std::string_view method);

class RateLimiter {
 public:
  explicit RateLimiter(Clock& clock);

  // Waits for the caller's turn in its lane and returns the lane, held until the guard goes.
  // A guard for nothing (no wait) when the caller's coroutine was cancelled while queued.
  awaitable<AsyncMutex::Guard> enter(std::string_view method, std::string_view channel);
  // Call before every attempt while holding the lane: waits until no Retry-After of the method is
  // pending and a token is free in the lane's bucket (and the workspace-wide one), then takes it.
  // Returns false when the wait was cancelled.
  awaitable<bool> wait_slot(std::string_view method, std::string_view channel);
  // Slack answered 429 to `method`: nothing of that method goes out for `retry_after`.
  void block(std::string_view method, std::chrono::milliseconds retry_after);

  // Observability: calls waiting in lanes, 429 blocks so far.
  std::size_t queued() const;
  long blocks() const { return blocks_; }
  // Hooks for counting (the bot's /metrics); empty by default. `on_call`: each attempt wait_slot
  // lets through; `on_rate_limited`: each 429 the Web API client got (it calls the hook).
  std::function<void(std::string_view method)> on_call;
  std::function<void(std::string_view method)> on_rate_limited;

 private:
  struct Bucket {
    double tokens = 0;
    double capacity = 1;
    double per_second = 1;
    Clock::SteadyTime last{};
    bool started = false;
  };
  std::string lane_key(std::string_view method, std::string_view channel) const;
  Bucket& bucket(const std::string& key, RateLimit limit);
  // Seconds until `b` has a token (0 when it has one now).
  double refill(Bucket& b, Clock::SteadyTime now);

  Clock& clock_;
  std::map<std::string, std::unique_ptr<AsyncMutex>> lanes_;
  std::map<std::string, Bucket> buckets_;
  std::map<std::string, Clock::SteadyTime, std::less<>> blocked_until_;
  long blocks_ = 0;
};

}  // namespace alertbot::slack
