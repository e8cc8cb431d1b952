// The critical path against its slowest source: how long the whole bot takes from an alert reaching
// it to the report, as a multiple of the latency injected into the slowest source. The bot runs as
// `alertbot run` wires it (Socket Mode against the Slack workspace emulator, SQLite on disk, no
// LLM); its Prometheus is a fake behind a proxy that holds every request SLOWEST ms before
// forwarding it, so Prometheus is the slowest source (the others, deploys and past incidents,
// are local). For each latency in the sweep (100 ms, 500 ms, 1 s, 2 s) RUNS alerts are posted,
// each a new incident in its own channel and one at a time (spaced to stay inside Slack's limits,
// as bench_alert_path). Per latency: report_ms (the bot's own figure, alert received -> report
// ready), sources_ms (the pipeline until its last source answered), and their ratios to the
// injected latency; a ratio near 1 means the path costs little more than its slowest source.
// A ratio near 2 would mean the source's requests run one after another. Prints one JSON object.
// Usage: bench_critical_path [RUNS=3] [GAP_MS=1250]
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "bench/bench_bot.hpp"
#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/report.hpp"
#include "investigators/analysis/stats.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/logging.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/run_coro.hpp"

using namespace alertbot;
namespace json = boost::json;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kSweepMs[] = {100, 500, 1000, 2000};

double median(std::vector<double> v) { return investigators::analysis::quantile(std::move(v), 0.5); }
double round2(double x) { return std::round(x * 100) / 100; }

