// The critical path, measured: alerts posted one after another (each a new incident in its own
// channel), with the ack of each alert envelope, the first reply in its thread, the report ready
// and the report in the thread (after its chat.update) timed. The alerts are spaced by GAP_MS so
// that the bot stays inside Slack's limits (chat.update is Tier 3: about one a second after a burst
// of ten): this measures latency, not the pacing a storm gets. Real sockets on 127.0.0.1, SQLite on
// disk, the bot as `alertbot run` wires it. Prints one JSON object.
// Usage: bench_alert_path [ALERTS=30] [GAP_MS=1250]
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "bench/bench_bot.hpp"
#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/report.hpp"
#include "investigators/analysis/stats.hpp"
#include "net/clock.hpp"
#include "net/logging.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/run_coro.hpp"

using namespace alertbot;
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

// Quantiles rounded to whole units (the units are in the key names).
json::object summary(const std::vector<double>& v) {
  using investigators::analysis::quantile;
  auto q = [&](double p) { return static_cast<std::int64_t>(std::llround(quantile(v, p))); };
  return {{"p50", q(0.5)}, {"p90", q(0.9)}, {"p99", q(0.99)}, {"max", q(1.0)}};
}

using testing::run_until;

}  // namespace

int main(int argc, char** argv) {
  const int alerts = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
  const int gap_ms = argc > 2 ? std::max(0, std::atoi(argv[2])) : 1250;
  init_logging(LogLineFormat::Text, "error");
  asio::io_context io;
  auto clock = make_system_clock();
  auto ws = fakes::SlackWorkspace::start(io.get_executor(), *clock);
  fakes::FakeSeries latency{"duration", {{"service", "checkout"}}, 0.18, 0.9, 0.01, clock->system_now() - std::chrono::minutes(5)};
  auto prom = fakes::FakePrometheus::start(io.get_executor(), {latency});
  if (!ws || !prom) return 1;
  const std::string dir = bench::bench_dir("alertbot-bench");

  bot::Config config = bench::bench_config(**ws, dir);
  auto channel = [](int i) { return "C0BENCH" + std::to_string(i); };
  for (int i = 0; i < alerts; ++i) config.channels.push_back({channel(i), bot::InvestigateMode::Auto});
  investigators::ServiceSettings svc;
  svc.name = "checkout";
  svc.prometheus = investigators::PrometheusSettings{(*prom)->url(), "histogram_quantile(0.99, duration)", "", "", ""};
  config.services.push_back(svc);

  std::vector<double> report_ms, in_thread_ms;
  std::vector<std::chrono::steady_clock::time_point> posted;
  {
    auto app = bot::App::create(io.get_executor(), config, *clock);
    if (!app) {
      std::fprintf(stderr, "%s\n", app.error().describe().c_str());
      return 1;
    }
    (*app)->on_report([&](const bot::Report& r) {
      report_ms.push_back(static_cast<double>(r.total.count()));
      in_thread_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - posted.back()).count());
    });
    bool running = true;
    asio::co_spawn(io, (*app)->run(), [&](std::exception_ptr, const Result<void>&) { running = false; });
    run_until(io, [&] { return (*app)->open_sockets() == 2; }, milliseconds(10000));
    for (int i = 0; i < alerts; ++i) {
      std::string body = R"j({"username":"Alertmanager","attachments":[{"title":"[FIRING:1] Bench)j" + std::to_string(i) +
                         R"j( (checkout critical)","text":"","color":"danger"}]})j";
      posted.push_back(std::chrono::steady_clock::now());
      (void)(*ws)->post_webhook_message(channel(i), body);
      std::size_t want = static_cast<std::size_t>(i) + 1;
      if (!run_until(io, [&] { return report_ms.size() == want; }, milliseconds(10000))) break;
      auto next = posted.back() + milliseconds(gap_ms);
      run_until(io, [&] { return std::chrono::steady_clock::now() >= next; }, milliseconds(gap_ms + 1000));
    }
    (*app)->stop();
    run_until(io, [&] { return !running; }, milliseconds(10000));
  }
  std::vector<double> ack_us, first_reply_us;
  for (const auto& d : (*ws)->deliveries()) {
    if (d.acked && d.payload_json.find("bot_message") != std::string::npos) ack_us.push_back(static_cast<double>(d.ack_latency.count()));
  }
  for (int i = 0; i < alerts; ++i) {
    auto history = (*ws)->channel_history(channel(i));
    if (history.empty()) continue;
    const auto& parent = history.front();
    auto thread = (*ws)->thread(channel(i), parent.ts);
    if (thread.size() < 2) continue;
    auto a = parse_slack_ts(thread[0].ts);
    auto b = parse_slack_ts(thread[1].ts);
    if (a && b) first_reply_us.push_back(std::chrono::duration<double, std::micro>(*b - *a).count());
  }
  bool stopped = false;
  asio::co_spawn(io, [&]() -> awaitable<void> {
    co_await (*prom)->stop();
    co_await (*ws)->stop();
  }, [&](std::exception_ptr) { stopped = true; });
  run_until(io, [&] { return stopped; }, milliseconds(5000));
  std::filesystem::remove_all(dir);

  json::object out{{"bench", "alert_path"},
                   {"alerts", alerts},
                   {"reports", report_ms.size()},
                   {"ack_us", summary(ack_us)},
                   {"first_reply_us", summary(first_reply_us)},
                   // The issue's bar: the placeholder within 300 ms of the alert reaching the bot (p99).
                   {"placeholder_p99_under_300ms", !first_reply_us.empty() && summary(first_reply_us).at("p99").to_number<double>() < 300000.0},
                   {"report_ms", summary(report_ms)},
                   {"report_in_thread_ms", summary(in_thread_ms)}};
  std::printf("%s\n", json::serialize(out).c_str());
  return report_ms.size() == static_cast<std::size_t>(alerts) ? 0 : 1;
}
