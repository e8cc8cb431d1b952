// An alert storm, as Alertmanager delivers one: ALERTS alerts of GROUPS services (one incident
// each) POSTed to the bot's /hooks/alertmanager within SECONDS, ten alerts of one group per
// request (Alertmanager's webhook batches a group's alerts), the groups interleaved so every
// service starts firing in the first fifth of the storm. The bot runs as `alertbot run` wires it:
// Socket Mode against the Slack workspace emulator, SQLite on disk, a fake Prometheus behind every
// service, no LLM. After the storm the bench waits up to WAIT_S more for the reports, then reads the
// emulator: one card per group in the hooks channel, the placeholder and the report in its thread.
// Measured: hook acks (latency seen by the sender, statuses), ingest rate (alerts acked per second
// of storm), cards, placeholders and reports (and any group with two of them), how long until the
// first and until every group had its report (null when that did not happen within WAIT_S),
// investigations reported, and memory (peak RSS of the process via getrusage, which also holds the
// emulator and the fakes, and the RSS growth over the run). The bot paces its Slack calls to
// Slack's published limits (slack/rate_limiter.cpp: every card, placeholder and counter of the
// hooks channel shares chat.postMessage's ~1/s per channel, first come first served), so at the
// default size the reports are bound by Slack, not by the bot: the JSON gives the least time
// Slack's limits allow for the storm's cards and placeholders (slack_floor_s).
// Prints one JSON object; exits 1 when a hook request was not answered 200 or a group got two
// cards or two reports. Exits without tearing the bot down: events still waiting for their turn
// at Slack would otherwise resume into a destroyed App.
// Usage: bench_alert_storm [ALERTS=10000] [GROUPS=200] [SECONDS=10] [WAIT_S=30]
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "bench/bench_bot.hpp"
#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/report.hpp"
#include "investigators/analysis/stats.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/logging.hpp"
#include "slack/rate_limiter.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/run_coro.hpp"

using namespace alertbot;
namespace json = boost::json;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

namespace {

constexpr const char* kHooksChannel = "C0STORM";
constexpr const char* kHookToken = "storm-bench-hook-token";
constexpr int kAlertsPerRequest = 10;
const char* const kAlertNames[] = {"HighLatency", "HighErrorRate", "PodCrashLooping", "QueueBacklog", "CpuThrottled"};

double ms_since(Steady::time_point from, Steady::time_point to = Steady::now()) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Quantiles of durations in milliseconds, in whole microseconds.
json::object summary_us(const std::vector<double>& ms) {
  using investigators::analysis::quantile;
  if (ms.empty()) return {};
  auto q = [&](double p) { return std::llround(quantile(ms, p) * 1000); };
  return {{"p50", q(0.5)}, {"p99", q(0.99)}, {"max", q(1.0)}};
}

// Resident set size now, in MiB (/proc/self/statm: pages).
double rss_mib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // KiB on Linux
}

std::string service_name(int g) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "storm-svc-%03d", g);
  return buf;
}

// One Alertmanager webhook (version 4) body: alerts [first, first + count) of group `g`.
std::string alertmanager_body(int g, int first, int count) {
  const std::string service = service_name(g);
  json::array alerts;
  for (int i = first; i < first + count; ++i) {
    const char* name = kAlertNames[i % std::size(kAlertNames)];
    const std::string instance = "10.0." + std::to_string(g % 250) + "." + std::to_string(i % 250) + ":8080";
    alerts.push_back(json::object{{"status", "firing"},
                                  {"labels", {{"alertname", name}, {"service", service}, {"instance", instance},
                                              {"severity", "critical"}}},
                                  {"annotations", {{"summary", std::string(name) + " on " + service}}},
                                  {"startsAt", "2026-11-25T03:46:34.993Z"},
                                  {"endsAt", "0001-01-01T00:00:00Z"},
                                  {"generatorURL", "http://127.0.0.1:9090/graph"},
                                  {"fingerprint", service + "-" + std::to_string(i)}});
  }
  json::object body{{"receiver", "alertbot"},
                    {"status", "firing"},
                    {"alerts", std::move(alerts)},
                    {"groupLabels", {{"service", service}}},
                    {"commonLabels", {{"service", service}, {"severity", "critical"}}},
                    {"commonAnnotations", json::object{}},
                    {"externalURL", "http://127.0.0.1:9093"},
                    {"version", "4"},
                    {"groupKey", "{}:{service=\"" + service + "\"}"},
                    {"truncatedAlerts", 0}};
  return json::serialize(body);
}

bool is_report_text(const std::string& text) {
  return text.starts_with("Likely cause") || text.starts_with("No strong suspect");
}

