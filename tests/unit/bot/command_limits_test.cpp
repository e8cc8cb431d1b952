// CommandLimiter on a FakeClock: the sliding window per user and per channel, what a refusal
// counts (nothing), when it says to retry, limits turned off, and the bound on memory.
#include <gtest/gtest.h>

#include "bot/command_limits.hpp"
#include "tests/support/fake_clock.hpp"

namespace alertbot::bot {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

CommandRateLimit limits(int per_user, int per_channel, std::chrono::milliseconds window = 1min) {
  return CommandRateLimit{per_user, per_channel, window};
}

TEST(CommandLimiter, RefusesTheUsersCommandBeyondTheLimitUntilTheOldestLeavesTheWindow) {
  FakeClock clock;
  CommandLimiter limiter(limits(3, 0), clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.admit("U1", "C1").allowed) << i;
    clock.advance(10s);
  }
  // t=30s: three in the last minute; the first (t=0) leaves at t=60s.
  auto refused = limiter.admit("U1", "C1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_FALSE(refused.by_channel);
  EXPECT_EQ(refused.retry_after, 30s);
  clock.advance(29s);
  EXPECT_FALSE(limiter.admit("U1", "C1").allowed) << "one second early";
  clock.advance(1s);
  EXPECT_TRUE(limiter.admit("U1", "C1").allowed) << "t=60s: the t=0 command has left the window";
  // A sliding window, not a fixed one: t=10s and t=20s still count, so only 9 s more.
  clock.advance(1s);
  auto next = limiter.admit("U1", "C1");
  EXPECT_FALSE(next.allowed);
  EXPECT_EQ(next.retry_after, 9s);
}

TEST(CommandLimiter, ARefusedCommandIsNotCounted) {
  FakeClock clock;
  CommandLimiter limiter(limits(1, 0), clock);
  EXPECT_TRUE(limiter.admit("U1", "C1").allowed);
  for (int i = 0; i < 50; ++i) {
    clock.advance(1s);
    EXPECT_FALSE(limiter.admit("U1", "C1").allowed);
  }
  clock.advance(10s);  // t=60s: only the admitted one counted
  EXPECT_TRUE(limiter.admit("U1", "C1").allowed);
}

TEST(CommandLimiter, UsersAreCountedApartAndTheChannelCountsEveryone) {
  FakeClock clock;
  CommandLimiter limiter(limits(2, 3), clock);
  EXPECT_TRUE(limiter.admit("U1", "C1").allowed);
  EXPECT_TRUE(limiter.admit("U1", "C1").allowed);
  EXPECT_FALSE(limiter.admit("U1", "C1").allowed);
  EXPECT_TRUE(limiter.admit("U2", "C1").allowed) << "another user has their own count";
  auto channel_full = limiter.admit("U3", "C1");
  EXPECT_FALSE(channel_full.allowed) << "the channel has had 3";
  EXPECT_TRUE(channel_full.by_channel);
  EXPECT_EQ(channel_full.retry_after, 60s);
  EXPECT_TRUE(limiter.admit("U3", "C2").allowed) << "another channel has its own count";
  // U1's refusals above did not use up the channel: U2 and U3 were refused or admitted on its
  // three admitted commands only.
  clock.advance(60s);
  EXPECT_TRUE(limiter.admit("U3", "C1").allowed);
}

TEST(CommandLimiter, ZeroTurnsALimitOff) {
  FakeClock clock;
  CommandLimiter no_user(limits(0, 2), clock);
  EXPECT_TRUE(no_user.admit("U1", "C1").allowed);
  EXPECT_TRUE(no_user.admit("U1", "C1").allowed);
  EXPECT_FALSE(no_user.admit("U1", "C1").allowed) << "the channel limit still holds";
  CommandLimiter none(limits(0, 0), clock);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(none.admit("U1", "C1").allowed) << i;
  EXPECT_EQ(none.tracked_keys(), 0u);
}

TEST(CommandLimiter, RetryTimeRoundsUpToTheMillisecondAndTheTextToTheSecond) {
  FakeClock clock;
  CommandLimiter limiter(limits(1, 0, 1min), clock);
  EXPECT_TRUE(limiter.admit("U1", "C1").allowed);
  clock.advance(std::chrono::microseconds(30'500'500));  // 30.5005 s
  auto v = limiter.admit("U1", "C1");
  ASSERT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after, std::chrono::milliseconds(29'500));  // 29.4995 s, rounded up
  const std::string text = rate_limit_refusal(v, limiter.limits());
  EXPECT_NE(text.find("Try again in 30s"), std::string::npos) << text;
  EXPECT_NE(text.find("you have reached your limit of 1 commands that start work per 1m"), std::string::npos) << text;
  EXPECT_NE(text.find("commands.rate_limit.per_user"), std::string::npos) << text;
  // Retrying when told succeeds.
  clock.advance(v.retry_after);
  EXPECT_TRUE(limiter.admit("U1", "C1").allowed);
}

TEST(CommandLimiter, ChannelRefusalNamesTheChannelLimit) {
  CommandLimiter::Verdict v{false, std::chrono::milliseconds(1200), true};
  const std::string text = rate_limit_refusal(v, limits(10, 30, 5min));
  EXPECT_NE(text.find("this channel has reached its limit of 30 commands that start work per 5m"), std::string::npos) << text;
  EXPECT_NE(text.find("Try again in 2s"), std::string::npos) << text;
  EXPECT_NE(text.find("commands.rate_limit.per_channel"), std::string::npos) << text;
}

TEST(CommandLimiter, MemoryIsBoundedByTheKeyCap) {
  FakeClock clock;
  CommandLimiter limiter(limits(5, 0), clock, 100);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(limiter.admit("U" + std::to_string(i), "C1").allowed) << i;
    clock.advance(1ms);
  }
  EXPECT_LE(limiter.tracked_keys(), 100u);
  // The most recently active users are the ones kept: the last one is still limited.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(limiter.admit("U999", "C1").allowed);
  EXPECT_FALSE(limiter.admit("U999", "C1").allowed);
}

TEST(CommandLimiter, IdleKeysGoFirstWhenTheCapIsReached) {
  FakeClock clock;
  CommandLimiter limiter(limits(1, 0), clock, 3);
  EXPECT_TRUE(limiter.admit("U1", "C1").allowed);  // U1 goes idle
  clock.advance(61s);
  EXPECT_TRUE(limiter.admit("U2", "C1").allowed);
  EXPECT_TRUE(limiter.admit("U3", "C1").allowed);
  EXPECT_TRUE(limiter.admit("U4", "C1").allowed);  // full: U1 (idle) is dropped, not U2
  EXPECT_EQ(limiter.tracked_keys(), 3u);
  EXPECT_FALSE(limiter.admit("U2", "C1").allowed) << "an active user kept its count";
}

}  // namespace
}  // namespace alertbot::bot
