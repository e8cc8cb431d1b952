// CommandLimiter: how often people may start work through the bot (slash commands, mentions that
// start an investigation, follow-up questions, the re-run button), per user and per channel, so
// that one person or one noisy channel cannot flood the investigation queue. A sliding window:
// at most `per_user` commands by one user and `per_channel` in one channel in any `window`.
// admit() is synchronous and cheap (two hash lookups under a mutex, no I/O), so a slash command
// can be refused in its ack. Time comes from the injected Clock (steady time). Memory is bounded:
// keys idle for a whole window are dropped, and each map holds at most `max_keys` keys (the
// least recently active goes first). State is per process: with several replicas each counts
// what it receives. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace alertbot {
class Clock;
}

namespace alertbot::bot {

// `commands.rate_limit`: 0 turns one limit off.
struct CommandRateLimit {
  int per_user = 10;     // commands that start work, per user per window
  int per_channel = 30;  // the same, per channel
  std::chrono::milliseconds window = std::chrono::minutes(1);
};

class CommandLimiter {
 public:
  static constexpr std::size_t kDefaultMaxKeys = 10000;

  CommandLimiter(CommandRateLimit limits, Clock& clock, std::size_t max_keys = kDefaultMaxKeys);

  struct Verdict {
    bool allowed = true;
    std::chrono::milliseconds retry_after{0};  // when refused: how long until one more fits
    bool by_channel = false;                    // when refused: the channel's limit, not the user's
  };
  // Counts one command by `user` in `channel` when both have room; otherwise counts nothing and
  // says which limit refused it and when the next one fits.
  Verdict admit(std::string_view user, std::string_view channel);

  const CommandRateLimit& limits() const { return limits_; }
  // Users and channels tracked now (for tests of the memory bound).
  std::size_t tracked_keys() const;

 private:
  // The times of the last (at most `limit`) admitted commands of one key, as a ring.
  struct Window {
    std::vector<std::chrono::nanoseconds> stamps;
    std::size_t next = 0;  // the oldest stamp once the ring is full
    std::chrono::nanoseconds last{0};
  };
  using Map = std::unordered_map<std::string, Window>;

  // The time until `w` has room for one more under `limit` (zero: room now).
  std::chrono::nanoseconds wait_of(const Window* w, int limit, std::chrono::nanoseconds now) const;
  void record(Map& map, std::string_view key, int limit, std::chrono::nanoseconds now);
  // Drops idle keys; when still full, the least recently active one.
  void make_room(Map& map, std::chrono::nanoseconds now);

  const CommandRateLimit limits_;
  Clock& clock_;
  const std::size_t max_keys_;
  mutable std::mutex mutex_;
  Map users_;     // guarded by mutex_
  Map channels_;  // guarded by mutex_
};

// The ephemeral refusal for a refused verdict: which limit, and when to try again.
std::string rate_limit_refusal(const CommandLimiter::Verdict& verdict, const CommandRateLimit& limits);

}  // namespace alertbot::bot