// Holds a request `delay_ms` (read when it arrives), then forwards it to `upstream` and answers
// what upstream answered.
awaitable<ServerResponse> delayed_forward(HttpClient& http, Clock& clock, const std::string& upstream,
                                          const int& delay_ms, ServerRequest req) {
  const Clock::Duration delay = milliseconds(delay_ms);
  co_await clock.sleep_for(delay);
  HttpRequest out;
  out.method = req.method;
  out.url = upstream + req.target;
  out.body = std::move(req.body);
  if (auto ct = req.header("content-type")) out.headers.emplace_back("Content-Type", std::string(*ct));
  out.max_attempts = 1;
  auto resp = co_await http.send(std::move(out));
  if (!resp) co_return ServerResponse::text(502, resp.error().describe());
  ServerResponse answer;
  answer.status = resp->status;
  answer.content_type = std::string(resp->header("content-type").value_or("application/json"));
  answer.body = std::move(resp->body);
  co_return answer;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  const int gap_ms = argc > 2 ? std::max(0, std::atoi(argv[2])) : 1250;
  init_logging(LogLineFormat::Text, "error");
  asio::io_context io;
  auto clock = make_system_clock();
  auto ws = fakes::SlackWorkspace::start(io.get_executor(), *clock);
  fakes::FakeSeries latency{"duration", {{"service", "checkout"}}, 0.18, 0.9, 0.01, clock->system_now() - std::chrono::minutes(5)};
  auto prom = fakes::FakePrometheus::start(io.get_executor(), {latency});
  if (!ws || !prom) return 1;
  auto proxy_client = make_curl_http_client(io.get_executor(), *clock);
  int delay_ms = 0;
  const std::string upstream = (*prom)->url();
  Router router;
  for (const char* method : {"GET", "POST"}) {
    router.add(method, "/*", [&](ServerRequest req) {
      return delayed_forward(*proxy_client, *clock, upstream, delay_ms, std::move(req));
    });
  }
  HttpServerSettings proxy_settings;
  proxy_settings.listen = "127.0.0.1:0";
  auto proxy = start_http_server(io.get_executor(), proxy_settings, std::move(router));
  if (!proxy) return 1;
  const std::string dir = bench::bench_dir("alertbot-critical");

  const int alerts = runs * static_cast<int>(std::size(kSweepMs));
  bot::Config config = bench::bench_config(**ws, dir);
  auto channel = [](int i) { return "C0CRIT" + std::to_string(i); };
  for (int i = 0; i < alerts; ++i) config.channels.push_back({channel(i), bot::InvestigateMode::Auto});
  investigators::ServiceSettings svc;
  svc.name = "checkout";
  svc.prometheus = investigators::PrometheusSettings{"http://127.0.0.1:" + std::to_string((*proxy)->port()),
                                                     "histogram_quantile(0.99, duration)", "", "", ""};
  config.services.push_back(svc);

  json::array sweep;
  bool complete = true;
  {
    auto app = bot::App::create(io.get_executor(), config, *clock);
    if (!app) {
      std::fprintf(stderr, "%s\n", app.error().describe().c_str());
      return 1;
    }
    std::vector<double> report_ms, sources_ms, in_thread_ms;
    std::size_t sources_failed = 0;
    Steady::time_point posted;
    (*app)->on_report([&](const bot::Report& r) {
      report_ms.push_back(static_cast<double>(r.total.count()));
      sources_ms.push_back(static_cast<double>(r.result.sources_ms.count()));
      in_thread_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - posted).count());
      for (const auto& s : r.result.sources) {
        sources_failed += s.status == investigators::SourceStatus::Failed || s.status == investigators::SourceStatus::TimedOut;
      }
    });
    bool running = true;
    asio::co_spawn(io, (*app)->run(), [&](std::exception_ptr, const Result<void>&) { running = false; });
    testing::run_until(io, [&] { return (*app)->open_sockets() == 2; }, milliseconds(10000));
    int next_channel = 0;
    for (int slowest : kSweepMs) {
      delay_ms = slowest;
      report_ms.clear();
      sources_ms.clear();
      in_thread_ms.clear();
      sources_failed = 0;
      for (int i = 0; i < runs; ++i) {
        const int n = next_channel++;
        std::string body = R"j({"username":"Alertmanager","attachments":[{"title":"[FIRING:1] Critical)j" +
                           std::to_string(n) + R"j( (checkout critical)","text":"","color":"danger"}]})j";
        posted = Steady::now();
        (void)(*ws)->post_webhook_message(channel(n), body);
        const std::size_t want = static_cast<std::size_t>(i) + 1;
        if (!testing::run_until(io, [&] { return report_ms.size() == want; }, milliseconds(20000))) break;
        const auto next = Steady::now() + milliseconds(gap_ms);
        testing::run_until(io, [&] { return Steady::now() >= next; }, milliseconds(gap_ms + 1000));
      }
      complete = complete && report_ms.size() == static_cast<std::size_t>(runs);
      const double report = report_ms.empty() ? 0 : median(report_ms);
      const double sources = sources_ms.empty() ? 0 : median(sources_ms);
      sweep.push_back(json::object{{"slowest_source_ms", slowest},
                                   {"reports", report_ms.size()},
                                   {"report_ms", std::llround(report)},
                                   {"report_in_thread_ms", std::llround(in_thread_ms.empty() ? 0 : median(in_thread_ms))},
                                   {"sources_ms", std::llround(sources)},
                                   {"ratio", round2(report / slowest)},
                                   {"sources_ratio", round2(sources / slowest)},
                                   {"sources_not_ok", sources_failed}});
    }
    (*app)->stop();
    testing::run_until(io, [&] { return !running; }, milliseconds(15000));
  }
  bool stopped = false;
  asio::co_spawn(io, [&]() -> awaitable<void> {
    co_await (*proxy)->stop();
    co_await (*prom)->stop();
    co_await (*ws)->stop();
  }, [&](std::exception_ptr) { stopped = true; });
  testing::run_until(io, [&] { return stopped; }, milliseconds(10000));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);

  json::object out{{"bench", "critical_path"}, {"runs_per_latency", runs}, {"sweep", sweep}};
  std::printf("%s\n", json::serialize(out).c_str());
  return complete ? 0 : 1;
}
