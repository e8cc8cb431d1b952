// The hook routes through the whole bot: alerts POSTed by Grafana, PagerDuty and our generic
// webhook, and deploys on /hooks/deploy. Checks the token (Bearer and Basic), persist-then-answer,
// the alert posted to the hooks channel with the investigation in its thread, deduplication of a
// retried body, and that bad bodies are kept and answered with a reason, never lost.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "bot/report.hpp"
#include "net/http_client.hpp"
#include "store/store.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/test_data.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

constexpr const char* kHooks = "C0HOOKS";
constexpr const char* kToken = "hook-secret-token";

class HookRoutesTest : public testing::BotHarness {
 protected:
  void SetUp() override {
    fakes::SlackWorkspaceSettings ws;
    ws.bot_token = "xoxb-1111-test-bot-secret";
    ws.app_token = "xapp-1-test-app-secret";
    start_world(ws);
    config_.slack.app_token = ws.app_token;
    config_.slack.connections = 1;
    config_.has_server = true;
    config_.server.listen = "127.0.0.1:0";
    config_.has_hooks = true;
    config_.hooks.token = kToken;
    config_.hooks.channel = kHooks;
    launch_app();
    ASSERT_TRUE(run_until(io_, [&] { return (app_->open_sockets() == 1 && app_->http_port() > 0) || !running_; }));
    ASSERT_TRUE(running_);
    http_ = make_curl_http_client(io_.get_executor(), clock_);
  }

  HttpResponse post(const std::string& path, const std::string& body, const std::string& authorization) {
    HttpRequest req;
    req.method = "POST";
    req.url = "http://127.0.0.1:" + std::to_string(app_->http_port()) + path;
    req.headers = {{"Content-Type", "application/json"}};
    if (!authorization.empty()) req.headers.emplace_back("Authorization", authorization);
    req.body = body;
    auto r = run_coro(io_, http_->send(std::move(req)));
    EXPECT_TRUE(r) << r.error().describe();
    return r ? *r : HttpResponse{};
  }

  std::string bearer() const { return std::string("Bearer ") + kToken; }

  // Top-level messages of the hooks channel (thread replies left out).
  std::vector<fakes::SlackMessage> top_level() const {
    std::vector<fakes::SlackMessage> out;
    for (const auto& m : ws_->channel_history(kHooks)) {
      if (m.thread_ts.empty() || m.thread_ts == m.ts) out.push_back(m);
    }
    return out;
  }

  // The bot's thread under the first message of the hooks channel, once its report is in.
  std::vector<fakes::SlackMessage> reported_thread() {
    std::vector<fakes::SlackMessage> thread;
    run_until(io_, [&] {
      auto history = top_level();
      if (history.empty() || reports_.empty()) return false;
      thread = ws_->thread(kHooks, history.front().ts);
      return thread.size() >= 2 && thread[1].edits >= 1;
    });
    return thread;
  }

  std::unique_ptr<HttpClient> http_;
};

TEST_F(HookRoutesTest, RefusesRequestsWithoutTheTokenAndStoresNothing) {
  EXPECT_EQ(post("/hooks/generic", R"({"name":"X"})", "").status, 401);
  EXPECT_EQ(post("/hooks/generic", R"({"name":"X"})", "Bearer wrong").status, 401);
  EXPECT_EQ(post("/hooks/deploy", R"({"service":"checkout","version":"v1"})", "Basic Zm9vOmJhcg==").status, 401);
  auto events = run_coro(io_, seed().list_events(store::EventStatus::Received, clock_.system_now() + 1h, 10));
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->empty());
  EXPECT_TRUE(ws_->channel_history(kHooks).empty());
}

