#include "slack/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace alertbot::slack {
namespace {

using std::chrono::milliseconds;

constexpr RateLimit kTier2{20, 5};
constexpr RateLimit kTier3{50, 10};
constexpr RateLimit kTier4{100, 20};
// chat.postMessage: "about 1 message per second per channel, with generous bursts", inside a
// workspace ceiling of "several hundred per minute".
constexpr RateLimit kPostPerChannel{60, 5};
constexpr RateLimit kPostWorkspace{300, 30};
constexpr std::string_view kPostMessage = "chat.postMessage";

}  // namespace

RateLimit limit_for(std::string_view m) {
  if (m == kPostMessage) return kPostPerChannel;
  if (m == "auth.test") return RateLimit{600, 20};  // Special: "hundreds per minute"
  if (m == "chat.startStream" || m == "chat.stopStream") return kTier2;
  if (m == "chat.postEphemeral" || m == "chat.appendStream" || m == "files.getUploadURLExternal" ||
      m == "files.completeUploadExternal" || m == "users.info" || m == "views.open" || m == "views.publish") {
    return kTier4;
  }
  return kTier3;  // chat.update, reactions.*, conversations.*, and anything unlisted
}

RateLimiter::RateLimiter(Clock& clock) : clock_(clock) {}

std::string RateLimiter::lane_key(std::string_view method, std::string_view channel) const {
  std::string key(method);
  if (method == kPostMessage) key += ":" + std::string(channel);
  return key;
}

RateLimiter::Bucket& RateLimiter::bucket(const std::string& key, RateLimit limit) {
  Bucket& b = buckets_[key];
  if (!b.started) {
    b.capacity = limit.burst;
    b.tokens = limit.burst;
    b.per_second = limit.per_minute / 60.0;
    b.last = clock_.steady_now();
    b.started = true;
  }
  return b;
}

double RateLimiter::refill(Bucket& b, Clock::SteadyTime now) {
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(b.capacity, b.tokens + std::max(0.0, elapsed) * b.per_second);
  b.last = now;
  return b.tokens >= 1 ? 0.0 : (1 - b.tokens) / b.per_second;
}

awaitable<AsyncMutex::Guard> RateLimiter::enter(std::string_view method, std::string_view channel) {
  auto& lane = lanes_[lane_key(method, channel)];
  if (!lane) lane = std::make_unique<AsyncMutex>();
  AsyncMutex& m = *lane;  // lanes are never erased, so the reference stays valid across the wait
  if (!co_await m.lock()) co_return AsyncMutex::Guard();
  co_return AsyncMutex::Guard(m);
}

awaitable<bool> RateLimiter::wait_slot(std::string_view method, std::string_view channel) {
  const std::string lane = lane_key(method, channel);
  const std::string name(method);
  for (;;) {
    auto now = clock_.steady_now();
    if (auto it = blocked_until_.find(name); it != blocked_until_.end() && it->second > now) {
      if (!co_await clock_.sleep_for(it->second - now)) co_return false;
      continue;
    }
    Bucket& own = bucket(lane, limit_for(method));
    double wait = refill(own, now);
    if (method == kPostMessage) wait = std::max(wait, refill(bucket(name, kPostWorkspace), now));
    if (wait > 0) {
      auto d = std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(wait));
      if (!co_await clock_.sleep_for(std::max(d, Clock::Duration(milliseconds(1))))) co_return false;
      continue;
    }
    own.tokens -= 1;
    if (method == kPostMessage) buckets_[name].tokens -= 1;
    if (on_call) on_call(method);
    co_return true;
  }
}

void RateLimiter::block(std::string_view method, std::chrono::milliseconds retry_after) {
  ++blocks_;
  auto until = clock_.steady_now() + retry_after;
  auto& slot = blocked_until_[std::string(method)];
  slot = std::max(slot, until);
}

std::size_t RateLimiter::queued() const {
  std::size_t n = 0;
  for (const auto& [key, lane] : lanes_) n += lane->waiting() + (lane->locked() ? 1 : 0);
  return n;
}

}  // namespace alertbot::slack
