// The whole real path: an alert injected into a real Alertmanager 0.25 (Debian package), whose
// stock slack_configs notifier posts into the Slack workspace emulator's incoming webhook for
// C0ALERTS; the emulator delivers that message over Socket Mode to the bot (App, built in code as
// bot/demo.cpp does), which investigates `checkout` against a real Prometheus and answers in the
// thread. Then the alert is resolved in Alertmanager and the thread gets the "resolved" reply.
// Alertmanager notifies ~10 ms after the injection and the resolve on its next 1 s group tick.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/report.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/real_peers.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/test_certs.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using alertbot::testing::run_coro;
using alertbot::testing::run_until;
using namespace std::chrono_literals;

constexpr const char* kChannel = "C0ALERTS";
constexpr std::chrono::milliseconds kStepLimit{15000};

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

class AlertmanagerToBot : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = fakes::SlackWorkspace::start(io_.get_executor(), *clock_);
    ASSERT_TRUE(ws) << ws.error().describe();
    ws_ = std::move(*ws);
    // Peers that cannot start (not installed, not ready) throw: the test fails with the reason.
    prometheus_ = alertbot::testing::start_prometheus();
    alertbot::testing::AlertmanagerOptions am;
    am.slack_api_url = ws_->incoming_webhook_url(kChannel);
    alertmanager_ = alertbot::testing::start_alertmanager(am);

    config_ = bot_config();
    auto app = App::create(io_.get_executor(), config_, *clock_);
    ASSERT_TRUE(app) << app.error().describe();
    app_ = std::move(*app);
    app_->on_report([this](const Report& r) { report_ = r; });
    running_ = true;
    asio::co_spawn(io_, app_->run(), [this](std::exception_ptr e, const Result<void>& r) {
      running_ = false;
      run_error_ = e ? "exception" : r ? "" : r.error().describe();
    });
    ASSERT_TRUE(run_until(io_, [&] { return app_->open_sockets() > 0 || !running_; }, kStepLimit));
    ASSERT_GT(app_->open_sockets(), 0) << "the bot did not connect to the emulator: " << run_error_;
  }

  void TearDown() override {
    if (app_) {
      app_->stop();
      EXPECT_TRUE(run_until(io_, [&] { return !running_; }, kStepLimit)) << "the bot did not stop";
      EXPECT_EQ(run_error_, "") << "the bot's run() ended with an error";
    }
    if (ws_) run_coro(io_, ws_->stop());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // As bot/demo.cpp builds it: emulator tokens and Web API URL, SQLite in a temp dir, C0ALERTS on
  // auto, and `checkout` (match service=checkout) reading the real Prometheus.
  Config bot_config() const {
    Config c;
    c.path = "(integration test)";
    c.has_slack = true;
    c.slack.app_token = ws_->settings().app_token;
    c.slack.bot_token = ws_->settings().bot_token;
    c.slack.api_url = ws_->api_url();
    c.slack.connections = 1;
    c.store.url = "sqlite://" + dir_ + "/alertbot.db";
    c.channels.push_back(ChannelSettings{kChannel, InvestigateMode::Auto});
    investigators::ServiceSettings svc;
    svc.name = "checkout";
    svc.match = {{"service", "checkout"}};
    investigators::PrometheusSettings prom;
    prom.url = prometheus_->url();
    prom.saturation = "up{job=\"prometheus\"}";
    prom.traffic = "sum(rate(prometheus_http_requests_total[1m]))";
    svc.prometheus = prom;
    c.services.push_back(std::move(svc));
    return c;
  }

  // POST /api/v2/alerts with the test alert; `ends_at` set means "resolved at that time".
  void post_alert(std::optional<SystemTime> ends_at) {
    json::object alert{{"labels", {{"alertname", "HighErrorRate"}, {"service", "checkout"}, {"severity", "critical"}}},
                       {"annotations", {{"summary", "5xx above 5% for checkout"}}},
                       {"generatorURL", prometheus_->url() + "/graph?g0.expr=up&g0.tab=1"}};
    if (ends_at) alert["endsAt"] = format_rfc3339(*ends_at);
    HttpRequest req;
    req.method = "POST";
    req.url = alertmanager_->url() + "/api/v2/alerts";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = json::serialize(json::array{alert});
    auto resp = run_coro(io_, http_->send(std::move(req)));
    ASSERT_TRUE(resp) << resp.error().describe();
    ASSERT_EQ(resp->status, 200) << resp->body << "\n" << alertmanager_->log_tail();
  }

  // The first top-level message in C0ALERTS whose attachment title starts with `title_prefix`.
  std::optional<fakes::SlackMessage> alertmanager_message(const std::string& title_prefix) const {
    for (const auto& m : ws_->channel_history(kChannel)) {
      if (m.thread_ts.empty() && contains(m.attachments_json, "\"title\":\"" + title_prefix)) return m;
    }
    return std::nullopt;
  }

  // The bot's replies in the thread under `parent_ts`, oldest first.
  std::vector<fakes::SlackMessage> bot_replies(const std::string& parent_ts) const {
    std::vector<fakes::SlackMessage> out;
    auto thread = ws_->thread(kChannel, parent_ts);
    for (std::size_t i = 1; i < thread.size(); ++i) {
      if (thread[i].bot_id == ws_->settings().bot_id) out.push_back(thread[i]);
    }
    return out;
  }

  // The Socket Mode envelope that carried the message `ts` to the bot, if any.
  std::optional<fakes::Delivery> delivery_of(const std::string& ts) const {
    for (const auto& d : ws_->deliveries()) {
      boost::system::error_code ec;
      json::value v = json::parse(d.payload_json, ec);
      if (ec || !v.is_object()) continue;
      const json::value* event = v.as_object().if_contains("event");
      const json::value* ets = event && event->is_object() ? event->as_object().if_contains("ts") : nullptr;
      if (ets && ets->is_string() && ets->get_string() == ts) return d;
    }
    return std::nullopt;
  }

  std::string diagnostics() const {
    std::string out = "\nC0ALERTS history:\n";
    for (const auto& m : ws_->channel_history(kChannel)) {
      out += "  ts=" + m.ts + " thread=" + m.thread_ts + " user=" + m.user + " bot=" + m.bot_id + " username=" + m.username +
             " edits=" + std::to_string(m.edits) + " text=" + m.text.substr(0, 160) + " attachments=" +
             m.attachments_json.substr(0, 200) + "\n";
    }
    return out + "alertmanager log:\n" + alertmanager_->log_tail(15);
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_);
  std::string dir_ = alertbot::testing::make_temp_dir("alertbot-integration");
  std::unique_ptr<fakes::SlackWorkspace> ws_;
  std::unique_ptr<alertbot::testing::RealPeer> prometheus_;
  std::unique_ptr<alertbot::testing::RealPeer> alertmanager_;
  Config config_;  // the App keeps a reference: declared before it, so it outlives it
  std::unique_ptr<App> app_;
  bool running_ = false;
  std::string run_error_;
  std::optional<Report> report_;
};

