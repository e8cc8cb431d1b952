// Socket Mode intake, alertbot against the official SDK: bursts of N message events are injected
// into a workspace emulator as fast as it takes them, and the emulator measures how fast they are
// acked. Side "alertbot": slack::SocketModeClient (2 sockets) whose handler persists each envelope
// in a real SQLite store before the ack, as bot::EventRouter::on_envelope does. Side "bolt": a
// minimal @slack/bolt app (tests/node/bolt_app.js: two App instances, one socket each; Bolt acks
// events before its listeners run and stores nothing) in a child `node` process. Each side has
// its own emulator (same code, default settings, real clock) on its own thread; alertbot's client
// runs on another thread. The sides take turns for ROUNDS rounds (so a noisy neighbour on the
// machine hits both alike); every round starts a fresh emulator and client, sends a warm-up burst
// (N/10, at most 200) and then the measured one. Each figure is the median over rounds.
// events_per_s runs from the first injection to the last ack the emulator saw; ack_us is the
// emulator's per-delivery time from first send to ack, so it includes queueing behind earlier
// events of the same burst.
// Prints one JSON object. When Node.js, npm or the packages are unavailable, "bolt" is null with a
// reason and the exit status is still 0 (this is a measurement, not a test).
// Usage: bench_slack_events [EVENTS [ROUNDS]]   (default 2000 and 3)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <csignal>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "investigators/analysis/stats.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/logging.hpp"
#include "slack/rate_limiter.hpp"
#include "slack/socket_mode_client.hpp"
#include "slack/web_api.hpp"
#include "store/store.hpp"
#include "tests/fakes/slack_workspace.hpp"

extern char** environ;

using namespace alertbot;
namespace json = boost::json;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kConnections = 2;
constexpr const char* kChannel = "C0BENCH";

// An io_context running on its own thread until stop() (or the object goes). After stop() the
// io_context still exists, so objects bound to it can be destroyed safely from another thread.
class Loop {
 public:
  Loop() : thread_([this] { io_.run(); }) {}
  ~Loop() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    work_.reset();
    io_.stop();
    thread_.join();
  }
  asio::io_context& io() { return io_; }

  // Runs `coro` on the loop and waits (at most `limit`) for its result.
  template <class T>
  std::optional<T> call(awaitable<T> coro, milliseconds limit = milliseconds(10000)) {
    auto done = std::make_shared<std::promise<T>>();
    auto f = done->get_future();
    asio::co_spawn(io_, std::move(coro), [done](std::exception_ptr e, T v) {
      if (e) done->set_exception(e);
      else done->set_value(std::move(v));
    });
    if (f.wait_for(limit) != std::future_status::ready) return std::nullopt;
    return f.get();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_;
};

awaitable<bool> stop_workspace(fakes::SlackWorkspace& ws) {
  co_await ws.stop();
  co_return true;
}

// A workspace emulator on its own thread.
class Emulator {
 public:
  explicit Emulator(Clock& clock) {
    auto ws = fakes::SlackWorkspace::start(loop_.io().get_executor(), clock);
    if (!ws) throw std::runtime_error("emulator: " + ws.error().describe());
    ws_ = std::move(*ws);
  }
  ~Emulator() {
    loop_.call(stop_workspace(*ws_));
    loop_.stop();  // then the workspace goes with no thread running its handlers
  }

  fakes::SlackWorkspace& ws() { return *ws_; }

  // Posts `n` user messages from the emulator's own thread; returns the time of the first.
  Steady::time_point inject(int n) {
    std::promise<Steady::time_point> first;
    asio::post(loop_.io(), [&] {
      auto t0 = Steady::now();
      for (int i = 0; i < n; ++i) ws_->post_user_message(kChannel, "U0HUMAN01", "bench event " + std::to_string(i));
      first.set_value(t0);
    });
    return first.get_future().get();
  }

