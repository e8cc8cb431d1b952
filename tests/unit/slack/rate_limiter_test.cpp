// The RateLimiter alone on a FakeClock, and the Web API under 429s against the emulator.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "net/http_client.hpp"
#include "slack/rate_limiter.hpp"
#include "slack/web_api.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::slack {
namespace {

using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

// Takes a slot of `method` in `channel` and records the fake time it was granted at.
awaitable<void> take(RateLimiter& l, Clock& clock, std::string method, std::string channel, std::vector<Clock::Duration>& at) {
  auto lane = co_await l.enter(method, channel);
  co_await l.wait_slot(method, channel);
  at.push_back(clock.steady_now().time_since_epoch());
}

// Runs `io`, moving the fake clock to the next wake-up whenever everything is asleep on it (a
// sleeper exists and no handler is ready: in these tests only a lane's head sleeps, and while it
// does no request is in flight).
template <class Done>
bool drive(asio::io_context& io, testing::FakeClock& clock, Done done, int max_steps = 20000) {
  for (int i = 0; i < max_steps; ++i) {
    if (!run_until(io, [&] { return done() || clock.sleepers() > 0; })) return false;
    while (io.poll() > 0) {
    }
    if (done()) return true;
    if (clock.sleepers() > 0) clock.advance(clock.next_wake_in());
  }
  return done();
}

TEST(RateLimiter, BurstThenOnePerSecondPerChannel) {
  asio::io_context io;
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  std::vector<Clock::Duration> at;
  for (int i = 0; i < 8; ++i) asio::co_spawn(io, take(limiter, clock, "chat.postMessage", "C1", at), asio::detached);
  ASSERT_TRUE(drive(io, clock, [&] { return at.size() == 8; }));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(at[i], at[0]) << "the first five go at once (burst)";
  EXPECT_EQ(at[5] - at[0], 1s);
  EXPECT_EQ(at[7] - at[0], 3s);
}

TEST(RateLimiter, ChannelsHaveTheirOwnPace) {
  asio::io_context io;
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  std::vector<Clock::Duration> a, b;
  for (int i = 0; i < 6; ++i) asio::co_spawn(io, take(limiter, clock, "chat.postMessage", "CA", a), asio::detached);
  for (int i = 0; i < 6; ++i) asio::co_spawn(io, take(limiter, clock, "chat.postMessage", "CB", b), asio::detached);
  ASSERT_TRUE(drive(io, clock, [&] { return a.size() == 6 && b.size() == 6; }));
  EXPECT_EQ(a.back() - a.front(), 1s);
  EXPECT_EQ(b.back() - b.front(), 1s);
}

TEST(RateLimiter, TierThreeMethodsPaceAtFiftyAMinute) {
  asio::io_context io;
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  std::vector<Clock::Duration> at;
  for (int i = 0; i < 12; ++i) asio::co_spawn(io, take(limiter, clock, "chat.update", "C1", at), asio::detached);
  ASSERT_TRUE(drive(io, clock, [&] { return at.size() == 12; }));
  EXPECT_EQ(at[9], at[0]) << "burst of ten";
  EXPECT_EQ(at[10] - at[0], std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(60.0 / 50)));
}

TEST(RateLimiter, ABlockHoldsEveryCallOfTheMethod) {
  asio::io_context io;
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  limiter.block("chat.update", 7s);
  std::vector<Clock::Duration> upd, other;
  asio::co_spawn(io, take(limiter, clock, "chat.update", "", upd), asio::detached);
  asio::co_spawn(io, take(limiter, clock, "reactions.add", "", other), asio::detached);
  ASSERT_TRUE(drive(io, clock, [&] { return upd.size() == 1 && other.size() == 1; }));
  EXPECT_EQ(upd[0] - other[0], 7s) << "only chat.update waits";
}

// "A burst of 100 reports into one channel under 429s: all delivered, in order per thread, no
// request made while a Retry-After is pending."
TEST(WebApiUnder429, HundredRepliesInOneChannelArriveInOrderAndRespectRetryAfter) {
  asio::io_context io;
  testing::FakeClock clock;
  auto real = make_system_clock();
  auto ws = fakes::SlackWorkspace::start(io.get_executor(), clock);
  ASSERT_TRUE(ws);
  auto http = make_curl_http_client(io.get_executor(), *real);
  RateLimiter limiter(clock);
  SlackSettings settings;
  settings.api_url = (*ws)->api_url();
  settings.bot_token = (*ws)->settings().bot_token;
  auto api = make_web_api(*http, limiter, settings);

  constexpr int kThreads = 10, kPosts = 100;
  std::vector<std::string> parents;
  parents.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) parents.push_back((*ws)->post_user_message("C0ALERTS", "U0HUMAN", "alert " + std::to_string(t)));
  (*ws)->inject_rate_limit("chat.postMessage", 3, 2);
  int done = 0, failed = 0;
  for (int i = 0; i < kPosts; ++i) {
    std::string text = "thread " + std::to_string(i % kThreads) + " report " + std::to_string(i / kThreads);
    asio::co_spawn(io, api->post_message("C0ALERTS", MessageContent{text, ""}, parents[i % kThreads]),
                   [&](std::exception_ptr, const Result<PostedMessage>& r) {
                     ++done;
                     failed += r ? 0 : 1;
                     // A second storm of 429s half way through.
                     if (done == kPosts / 2) (*ws)->inject_rate_limit("chat.postMessage", 2, 5);
                   });
  }
  ASSERT_TRUE(drive(io, clock, [&] { return done == kPosts; }));
  EXPECT_EQ(failed, 0);
  for (int t = 0; t < kThreads; ++t) {
    auto thread = (*ws)->thread("C0ALERTS", parents[t]);
    ASSERT_EQ(thread.size(), 1u + kPosts / kThreads);
    for (int k = 1; k < static_cast<int>(thread.size()); ++k) {
      EXPECT_EQ(thread[k].text, "thread " + std::to_string(t) + " report " + std::to_string(k - 1)) << "out of order";
    }
  }
  auto calls = (*ws)->calls("chat.postMessage");
  int limited = 0;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].http_status != 429) continue;
    ++limited;
    auto retry_after = limited <= 3 ? 2s : 5s;
    for (std::size_t j = i + 1; j < calls.size(); ++j) {
      EXPECT_GE(calls[j].at - calls[i].at, retry_after) << "call " << j << " went out while a Retry-After was pending";
    }
  }
  EXPECT_EQ(limited, 5);
  EXPECT_EQ(calls.size(), static_cast<std::size_t>(kPosts + limited));
  run_coro(io, (*ws)->stop());
}

}  // namespace
}  // namespace alertbot::slack
