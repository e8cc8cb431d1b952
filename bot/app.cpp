#include "bot/app.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "bot/config.hpp"
#include "bot/event_router.hpp"
#include "bot/intake.hpp"
#include "bot/report.hpp"
#include "bot/store_deploy_history.hpp"
#include "bot/wakeup.hpp"
#include "bot/worker.hpp"
#include "investigators/pipeline.hpp"
#include "investigators/source_registry.hpp"
#include "investigators/sources/deploy_history.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/logging.hpp"
#include "slack/socket_mode_client.hpp"
#include "slack/web_api.hpp"
#include "store/store.hpp"

namespace alertbot::bot {
namespace {

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
        api_(slack::make_web_api(*http_, config.slack)),
        deploys_(make_store_deploy_history(*store_)),
        pipeline_(registry_, clock),
        wakeup_(ex, clock),
        intake_(*store_, *api_, config_, registry_, clock, wakeup_),
        worker_(*store_, *api_, pipeline_, config_, clock, wakeup_, WorkerSettings{.worker_id = worker_name()}) {
    investigators::register_builtin_sources(registry_, investigators::SourceDeps{*http_, clock, deploys_.get()});
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
    router_ = std::make_unique<EventRouter>(executor_, *store_, config_, intake_, *me);
    socket_ = std::make_unique<slack::SocketModeClient>(
        *api_, clock_, config_.slack,
        [this](const slack::Envelope& env) { return router_->on_envelope(env); });
    if (config_.has_server) {
      if (auto r = start_server(); !r) co_return r.error();
    }
    bool worker_done = false;
    asio::steady_timer worker_exit(executor_, asio::steady_timer::time_point::max());
    asio::co_spawn(executor_, worker_.run(), [&](std::exception_ptr e) {
      if (e) spdlog::error("worker: stopped by an exception");
      worker_done = true;
      worker_exit.cancel();
    });
    auto result = co_await socket_->run();
    spdlog::debug("app: sockets closed; finishing events in flight, stopping the worker");
    co_await router_->drain();
    worker_.stop();
    if (!worker_done) co_await worker_exit.async_wait(asio::as_tuple(asio::use_awaitable));
    if (server_) co_await server_->stop();
    co_return result;
  }

  void stop() override {
    if (socket_) socket_->stop();
    worker_.stop();
  }

  int open_sockets() const override { return socket_ ? socket_->open_sockets() : 0; }
  void on_report(std::function<void(const Report&)> cb) override { worker_.on_report = std::move(cb); }

 private:
  Result<void> start_server() {
    Router router;
    router.add("GET", "/healthz", [](ServerRequest) -> awaitable<ServerResponse> { co_return ServerResponse::text(200, "ok\n"); });
    router.add("GET", "/readyz", [this](ServerRequest) -> awaitable<ServerResponse> {
      bool ready = socket_ && socket_->open_sockets() > 0;
      co_return ServerResponse::text(ready ? 200 : 503, ready ? "ready\n" : "no Slack socket open\n");
    });
    HttpServerSettings hs;
    hs.listen = config_.server.listen;
    auto server = start_http_server(executor_, hs, std::move(router));
    if (!server) return server.error();
    server_ = std::move(*server);
    spdlog::info("http: listening on {}", config_.server.listen);
    return {};
  }

  asio::any_io_executor executor_;
  const Config& config_;
  Clock& clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<slack::WebApi> api_;
  std::unique_ptr<investigators::DeployHistory> deploys_;
  investigators::SourceRegistry registry_;
  investigators::Pipeline pipeline_;
  Wakeup wakeup_;
  AlertIntake intake_;
  InvestigationWorker worker_;
  std::unique_ptr<EventRouter> router_;
  std::unique_ptr<slack::SocketModeClient> socket_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

Result<std::unique_ptr<App>> App::create(asio::any_io_executor executor, const Config& config, Clock& clock) {
  if (config.slack.mode == slack::SlackMode::Http) {
    return fail(Errc::InvalidArgument, "slack.mode: http is not available yet (Socket Mode works today)");
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
