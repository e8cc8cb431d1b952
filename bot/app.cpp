#include "bot/app.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "bot/bot_metrics.hpp"
#include "bot/config.hpp"
#include "bot/commands.hpp"
#include "bot/digest_schedule.hpp"
#include "bot/report_links.hpp"
#include "bot/report_routes.hpp"
#include "bot/event_router.hpp"
#include "bot/hook_routes.hpp"
#include "bot/http_mode.hpp"
#include "bot/intake.hpp"
#include "bot/report.hpp"
#include "bot/store_deploy_history.hpp"
#include "bot/store_past_search.hpp"
#include "bot/task_group.hpp"
#include "bot/wakeup.hpp"
#include "bot/worker.hpp"
#include "investigators/pipeline.hpp"
#include "llm/llm_client.hpp"
#include "investigators/source_registry.hpp"
#include "investigators/sources/deploy_history.hpp"
#include "investigators/sources/past_search.hpp"
#include "investigators/tools/investigator_tools.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/logging.hpp"
#include "net/metrics.hpp"
#include "slack/rate_limiter.hpp"
#include "slack/socket_mode_client.hpp"
#include "slack/web_api.hpp"
#include "store/store.hpp"

namespace alertbot::bot {
namespace {

using namespace boost::asio::experimental::awaitable_operators;
using std::chrono::milliseconds;

// Events younger than this may still be in their first processing: replay leaves them.
constexpr milliseconds kReplayMinAge{30000};
// Events still failing after this are given up (rejected, with their last error).
constexpr milliseconds kReplayGiveUp{3600000};
constexpr milliseconds kReplayEvery{60000};
// How long shutdown waits for events in flight before leaving them to the next start's replay.
constexpr milliseconds kDrainLimit{10000};
// Threads for the analyses (trace differential, log mining); investigations beyond it queue.
constexpr std::size_t kAnalysisThreads = 2;

std::string worker_name() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

class BotApp final : public App {
 public:
  BotApp(asio::any_io_executor ex, const Config& config, Clock& clock, std::unique_ptr<store::Store> store)
      : executor_(ex),
        config_(config),
        clock_(clock),
        store_(std::move(store)),
        http_(make_curl_http_client(ex, clock)),
        limiter_(clock),
        api_(slack::make_web_api(*http_, limiter_, config.slack)),
        deploys_(make_store_deploy_history(*store_)),
        past_(make_store_past_search(*store_)),
        pipeline_(registry_, clock, {}, analysis_pool_.get_executor()),
        wakeup_(ex, clock),
        intake_(*store_, *api_, config_, registry_, clock, wakeup_),
        commands_(*store_, *api_, config_, intake_, registry_, clock),
        llm_(llm::make_llm_client(*http_, clock, config.llm)),
        worker_(*store_, *api_, pipeline_, config_, clock, wakeup_, WorkerSettings{.worker_id = worker_name()}, llm_.get(),
                &tools_),
        replay_wakeup_(ex, clock),
        counter_wakeup_(ex, clock),
        tasks_(ex),
        stop_signal_(ex, asio::steady_timer::time_point::max()) {
    worker_.metrics = &metrics_;
    limiter_.on_call = [this](std::string_view method) { metrics_.slack_calls.with({method}).inc(); };
    limiter_.on_rate_limited = [this](std::string_view method) { metrics_.slack_rate_limited.with({method}).inc(); };
    investigators::register_builtin_sources(registry_, investigators::SourceDeps{*http_, clock, deploys_.get(), past_.get(), ex});
    if (auto r = investigators::register_investigator_tools(
            tools_, investigators::ToolDeps{*http_, clock, registry_, config_.services, past_.get()});
        !r) {
      spdlog::error("tools: {}", r.error().describe());  // a bug: the built-in names are unique
    }
  }

