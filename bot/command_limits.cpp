#include "bot/command_limits.hpp"

#include <algorithm>

#include "net/clock.hpp"
#include "net/duration.hpp"

namespace alertbot::bot {

using std::chrono::nanoseconds;

CommandLimiter::CommandLimiter(CommandRateLimit limits, Clock& clock, std::size_t max_keys)
    : limits_(limits), clock_(clock), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

nanoseconds CommandLimiter::wait_of(const Window* w, int limit, nanoseconds now) const {
  if (!w || w->stamps.size() < static_cast<std::size_t>(limit)) return nanoseconds(0);
  // Full: the oldest of the last `limit` commands must have left the window.
  const nanoseconds free_at = w->stamps[w->next] + limits_.window;
  return free_at > now ? free_at - now : nanoseconds(0);
}

void CommandLimiter::record(Map& map, std::string_view key, int limit, nanoseconds now) {
  auto it = map.find(std::string(key));
  if (it == map.end()) {
    if (map.size() >= max_keys_) make_room(map, now);
    it = map.emplace(std::string(key), Window{}).first;
    it->second.stamps.reserve(static_cast<std::size_t>(limit));
  }
  Window& w = it->second;
  if (w.stamps.size() < static_cast<std::size_t>(limit)) {
    w.stamps.push_back(now);
  } else {
    w.stamps[w.next] = now;
    w.next = (w.next + 1) % w.stamps.size();
  }
  w.last = now;
}

void CommandLimiter::make_room(Map& map, nanoseconds now) {
  const nanoseconds idle_before = now - limits_.window;
  std::erase_if(map, [&](const auto& entry) { return entry.second.last <= idle_before; });
  if (map.size() < max_keys_) return;
  auto oldest = std::min_element(map.begin(), map.end(),
                                 [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
  map.erase(oldest);
}

CommandLimiter::Verdict CommandLimiter::admit(std::string_view user, std::string_view channel) {
  const nanoseconds now = clock_.steady_now().time_since_epoch();
  const bool by_user = limits_.per_user > 0;
  const bool by_channel = limits_.per_channel > 0 && !channel.empty();
  std::lock_guard lock(mutex_);
  auto find = [](const Map& map, std::string_view key) -> const Window* {
    auto it = map.find(std::string(key));
    return it == map.end() ? nullptr : &it->second;
  };
  const nanoseconds user_wait = by_user ? wait_of(find(users_, user), limits_.per_user, now) : nanoseconds(0);
  const nanoseconds channel_wait =
      by_channel ? wait_of(find(channels_, channel), limits_.per_channel, now) : nanoseconds(0);
  if (user_wait > nanoseconds(0) || channel_wait > nanoseconds(0)) {
    // Rounded up: retrying after the time said must succeed.
    const nanoseconds wait = std::max(user_wait, channel_wait);
    return Verdict{false, std::chrono::ceil<std::chrono::milliseconds>(wait), channel_wait > user_wait};
  }
  if (by_user) record(users_, user, limits_.per_user, now);
  if (by_channel) record(channels_, channel, limits_.per_channel, now);
  return Verdict{};
}

std::size_t CommandLimiter::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return users_.size() + channels_.size();
}

std::string rate_limit_refusal(const CommandLimiter::Verdict& v, const CommandRateLimit& limits) {
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(v.retry_after);
  const std::string retry = format_duration(std::max<std::chrono::milliseconds>(seconds, std::chrono::seconds(1)));
  const std::string window = format_duration(limits.window);
  if (v.by_channel) {
    return ":hourglass: Slow down: this channel has reached its limit of " + std::to_string(limits.per_channel) +
           " commands that start work per " + window + ". Try again in " + retry +
           " (`commands.rate_limit.per_channel` in the bot's config).";
  }
  return ":hourglass: Slow down: you have reached your limit of " + std::to_string(limits.per_user) +
         " commands that start work per " + window + ". Try again in " + retry +
         " (`commands.rate_limit.per_user` in the bot's config).";
}

}  // namespace alertbot::bot