TEST_F(AlertmanagerToBot, FiringAlertGetsAnInvestigatedThreadAndResolvedReply) {
  post_alert(std::nullopt);

  // Alertmanager -> incoming webhook -> Socket Mode -> bot -> placeholder -> report (chat.update).
  std::optional<fakes::SlackMessage> parent;
  auto reported = [&] {
    parent = alertmanager_message("[FIRING:1] HighErrorRate");
    if (!parent || !report_) return false;
    auto replies = bot_replies(parent->ts);
    auto d = delivery_of(parent->ts);
    return !replies.empty() && replies.front().edits >= 1 && d && d->acked;
  };
  ASSERT_TRUE(run_until(io_, reported, kStepLimit)) << "no final report in the alert's thread" << diagnostics();

  // The parent is Alertmanager's own Slack message, as its default template renders it.
  EXPECT_EQ(parent->username, "Alertmanager");
  EXPECT_EQ(parent->subtype, "bot_message");
  EXPECT_TRUE(contains(parent->attachments_json, "\"title\":\"[FIRING:1] HighErrorRate (checkout critical)\""))
      << parent->attachments_json;
  EXPECT_TRUE(contains(parent->attachments_json, "\"color\":\"danger\"")) << parent->attachments_json;
  EXPECT_TRUE(contains(parent->attachments_json, alertmanager_->url())) << parent->attachments_json;

  // The emulator saw the bot ack that envelope, on the first delivery.
  auto delivery = delivery_of(parent->ts);
  ASSERT_TRUE(delivery);
  EXPECT_TRUE(delivery->acked);
  EXPECT_EQ(delivery->attempts, 1);

  // The bot's reply in the thread, updated in place from the placeholder to the final report.
  auto replies = bot_replies(parent->ts);
  ASSERT_EQ(replies.size(), 1u) << diagnostics();
  const auto& reply = replies.front();
  EXPECT_EQ(reply.thread_ts, parent->ts);
  EXPECT_EQ(reply.edits, 1);
  EXPECT_TRUE(contains(reply.blocks_json, "checkout")) << reply.blocks_json;
  EXPECT_TRUE(contains(reply.blocks_json, "HighErrorRate")) << reply.blocks_json;
  EXPECT_TRUE(contains(reply.blocks_json, "Checked:")) << reply.blocks_json;
  EXPECT_TRUE(contains(reply.blocks_json, "prometheus :white_check_mark:")) << reply.blocks_json;
  ASSERT_TRUE(report_);
  EXPECT_EQ(report_->result.service, "checkout");
  ASSERT_TRUE(report_->result.alert);
  EXPECT_EQ(report_->result.alert->name, "HighErrorRate");
  EXPECT_EQ(report_->result.alert->severity, "critical");
  bool prometheus_ok = false;
  for (const auto& s : report_->result.sources) {
    if (s.source == "prometheus") prometheus_ok = s.status == investigators::SourceStatus::Ok;
  }
  EXPECT_TRUE(prometheus_ok) << "the real Prometheus should have answered";

  // Resolve: same labels, endsAt in the past. Alertmanager sends [RESOLVED] on its next tick.
  post_alert(clock_->system_now() - 1s);
  auto resolved_reply = [&]() -> std::optional<fakes::SlackMessage> {
    for (const auto& m : bot_replies(parent->ts)) {
      if (contains(m.text, "resolved")) return m;
    }
    return std::nullopt;
  };
  ASSERT_TRUE(run_until(io_, [&] { return resolved_reply().has_value(); }, kStepLimit))
      << "no resolved reply in the thread" << diagnostics();
  auto resolved_parent = alertmanager_message("[RESOLVED] HighErrorRate");
  ASSERT_TRUE(resolved_parent) << diagnostics();
  EXPECT_TRUE(contains(resolved_parent->attachments_json, "\"color\":\"good\"")) << resolved_parent->attachments_json;
  EXPECT_TRUE(contains(resolved_reply()->text, "HighErrorRate")) << resolved_reply()->text;
  // One firing notification, one investigation: no "fired again" replies, nothing else.
  EXPECT_EQ(bot_replies(parent->ts).size(), 2u) << diagnostics();
  int firing = 0;
  for (const auto& m : ws_->channel_history(kChannel)) firing += contains(m.attachments_json, "[FIRING:");
  EXPECT_EQ(firing, 1) << diagnostics();
}

}  // namespace
}  // namespace alertbot::bot