  awaitable<Result<void>> run() override {
    auto version = co_await store_->migrate();
    if (!version) {
      spdlog::error("store: migration failed: {}", version.error().describe());
      co_return version.error();
    }
    auto me = co_await api_->auth_test();
    if (!me) {
      spdlog::error("slack: auth.test failed: {}", me.error().describe());
      co_return me.error();
    }
    spdlog::info("slack: connected to {} as {} (user {}, bot {})", me->team, me->url, me->user_id, me->bot_id);
    if (stopping_) co_return Result<void>();  // stop() came during start-up
    router_ = std::make_unique<EventRouter>(executor_, *store_, config_, intake_, *me, clock_);
    router_->set_commands(&commands_);
    router_->set_metrics(&metrics_);
    const bool http_mode = config_.slack.mode == slack::SlackMode::Http;
    if (!http_mode) {
      socket_ = std::make_unique<slack::SocketModeClient>(*api_, clock_, config_.slack, envelope_handler());
    }
    if (config_.has_server) {
      if (auto r = start_server(); !r) co_return r.error();
    }
    tasks_.spawn(worker_.run(), "worker");
    tasks_.spawn(replay_loop(), "replay");
    tasks_.spawn(intake_.run_counters(counter_wakeup_), "counters");
    if (config_.has_digest) {
      digest_ = std::make_unique<DigestScheduler>(*store_, *api_, config_.digest, clock_, worker_name());
      tasks_.spawn(digest_->run(), "digest");
    }
    Result<void> result;
    if (http_mode) {
      // Slack comes to us: wait for stop(), then take no more requests before draining.
      while (!stopping_) co_await stop_signal_.async_wait(asio::as_tuple(asio::use_awaitable));
      co_await server_->stop();
      server_.reset();
    } else if (!stopping_) {
      result = co_await socket_->run();
    }
    stopping_ = true;
    if (server_) {
      // No new hooks while the events in flight finish.
      co_await server_->stop();
      server_.reset();
    }
    spdlog::debug("app: sockets closed; finishing events in flight, stopping the worker");
    auto drained = co_await (router_->drain() || clock_.sleep_for(kDrainLimit));
    if (drained.index() == 1) spdlog::warn("shutdown: {} event(s) still in flight; replay picks them up", router_->in_flight());
    worker_.stop();
    replay_wakeup_.notify();
    intake_.stop();
    counter_wakeup_.notify();
    if (digest_) digest_->stop();
    co_await tasks_.join();
    co_return result;
  }

  void stop() override {
    stopping_ = true;
    stop_signal_.cancel();
    if (socket_) socket_->stop();
    worker_.stop();
    replay_wakeup_.notify();
    intake_.stop();
    counter_wakeup_.notify();
    if (digest_) digest_->stop();
  }

  int open_sockets() const override { return socket_ ? socket_->open_sockets() : 0; }
  std::uint16_t http_port() const override { return server_ ? server_->port() : 0; }
  void on_report(std::function<void(const Report&)> cb) override { worker_.on_report = std::move(cb); }

 private:
  // Stored events whose processing never finished (a crash after the ack, a failed intake) are
  // processed again: at start and then every minute.
  awaitable<void> replay_loop() {
    while (!stopping_) {
      auto now = clock_.system_now();
      int n = co_await router_->replay(now - kReplayMinAge, now - kReplayGiveUp);
      if (n > 0) spdlog::info("replay: processed {} stored event(s) again", n);
      if (!co_await replay_wakeup_.wait(kReplayEvery)) break;
    }
  }

  // GET /metrics: the values read at scrape time (queue depth, reconnects), then the text.
  awaitable<ServerResponse> scrape() {
    auto depth = co_await store_->pending_jobs();
    if (depth) metrics_.queue_depth.set(static_cast<double>(*depth));
    if (socket_) {
      // The client counts connects; the counter catches up with those beyond each socket's first.
      const double reconnects = static_cast<double>(socket_->connects() - config_.slack.connections);
      const double counted = metrics_.socket_reconnects.value();
      if (reconnects > counted) metrics_.socket_reconnects.inc(reconnects - counted);
    }
    ServerResponse resp;
    resp.content_type = MetricsRegistry::kContentType;
    resp.body = metrics_registry_.render();
    co_return resp;
  }

