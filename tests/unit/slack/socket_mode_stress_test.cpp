// Socket Mode under churn, in real time: 10,000 events over 4 sockets while the workspace asks
// for a refresh every 2 s and kills a socket every 3 s. Every event must be handled exactly once,
// none may be lost, and every envelope the client received must be acked well inside Slack's 3 s.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_map>

#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/logging.hpp"
#include "slack/rate_limiter.hpp"
#include "slack/socket_mode_client.hpp"
#include "slack/web_api.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::slack {
namespace {

using namespace std::chrono_literals;
using testing::run_until;

awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

TEST(SocketModeStress, TenThousandEventsOverFourSocketsWithRefreshesAndKills) {
  constexpr int kEvents = 10000;
  init_logging(LogLineFormat::Text, "error");
  asio::io_context io;
  auto clock = make_system_clock();
  auto ws = fakes::SlackWorkspace::start(io.get_executor(), *clock);
  ASSERT_TRUE(ws);
  auto http = make_curl_http_client(io.get_executor(), *clock);
  RateLimiter limiter(*clock);
  SlackSettings settings;
  settings.api_url = (*ws)->api_url();
  settings.app_token = (*ws)->settings().app_token;
  settings.bot_token = (*ws)->settings().bot_token;
  settings.connections = 4;
  auto api = make_web_api(*http, limiter, settings);
  std::unordered_map<std::string, int> handled;
  SocketModeTimings t;
  t.backoff_base = 20ms;
  t.backoff_max = 200ms;
  SocketModeClient client(*api, *clock, settings,
                          [&](const Envelope& env) -> awaitable<Result<std::optional<std::string>>> {
                            ++handled[env.dedupe_key];
                            co_return std::nullopt;
                          },
                          t);
  bool running = true;
  asio::co_spawn(io, client.run(), [&](std::exception_ptr, const Result<void>&) { running = false; });
  ASSERT_TRUE(run_until(io, [&] { return client.open_sockets() == 4; }));

  bool injected = false;
  int refreshes = 0, kills = 0;
  asio::co_spawn(io, [&]() -> awaitable<void> {  // 1,000 events a second
    for (int i = 0; i < kEvents; i += 100) {
      for (int k = 0; k < 100; ++k) (*ws)->post_user_message("C0LOAD", "U0LOAD", "event " + std::to_string(i + k));
      co_await pause(100ms);
    }
    injected = true;
  }, asio::detached);
  asio::co_spawn(io, [&]() -> awaitable<void> {  // churn until everything was injected
    for (int tick = 1; !injected; ++tick) {
      co_await pause(1s);
      if (tick % 2 == 0) {
        (*ws)->send_disconnect("refresh_requested", refreshes++ % 4);
      }
      if (tick % 3 == 0) (*ws)->drop_sockets(kills++ % 4);
    }
  }, asio::detached);

  auto all_acked = [&] { return injected && (*ws)->unacked_deliveries() == 0; };
  bool finished = run_until(io, all_acked, 60s);
  if (!finished) {
    for (const auto& d : (*ws)->deliveries()) {
      if (!d.acked) std::printf("unacked %s: attempts %d, handled %d\n", d.event_id.c_str(), d.attempts, handled[d.event_id]);
    }
  }
  ASSERT_TRUE(finished) << (*ws)->unacked_deliveries() << " events were never acked";
  auto deliveries = (*ws)->deliveries();
  ASSERT_EQ(deliveries.size(), static_cast<std::size_t>(kEvents));
  int redelivered = 0;
  std::chrono::microseconds slowest{0};
  for (const auto& d : deliveries) {
    ASSERT_EQ(handled.count(d.event_id), 1u) << d.event_id << " never handled";
    EXPECT_EQ(handled[d.event_id], 1) << d.event_id << " handled more than once";
    redelivered += d.attempts > 1 ? 1 : 0;
    slowest = std::max(slowest, d.ack_after_last_send);
  }
  EXPECT_EQ(handled.size(), static_cast<std::size_t>(kEvents));
  EXPECT_LT(slowest, 3s) << "an envelope the client had was acked later than Slack waits";
  EXPECT_GE(refreshes, 4);
  EXPECT_GE(kills, 3);
  std::printf("stress: %d events, %d refreshes, %d kills, %d redelivered (lost with a killed socket), slowest ack %lld us, %ld connects\n",
              kEvents, refreshes, kills, redelivered, static_cast<long long>(slowest.count()), client.connects());
  client.stop();
  ASSERT_TRUE(run_until(io, [&] { return !running; }));
  testing::run_coro(io, (*ws)->stop());
}

}  // namespace
}  // namespace alertbot::slack
