// BotHarness: a test fixture with the whole world the bot talks to, on 127.0.0.1 and a FakeClock:
// the Slack workspace emulator, a Prometheus-compatible endpoint whose checkout latency stepped up
// 12 minutes ago, SQLite in a fresh folder, and a Config watching C0ALERTS with the service
// checkout. Derived fixtures adjust `config_` (Socket Mode or HTTP mode) and start the App.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/report.hpp"
#include "store/store.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/test_certs.hpp"

namespace alertbot::testing {

inline constexpr const char* kHarnessChannel = "C0ALERTS";
inline const std::string kHarnessLatencyQuery =
    "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service=\"checkout\"}[1m])))";

class BotHarness : public ::testing::Test {
 protected:
  // Starts the emulator with `ws` and the Prometheus endpoint, and fills config_ (Slack tokens and
  // api_url from the emulator; no mode-specific settings).
  void start_world(const fakes::SlackWorkspaceSettings& ws) {
    auto workspace = fakes::SlackWorkspace::start(io_.get_executor(), clock_, ws);
    ASSERT_TRUE(workspace);
    ws_ = std::move(*workspace);
    using namespace std::chrono_literals;
    fakes::FakeSeries latency{"http_request_duration_seconds_bucket", {{"service", "checkout"}}, 0.18, 0.9, 0.01,
                              clock_.system_now() - 12min};
    auto prom = fakes::FakePrometheus::start(io_.get_executor(), {latency});
    ASSERT_TRUE(prom);
    prom_ = std::move(*prom);
    dir_ = make_temp_dir("alertbot-bot");
    config_.has_slack = true;
    config_.slack.bot_token = ws.bot_token;
    config_.slack.api_url = ws_->api_url();
    config_.store.url = "sqlite://" + dir_ + "/bot.db";
    config_.channels.push_back({kHarnessChannel, bot::InvestigateMode::Auto});
    investigators::ServiceSettings svc;
    svc.name = "checkout";
    svc.prometheus = investigators::PrometheusSettings{prom_->url(), kHarnessLatencyQuery, "", "", ""};
    svc.deploys.source = investigators::DeploySource::Webhook;
    config_.services.push_back(svc);
  }

  void TearDown() override {
    if (app_) {
      app_->stop();
      run_until(io_, [&] { return !running_; });
      app_.reset();
    }
    seed_.reset();
    if (prom_) run_coro(io_, prom_->stop());
    if (ws_) run_coro(io_, ws_->stop());
  }

  // Creates the App from config_ and spawns run(); the caller waits for what "started" means.
  void launch_app() {
    auto app = bot::App::create(io_.get_executor(), config_, clock_);
    ASSERT_TRUE(app) << app.error().describe();
    app_ = std::move(*app);
    app_->on_report([&](const bot::Report& r) { reports_.push_back(r); });
    running_ = true;
    asio::co_spawn(io_, app_->run(), [&](std::exception_ptr, const Result<void>& r) {
      running_ = false;
      result_ = r;
    });
  }

  // The thread's messages without file shares (the chart the bot uploads under its reports).
  std::vector<fakes::SlackMessage> thread_of(const std::string& channel, const std::string& ts) const {
    auto all = ws_->thread(channel, ts);
    std::erase_if(all, [](const fakes::SlackMessage& m) { return !m.file_ids.empty(); });
    return all;
  }

  // A second connection to the bot's store, for seeding and for reading what the bot stored.
  store::Store& seed() {
    if (!seed_) {
      auto st = store::open_store(config_.store, clock_);
      EXPECT_TRUE(st);
      seed_ = std::move(*st);
      EXPECT_TRUE(run_coro(io_, seed_->migrate()));
    }
    return *seed_;
  }

  asio::io_context io_;
  FakeClock clock_;
  std::unique_ptr<fakes::SlackWorkspace> ws_;
  std::unique_ptr<fakes::FakePrometheus> prom_;
  std::string dir_;
  bot::Config config_;
  std::unique_ptr<store::Store> seed_;
  std::unique_ptr<bot::App> app_;
  bool running_ = false;
  std::optional<Result<void>> result_;
  std::vector<bot::Report> reports_;
};

// The bot in Socket Mode (one socket) against the harness' world, with helpers the flow tests
// share: deploys recorded as the deploy webhook would, alerts posted as Alertmanager's Slack
// notifier does.
class SocketBotHarness : public BotHarness {
 protected:
  void SetUp() override {
    fakes::SlackWorkspaceSettings ws;
    ws.bot_token = "xoxb-1111-test-bot-secret";
    ws.app_token = "xapp-1-test-app-secret";
    start_world(ws);
    config_.slack.app_token = ws.app_token;
    config_.slack.connections = 1;
  }

  // Starts the bot and waits until its socket is open.
  void start_bot() {
    launch_app();
    ASSERT_TRUE(run_until(io_, [&] { return app_->open_sockets() == 1 || !running_; }));
    ASSERT_TRUE(running_);
  }

  // A deploy of checkout v2.13.4 -> v2.14.0 `before` ago, with id `id`.
  void add_deploy(const std::string& id, std::chrono::minutes before) {
    store::DeployRow d;
    d.service = "checkout";
    d.version = "v2.14.0";
    d.previous_version = "v2.13.4";
    d.source = "webhook";
    d.external_id = id;
    d.deployed_at = clock_.system_now() - before;
    ASSERT_TRUE(run_coro(io_, seed().add_deploy(d)));
  }

  // Posts an Alertmanager Slack message titled `title` into the harness channel; returns its ts.
  std::string post_alert(const std::string& title) {
    boost::json::object att{{"title", title}, {"title_link", "http://am.test:9093/#/alerts"}, {"text", ""}, {"color", "danger"}};
    boost::json::object body{{"username", "Alertmanager"}, {"attachments", boost::json::array{att}}};
    auto ts = ws_->post_webhook_message(kHarnessChannel, boost::json::serialize(body));
    EXPECT_TRUE(ts);
    return ts ? *ts : "";
  }
};

}  // namespace alertbot::testing