  slack::EnvelopeHandler envelope_handler() {
    return [this](const slack::Envelope& env) { return router_->on_envelope(env); };
  }

  // /healthz, /readyz and /metrics; in HTTP mode also the Slack routes (ready as soon as they are
  // served).
  Result<void> start_server() {
    Router router;
    router.add("GET", "/healthz", [](ServerRequest) -> awaitable<ServerResponse> { co_return ServerResponse::text(200, "ok\n"); });
    router.add("GET", "/metrics", [this](ServerRequest) -> awaitable<ServerResponse> { co_return co_await scrape(); });
    router.add("GET", "/readyz", [this](ServerRequest) -> awaitable<ServerResponse> {
      bool ready = !stopping_ && (config_.slack.mode == slack::SlackMode::Http || (socket_ && socket_->open_sockets() > 0));
      co_return ServerResponse::text(ready ? 200 : 503, ready ? "ready\n" : "no Slack socket open\n");
    });
    if (config_.slack.mode == slack::SlackMode::Http) {
      add_slack_http_routes(router, HttpModeSettings{.signing_secret = config_.slack.signing_secret}, clock_,
                            envelope_handler());
    }
    if (config_.has_hooks) add_hook_routes(router, config_.hooks, *store_, clock_, envelope_handler());
    add_report_routes(router, *store_, link_secret_for(config_));
    HttpServerSettings hs;
    hs.listen = config_.server.listen;
    auto server = start_http_server(executor_, hs, std::move(router));
    if (!server) return server.error();
    server_ = std::move(*server);
    spdlog::info("http: listening on {}", config_.server.listen);
    return {};
  }

  // What GET /metrics reads; before every part that counts into it, so it outlives them.
  MetricsRegistry metrics_registry_;
  BotMetrics metrics_ = register_bot_metrics(metrics_registry_);
  asio::any_io_executor executor_;
  const Config& config_;
  Clock& clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<HttpClient> http_;
  slack::RateLimiter limiter_;  // paces every Web API call of this app
  std::unique_ptr<slack::WebApi> api_;
  std::unique_ptr<investigators::DeployHistory> deploys_;
  std::unique_ptr<investigators::PastSearch> past_;
  investigators::SourceRegistry registry_;
  asio::thread_pool analysis_pool_{kAnalysisThreads};  // CPU-heavy analyses, off the event loop
  investigators::Pipeline pipeline_;
  Wakeup wakeup_;
  AlertIntake intake_;
  Commands commands_;
  std::unique_ptr<llm::LlmClient> llm_;  // nullptr with provider none
  investigators::ToolRegistry tools_;    // what the model may call for follow-up questions
  InvestigationWorker worker_;
  Wakeup replay_wakeup_;
  Wakeup counter_wakeup_;  // the intake's counter messages
  std::unique_ptr<DigestScheduler> digest_;  // with a digest: section
  TaskGroup tasks_;   // the worker and replay loops; joined before run() returns
  bool stopping_ = false;
  asio::steady_timer stop_signal_;  // cancelled by stop(): ends run()'s wait in HTTP mode
  std::unique_ptr<EventRouter> router_;
  std::unique_ptr<slack::SocketModeClient> socket_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

Result<std::unique_ptr<App>> App::create(asio::any_io_executor executor, const Config& config, Clock& clock) {
  if (config.slack.mode == slack::SlackMode::Http && !config.has_server) {
    return fail(Errc::InvalidArgument, "cannot run: slack.mode is http but the server section is missing (Slack posts to server.listen)");
  }
  if (auto missing = missing_for_run(config); !missing.empty()) {
    std::string all;
    for (const auto& m : missing) all += (all.empty() ? "" : "; ") + m;
    return fail(Errc::InvalidArgument, "cannot run: " + all);
  }
  // Before anything can log: every secret of the config is masked in every log line.
  for (const auto& s : config.secrets()) register_log_secret(s);
  auto store = store::open_store(config.store, clock);
  if (!store) return store.error();
  return std::unique_ptr<App>(std::make_unique<BotApp>(std::move(executor), config, clock, std::move(*store)));
}

}  // namespace alertbot::bot