  // Waits (polling every 20 ms, at most `limit`) until no delivery is left unacked.
  bool wait_acked(milliseconds limit) {
    auto end = Steady::now() + limit;
    while (ws_->unacked_deliveries() > 0) {
      if (Steady::now() > end) return false;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return true;
  }

  bool wait_sockets(int n, milliseconds limit, const std::function<bool()>& gone = [] { return false; }) {
    auto end = Steady::now() + limit;
    while (ws_->open_sockets() < n) {
      if (Steady::now() > end || gone()) return false;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return true;
  }

 private:
  Loop loop_;  // declared first: destroyed last
  std::unique_ptr<fakes::SlackWorkspace> ws_;
};

// One burst: events/s and ack latency quantiles of the deliveries from index `from`.
struct Round {
  double events_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
  int redeliveries = 0;
};

Round summarise(const std::vector<fakes::Delivery>& all, std::size_t from, Steady::time_point t0) {
  using investigators::analysis::quantile;
  std::vector<double> ack_us;
  Steady::time_point last = t0;
  Round r;
  for (std::size_t i = from; i < all.size(); ++i) {
    const auto& d = all[i];
    r.redeliveries += std::max(0, d.attempts - 1);
    if (!d.acked) continue;
    ack_us.push_back(static_cast<double>(d.ack_latency.count()));
    last = std::max(last, d.first_sent + d.ack_latency);
  }
  double secs = std::chrono::duration<double>(last - t0).count();
  r.events_per_s = secs > 0 ? static_cast<double>(ack_us.size()) / secs : 0;
  r.p50_us = ack_us.empty() ? 0 : quantile(ack_us, 0.5);
  r.p99_us = ack_us.empty() ? 0 : quantile(ack_us, 0.99);
  return r;
}

// A side under test: a fresh emulator and a client that holds kConnections sockets to it.
class Side {
 public:
  virtual ~Side() = default;
  virtual Emulator& emulator() = 0;
  std::string error;  // why this side cannot be measured (empty: fine so far)

  // Injects a burst and waits for its acks; the figures of the burst, or nullopt (with `error`)
  // when it was not fully acked.
  std::optional<Round> burst(int n) {
    auto t0 = emulator().inject(n);  // every delivery of the burst exists once this returns
    if (!emulator().wait_acked(milliseconds(120000))) {
      error = "a burst of " + std::to_string(n) + " events was not fully acked within 120 s";
      return std::nullopt;
    }
    Round r = summarise(emulator().ws().deliveries(), next_, t0);
    next_ += static_cast<std::size_t>(n);
    return r;
  }

 private:
  std::size_t next_ = 0;  // deliveries so far
};

// The medians over rounds of one side.
json::value result(const std::vector<Round>& rounds) {
  if (rounds.empty()) return nullptr;
  auto median = [&](double Round::*field) {
    std::vector<double> v;
    v.reserve(rounds.size());
    for (const auto& r : rounds) v.push_back(r.*field);
    return investigators::analysis::quantile(v, 0.5);
  };
  json::array per_round;
  int redeliveries = 0;
  for (const auto& r : rounds) {
    per_round.push_back(std::llround(r.events_per_s));
    redeliveries += r.redeliveries;
  }
  return json::object{{"events_per_s", std::llround(median(&Round::events_per_s))},
                      {"ack_us", {{"p50", std::llround(median(&Round::p50_us))}, {"p99", std::llround(median(&Round::p99_us))}}},
                      {"events_per_s_by_round", per_round},
                      {"redeliveries", redeliveries},
                      {"connections", kConnections}};
}

// Side "alertbot": SocketModeClient + SQLite record_event, on its own thread.
class AlertbotSide final : public Side {
 public:
  explicit AlertbotSide(Clock& clock) : emulator_(clock) {
    dir_ = (std::filesystem::temp_directory_path() / ("alertbot-bench-events-" + std::to_string(getpid()))).string();
    std::filesystem::create_directories(dir_);
    store::StoreSettings store_settings;
    store_settings.url = "sqlite://" + dir_ + "/events.db";
    auto store = store::open_store(store_settings, clock);
    if (!store) {
      error = "store: " + store.error().describe();
      return;
    }
    store_ = std::move(*store);
    auto migrated = loop_.call(store_->migrate());
    if (!migrated || !*migrated) {
      error = "store: migration failed";
      return;
    }
    settings_.api_url = emulator_.ws().api_url();
    settings_.app_token = emulator_.ws().settings().app_token;
    settings_.bot_token = emulator_.ws().settings().bot_token;
    settings_.connections = kConnections;
    http_ = make_curl_http_client(loop_.io().get_executor(), clock);
    limiter_ = std::make_unique<slack::RateLimiter>(clock);
    api_ = slack::make_web_api(*http_, *limiter_, settings_);
    store::Store& db = *store_;
    // As bot::EventRouter::on_envelope: persist the raw envelope; the client then acks.
    client_ = std::make_unique<slack::SocketModeClient>(*api_, clock, settings_, [&db](const slack::Envelope& env) -> awaitable<Result<std::optional<std::string>>> {
      store::InboundEvent event{"slack", env.dedupe_key, env.type, env.payload_json};
      auto stored = co_await db.record_event(std::move(event));
      if (!stored) co_return stored.error();
      co_return std::optional<std::string>();
    });
    running_ = true;
    asio::co_spawn(loop_.io(), client_->run(), [this](std::exception_ptr, const Result<void>&) { running_ = false; });
    if (!emulator_.wait_sockets(kConnections, milliseconds(10000))) error = "alertbot did not open its sockets";
  }
  ~AlertbotSide() override {
    if (client_) {
      asio::post(loop_.io(), [this] { client_->stop(); });
      auto end = Steady::now() + std::chrono::seconds(10);
      while (running_ && Steady::now() < end) std::this_thread::sleep_for(milliseconds(10));
    }
    loop_.stop();  // no handler runs while the client, API, HTTP client and store go
    client_.reset();
    api_.reset();
    limiter_.reset();
    http_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Emulator& emulator() override { return emulator_; }

 private:
  Loop loop_;  // the client's thread; declared first so its io_context outlives every member
  Emulator emulator_;
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  slack::SlackSettings settings_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<slack::RateLimiter> limiter_;
  std::unique_ptr<slack::WebApi> api_;
  std::unique_ptr<slack::SocketModeClient> client_;
  std::atomic<bool> running_{false};
};

int shell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Why the Bolt side cannot run here ("" when it can): Node.js and npm present and recent enough,
// tests/node installed (npm ci when node_modules does not match the lock file).
std::string bolt_prerequisites(const std::string& node_dir) {
  if (shell("command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1") != 0) {
    return "node or npm is not on PATH (scripts/install-deps.sh installs them)";
  }
  if (shell(R"(node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 18) ? 0 : 1)')") != 0) {
    return "Node.js is older than 20.18.1, which the pinned @slack packages need";
  }
  if (shell("bash " + quoted(node_dir + "/install.sh") + " " + quoted(node_dir) + " 1>&2") != 0) {
    return "npm ci failed in tests/node (is the npm registry reachable?)";
  }
  return {};
}

// Side "bolt": tests/node/bolt_app.js in a child process.
class BoltSide final : public Side {
 public:
  BoltSide(Clock& clock, const std::string& node_dir) : emulator_(clock) {
    if ((pid_ = spawn(node_dir + "/bolt_app.js")) < 0) {
      error = "cannot start node";
    } else if (!emulator_.wait_sockets(kConnections, milliseconds(60000), [this] { return exited(); })) {
      error = pid_ < 0 ? "the Bolt app exited before connecting" : "the Bolt app did not open its sockets within 60 s";
    }
  }
  ~BoltSide() override {
    if (pid_ < 0) return;
    kill(pid_, SIGTERM);  // bolt_app.js stops its apps and exits; SIGKILL if it hangs
    for (int i = 0; i < 250 && !exited(); ++i) std::this_thread::sleep_for(milliseconds(20));
    if (pid_ >= 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Emulator& emulator() override { return emulator_; }

 private:
  bool exited() {
    if (pid_ >= 0 && waitpid(pid_, nullptr, WNOHANG) == pid_) pid_ = -1;
    return pid_ < 0;
  }

  // `node script` with the emulator's address and tokens; its stdout goes to our stderr (our
  // stdout carries only the JSON result).
  pid_t spawn(const std::string& script) {
    const auto& ws = emulator_.ws();
    std::vector<std::string> env{"SLACK_API_URL=" + ws.api_url(), "SLACK_BOT_TOKEN=" + ws.settings().bot_token,
                                 "SLACK_APP_TOKEN=" + ws.settings().app_token, "BOLT_CONNECTIONS=" + std::to_string(kConnections)};
    for (char** e = environ; *e; ++e) {
      std::string_view v(*e);
      if (!v.starts_with("SLACK_") && !v.starts_with("BOLT_")) env.emplace_back(v);
    }
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (auto& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string node = "node", arg = script;
    char* argv[] = {node.data(), arg.data(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    pid_t pid = -1;
    if (posix_spawnp(&pid, "node", &actions, nullptr, argv, envp.data()) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  Emulator emulator_;
  pid_t pid_ = -1;
};

double ratio(double x, double y) { return y > 0 ? std::round(x / y * 100) / 100 : 0; }

}  // namespace

int main(int argc, char** argv) {
  const int events = argc > 1 ? std::max(1, std::atoi(argv[1])) : 2000;
  const int rounds = argc > 2 ? std::clamp(std::atoi(argv[2]), 1, 20) : 3;
  const int warmup = std::min(200, std::max(1, events / 10));
  init_logging(LogLineFormat::Text, "error");
  signal(SIGPIPE, SIG_IGN);
  auto clock = make_system_clock();

  json::object out{{"bench", "slack_events"}, {"events", events}, {"rounds", rounds}, {"warmup", warmup}};
  const std::string node_dir = std::string(ALERTBOT_SOURCE_DIR) + "/tests/node";
  std::string alertbot_error, bolt_error = bolt_prerequisites(node_dir);
  std::vector<Round> alertbot_rounds, bolt_rounds;
  // One round: a fresh side (emulator and client), a warm-up burst, the measured burst.
  auto round = [&](Side& side, std::string& error, std::vector<Round>& rounds) {
    std::optional<Round> r;
    if (side.error.empty() && side.burst(warmup)) r = side.burst(events);
    if (r) rounds.push_back(*r);
    else error = side.error;
  };
  try {
    // The sides take turns, each round on fresh emulators (the emulator's bookkeeping grows with
    // every delivery it keeps), so a noisy neighbour on the machine hits both alike.
    for (int i = 0; i < rounds && alertbot_error.empty(); ++i) {
      {
        AlertbotSide side(*clock);
        round(side, alertbot_error, alertbot_rounds);
      }
      if (bolt_error.empty()) {
        BoltSide side(*clock, node_dir);
        round(side, bolt_error, bolt_rounds);
      }
    }
  } catch (const std::exception& e) {  // an emulator could not start: nothing to measure
    std::fprintf(stderr, "bench_slack_events: %s\n", e.what());
    return 1;
  }
  if (!alertbot_error.empty()) alertbot_rounds.clear();
  if (!bolt_error.empty()) bolt_rounds.clear();
  out["alertbot"] = result(alertbot_rounds);
  out["bolt"] = result(bolt_rounds);
  if (!alertbot_error.empty()) out["alertbot_error"] = alertbot_error;
  if (!bolt_error.empty()) out["bolt_error"] = bolt_error;
  if (out["alertbot"].is_object() && out["bolt"].is_object()) {
    const auto& a = out["alertbot"].as_object();
    const auto& b = out["bolt"].as_object();
    out["ratio"] = {{"events_per_s", ratio(a.at("events_per_s").to_number<double>(), b.at("events_per_s").to_number<double>())},
                    {"ack_p50", ratio(b.at("ack_us").at("p50").to_number<double>(), a.at("ack_us").at("p50").to_number<double>())}};
  } else {
    out["ratio"] = nullptr;
  }
  std::printf("%s\n", json::serialize(out).c_str());
  return out["alertbot"].is_object() ? 0 : 1;
}