TEST_F(HookRoutesTest, GrafanaAlertIsPostedToTheHooksChannelAndInvestigatedInItsThread) {
  // Grafana's basic auth carries the token as the password.
  const std::string basic = "Basic " + std::string("Z3JhZmFuYTpob29rLXNlY3JldC10b2tlbg==");  // grafana:hook-secret-token
  json::object alert{{"status", "firing"},
                     {"labels", {{"alertname", "HighLatency"}, {"service", "checkout"}, {"severity", "page"}}},
                     {"annotations", {{"summary", "p99 above 2s"}}},
                     {"startsAt", format_rfc3339(clock_.system_now() - 1min)},
                     {"endsAt", "0001-01-01T00:00:00Z"},
                     {"fingerprint", "c6eadffa33fcdf37"},
                     {"dashboardURL", "https://grafana.example/d/xyz"},
                     {"silenceURL", "https://grafana.example/alerting/silence/new"},
                     {"values", {{"B", 2.31}}}};
  json::object body{{"receiver", "bot"},     {"status", "firing"},         {"orgId", 1},
                    {"version", "1"},        {"state", "alerting"},        {"title", "[FIRING:1] HighLatency checkout"},
                    {"groupKey", "{}/{}:{alertname=\"HighLatency\"}"},    {"truncatedAlerts", 0},
                    {"externalURL", "https://grafana.example/"},          {"alerts", json::array{alert}},
                    {"groupLabels", {{"alertname", "HighLatency"}}},      {"commonLabels", {{"alertname", "HighLatency"}}},
                    {"commonAnnotations", json::object{}},                {"message", "**Firing**"}};
  auto answer = post("/hooks/grafana", json::serialize(body), basic);
  EXPECT_EQ(answer.status, 200) << answer.body;

  auto thread = reported_thread();
  ASSERT_GE(thread.size(), 2u);
  EXPECT_EQ(thread[0].bot_id, ws_->settings().bot_id);
  EXPECT_NE(thread[0].text.find("[FIRING:1] HighLatency"), std::string::npos) << thread[0].text;
  EXPECT_NE(thread[0].blocks_json.find("grafana.example/d/xyz"), std::string::npos) << thread[0].blocks_json;
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].result.service, "checkout");
  ASSERT_TRUE(reports_[0].result.alert);
  EXPECT_EQ(reports_[0].result.alert->source, "grafana");
  EXPECT_TRUE(reports_[0].result.onset) << "the latency step should be found";

  // The same body again (a sender's retry) is stored once and posts nothing new.
  EXPECT_EQ(post("/hooks/grafana", json::serialize(body), basic).status, 200);
  run_until(io_, [] { return false; }, 300ms);
  EXPECT_EQ(top_level().size(), 1u);
}

TEST_F(HookRoutesTest, GenericAlertsOfOneGroupBecomeOneIncident) {
  json::object a{{"name", "QueueBacklog"}, {"service", "checkout"}, {"severity", "warning"}, {"fingerprint", "q1"}};
  json::object b = a;
  b["fingerprint"] = "q2";
  json::object body{{"alerts", json::array{a, b}}};
  EXPECT_EQ(post("/hooks/generic", json::serialize(body), bearer()).status, 200);
  auto thread = reported_thread();
  ASSERT_GE(thread.size(), 2u);
  EXPECT_EQ(top_level().size(), 1u);  // both alerts: one card, one investigation
  EXPECT_EQ(reports_.size(), 1u);
}

TEST_F(HookRoutesTest, UnreadableBodiesAreKeptAndRejectedWithAReason) {
  EXPECT_EQ(post("/hooks/pagerduty", R"({"event":{"event_type":"incident.triggered","data":)", bearer()).status, 200);
  std::vector<store::InboundEventRow> rejected;
  run_until(io_, [&] {
    auto r = run_coro(io_, seed().list_events(store::EventStatus::Rejected, clock_.system_now() + 1h, 10));
    if (r) rejected = *r;
    return !rejected.empty();
  });
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].event.kind, "hook:pagerduty");
  EXPECT_NE(rejected[0].note.find("pagerduty"), std::string::npos) << rejected[0].note;
  EXPECT_TRUE(ws_->channel_history(kHooks).empty());
}

TEST_F(HookRoutesTest, DeploysAreValidatedStoredAndDeduplicated) {
  auto bad = post("/hooks/deploy", R"({"service":"checkout","version":7})", bearer());
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("version"), std::string::npos) << bad.body;
  EXPECT_EQ(post("/hooks/deploy", "not json", bearer()).status, 400);
  auto far = post("/hooks/deploy", R"({"service":"checkout","version":"v1","deployed_at":"3000-01-01T00:00:00Z"})", bearer());
  EXPECT_EQ(far.status, 400);
  EXPECT_NE(far.body.find("deployed_at"), std::string::npos) << far.body;
  EXPECT_EQ(post("/hooks/deploy", R"({"service":"checkout","version":"v1","deployed_at":1e300})", bearer()).status, 400);
  const std::string deploy = R"({"service":"checkout","version":"v2.14.0","previous_version":"v2.13.4","id":"deploy-9",)"
                             R"("deployed_at":")" + format_rfc3339(clock_.system_now() - 14min) + R"("})";
  auto ok = post("/hooks/deploy", deploy, bearer());
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(post("/hooks/deploy", deploy, bearer()).status, 409);
  auto stored = run_coro(io_, seed().list_deploys("checkout", clock_.system_now() - 1h, clock_.system_now()));
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].external_id, "deploy-9");
  EXPECT_EQ((*stored)[0].previous_version, "v2.13.4");
  EXPECT_EQ((*stored)[0].deployed_at, clock_.system_now() - 14min);
}

}  // namespace
}  // namespace alertbot::bot