// The group a hooks-channel card belongs to (-1 when it names none): "storm-svc-NNN" in its text.
int group_of(const fakes::SlackMessage& m) {
  auto at = m.text.find("storm-svc-");
  if (at == std::string::npos || at + 13 > m.text.size()) return -1;
  return std::atoi(m.text.c_str() + at + 10);
}

struct Request {
  std::string body;
  Steady::time_point due;
  double latency_ms = -1;
  int status = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const int alerts = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10000;
  const int groups = argc > 2 ? std::clamp(std::atoi(argv[2]), 1, 999) : 200;
  const int seconds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 10;
  const int wait_s = argc > 4 ? std::max(1, std::atoi(argv[4])) : 30;
  init_logging(LogLineFormat::Text, "error");
  // The bot has this thread to itself, as under `alertbot run`; the emulator, the fake Prometheus
  // and the sender of the storm run on a second one.
  asio::io_context io, load_io;
  auto clock = make_system_clock();
  auto ws = fakes::SlackWorkspace::start(load_io.get_executor(), *clock);
  fakes::FakeSeries latency{"duration", {}, 0.18, 0.9, 0.01, clock->system_now() - std::chrono::minutes(5)};
  auto prom = fakes::FakePrometheus::start(load_io.get_executor(), {latency});
  if (!ws || !prom) _exit(1);
  HttpClientSettings client_settings;
  client_settings.default_timeout = milliseconds(30000);
  auto http = make_curl_http_client(load_io.get_executor(), *clock, client_settings);
  auto load_guard = asio::make_work_guard(load_io);
  std::thread load_thread([&] { load_io.run(); });
  load_thread.detach();  // ended by _exit (see the header)
  const std::string dir = bench::bench_dir("alertbot-storm");

  bot::Config config = bench::bench_config(**ws, dir);
  config.has_server = true;
  config.server.listen = "127.0.0.1:0";
  config.has_hooks = true;
  config.hooks.token = kHookToken;
  config.hooks.channel = kHooksChannel;
  for (int g = 0; g < groups; ++g) {
    investigators::ServiceSettings svc;
    svc.name = service_name(g);
    svc.prometheus = investigators::PrometheusSettings{(*prom)->url(), "histogram_quantile(0.99, duration{service=\"" + svc.name + "\"})", "", "", ""};
    config.services.push_back(svc);
  }

  // The requests, in the order they go out: round r carries alerts [r*10, r*10+10) of every group.
  const int per_group = std::max(1, alerts / groups);
  std::vector<Request> requests;
  for (int first = 0; first < per_group; first += kAlertsPerRequest) {
    for (int g = 0; g < groups; ++g) {
      requests.push_back({alertmanager_body(g, first, std::min(kAlertsPerRequest, per_group - first)), {}});
    }
  }
  const int sent_alerts = per_group * groups;

  auto app = bot::App::create(io.get_executor(), config, *clock);
  if (!app) {
    std::fprintf(stderr, "%s\n", app.error().describe().c_str());
    std::filesystem::remove_all(dir);
    _exit(1);
  }
  std::set<std::int64_t> reported;
  int reports = 0;
  Steady::time_point storm_start, first_report, last_report;
  (*app)->on_report([&](const bot::Report& r) {
    if (++reports == 1) first_report = Steady::now();
    reported.insert(r.id);
    last_report = Steady::now();
  });
  bool running = true;
  asio::co_spawn(io, (*app)->run(), [&](std::exception_ptr, const Result<void>&) { running = false; });
  if (!testing::run_until(io, [&] { return ((*app)->open_sockets() == 2 && (*app)->http_port() > 0) || !running; },
                          milliseconds(10000)) ||
      !running) {
    std::fprintf(stderr, "the bot did not start\n");
    std::filesystem::remove_all(dir);
    _exit(1);
  }
  const std::string url = "http://127.0.0.1:" + std::to_string((*app)->http_port()) + "/hooks/alertmanager";

  const double rss_before = rss_mib();
  storm_start = Steady::now();
  const auto spacing = std::chrono::duration_cast<Steady::duration>(std::chrono::seconds(seconds)) /
                       static_cast<long>(requests.size());
  for (std::size_t k = 0; k < requests.size(); ++k) requests[k].due = storm_start + spacing * static_cast<long>(k);
  std::atomic<std::size_t> answered{0};  // written on the load thread
  auto send_one = [&](Request& r) -> awaitable<void> {
    HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.headers = {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + kHookToken}};
    req.body = r.body;
    req.max_attempts = 1;
    const auto started = Steady::now();
    auto resp = co_await http->send(std::move(req));
    r.latency_ms = ms_since(started);
    r.status = resp ? resp->status : -1;
    ++answered;
  };
  auto sender = [&]() -> awaitable<void> {
    for (auto& r : requests) {
      const auto now = Steady::now();
      if (r.due > now) co_await clock->sleep_for(r.due - now);
      asio::co_spawn(load_io, send_one(r), asio::detached);
    }
  };
  asio::co_spawn(load_io, sender(), asio::detached);
  testing::run_until(io, [&] { return answered.load() == requests.size(); }, milliseconds((seconds + 30) * 1000));
  const double storm_ms = ms_since(storm_start);
  double rss_peak_in_run = rss_mib();
  auto last_sample = Steady::now();
  testing::run_until(io, [&] {
    if (Steady::now() - last_sample > milliseconds(200)) {
      rss_peak_in_run = std::max(rss_peak_in_run, rss_mib());
      last_sample = Steady::now();
    }
    return reports >= groups;
  }, milliseconds(static_cast<long>(std::max(0.0, (seconds + wait_s) * 1000.0 - storm_ms))));
  const double run_ms = ms_since(storm_start);
  const double rss_after = rss_mib();
  rss_peak_in_run = std::max(rss_peak_in_run, rss_after);

  // What reached Slack: one card per group at top level, its placeholder and report in the thread.
  std::map<int, int> cards, report_msgs;
  int placeholders = 0, other_top_level = 0;
  for (const auto& m : (*ws)->channel_history(kHooksChannel)) {
    if (!m.thread_ts.empty() && m.thread_ts != m.ts) continue;
    const int g = group_of(m);
    if (g < 0) {
      ++other_top_level;
      continue;
    }
    ++cards[g];
    for (const auto& reply : (*ws)->thread(kHooksChannel, m.ts)) {
      if (reply.ts == m.ts) continue;
      if (is_report_text(reply.text)) ++report_msgs[g];
      if (reply.text.starts_with(":mag: Investigating") || is_report_text(reply.text)) ++placeholders;
    }
  }
  int twice = 0;
  for (const auto& [g, n] : cards) twice += n > 1;
  for (const auto& [g, n] : report_msgs) twice += n > 1;
  std::vector<double> ack_ms;
  std::map<std::string, int> statuses;
  for (const auto& r : requests) {
    if (r.latency_ms >= 0) ack_ms.push_back(r.latency_ms);
    ++statuses[std::to_string(r.status)];
  }
  json::object by_status;
  for (const auto& [s, n] : statuses) by_status[s] = n;
  const auto posts = (*ws)->calls("chat.postMessage");
  const auto updates = (*ws)->calls("chat.update");
  // Slack's own floor for this storm: every card and placeholder goes through the hooks
  // channel's chat.postMessage lane (the bot's limiter: burst, then per_minute/60 a second).
  const auto lane = slack::limit_for("chat.postMessage");
  const double needed_posts = 2.0 * groups;
  const double slack_floor_s = std::max(0.0, needed_posts - lane.burst) / (lane.per_minute / 60.0);
  const bool all_reported = reports >= groups;

  json::object out{
      {"bench", "alert_storm"},
      {"alerts", sent_alerts},
      {"groups", groups},
      {"storm_s", seconds},
      {"wait_s", wait_s},
      {"requests", requests.size()},
      {"hook_status", by_status},
      {"ingest_alerts_per_s", std::llround(sent_alerts / (storm_ms / 1000.0))},
      {"hook_ack_us", summary_us(ack_ms)},
      {"cards", cards.size()},
      {"placeholders", placeholders},
      {"reports", report_msgs.size()},
      {"investigations_reported", reported.size()},
      {"groups_posted_twice", twice},
      {"other_top_level_messages", other_top_level},
      {"first_report_s", reports > 0 ? json::value(std::llround(ms_since(storm_start, first_report) / 1000)) : json::value(nullptr)},
      {"all_reported_s", all_reported ? json::value(std::llround(ms_since(storm_start, last_report) / 1000)) : json::value(nullptr)},
      {"measured_s", std::llround(run_ms / 1000)},
      {"slack_calls", {{"chat.postMessage", posts.size()}, {"chat.update", updates.size()}}},
      {"limited_by", all_reported ? "" : "chat.postMessage in the hooks channel (~1/s per channel, Slack's published limit)"},
      {"slack_floor_s", std::llround(slack_floor_s)},
      {"rss_mib", {{"before", std::llround(rss_before)}, {"after", std::llround(rss_after)},
                   {"peak_sampled", std::llround(rss_peak_in_run)}, {"peak_getrusage", std::llround(peak_rss_mib())},
                   {"growth", std::llround(rss_peak_in_run - rss_before)}}}};
  std::printf("%s\n", json::serialize(out).c_str());
  std::fflush(stdout);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  // See the header: no teardown while events wait for Slack. A refused or lost hook request, or a
  // group carded or reported twice, is a failure; reports still waiting for Slack are not.
  const bool clean = statuses.size() == 1 && statuses.count("200") == 1 && twice == 0;
  _exit(clean ? 0 : 1);
}
