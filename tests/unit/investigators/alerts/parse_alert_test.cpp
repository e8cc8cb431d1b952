#include "investigators/alerts/parse_alert.hpp"

#include <gtest/gtest.h>

#include "investigators/alerts/alert_limits.hpp"
#include "tests/unit/investigators/alerts/alert_test_util.hpp"

namespace alertbot::investigators {
namespace {

using namespace alert_tests;

TEST(ParseAlerts, AutoDetectsEveryFixture) {
  struct Case {
    const char* file;
    AlertFormat format;
  } cases[] = {
      {"alertmanager_webhook.json", AlertFormat::AlertmanagerWebhook},
      {"alertmanager_webhook_truncated.json", AlertFormat::AlertmanagerWebhook},
      {"alertmanager_webhook_flapper_firing.json", AlertFormat::AlertmanagerWebhook},
      {"alertmanager_webhook_resolved.json", AlertFormat::AlertmanagerWebhook},
      {"alertmanager_webhook_injected_firing.json", AlertFormat::AlertmanagerWebhook},
      {"alertmanager_webhook_injected_firing_2alerts.json", AlertFormat::AlertmanagerWebhook},
      {"alertmanager_webhook_injected_resolved.json", AlertFormat::AlertmanagerWebhook},
      {"alertmanager_v2_alerts.json", AlertFormat::AlertmanagerWebhook},
      {"prometheus_alerts.json", AlertFormat::AlertmanagerWebhook},
      {"alertmanager_slack_firing.json", AlertFormat::AlertmanagerSlack},
      {"alertmanager_slack_resolved.json", AlertFormat::AlertmanagerSlack},
      {"alertmanager_slack_firing_group2.json", AlertFormat::AlertmanagerSlack},
      {"alerts/grafana_webhook_firing.json", AlertFormat::GrafanaWebhook},
      {"alerts/grafana_slack_webhook_body.json", AlertFormat::GrafanaSlack},
      {"alerts/grafana_slack_history_resolved.json", AlertFormat::GrafanaSlack},
      {"alerts/grafana_slack_mixed.json", AlertFormat::GrafanaSlack},
      {"alerts/datadog_webhook_triggered.json", AlertFormat::Datadog},
      {"alerts/datadog_webhook_recovered.json", AlertFormat::Datadog},
      {"alerts/datadog_slack_triggered.json", AlertFormat::Datadog},
      {"alerts/pagerduty_triggered.json", AlertFormat::PagerDuty},
      {"alerts/pagerduty_acknowledged.json", AlertFormat::PagerDuty},
      {"alerts/pagerduty_resolved.json", AlertFormat::PagerDuty},
      {"alerts/generic_single.json", AlertFormat::Generic},
      {"alerts/generic_list.json", AlertFormat::Generic},
      {"alerts/text_alert.txt", AlertFormat::Text},
  };
  for (const auto& c : cases) {
    auto automatic = parse_file(c.file);
    ASSERT_TRUE(automatic) << c.file << ": " << automatic.error().describe();
    EXPECT_EQ(automatic->format, c.format) << c.file;
    EXPECT_FALSE(automatic->alerts.empty()) << c.file;
    auto explicit_format = parse_file(c.file, c.format);
    ASSERT_TRUE(explicit_format) << c.file << ": " << explicit_format.error().describe();
    EXPECT_EQ(explicit_format->alerts.size(), automatic->alerts.size()) << c.file;
    for (const auto& a : automatic->alerts) {
      EXPECT_FALSE(a.name.empty()) << c.file;
      EXPECT_FALSE(a.fingerprint.empty()) << c.file;
      EXPECT_FALSE(a.group_key.empty()) << c.file;
      EXPECT_FALSE(a.summary.empty()) << c.file;
      EXPECT_NE(a.starts_at, Time{}) << c.file;
    }
  }
}

TEST(ParseAlerts, NotAnAlertIsNotFound) {
  for (const char* body : {R"({"hello":"world"})", "[1,2,3]", "[]", R"({"type":"message","user":"U1","text":"lunch?"})"}) {
    auto r = parse_alerts(body, AlertFormat::Auto, test_context());
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, Errc::NotFound) << body << ": " << r.error().message;
  }
}

TEST(ParseAlerts, FormatNamesRoundTrip) {
  for (auto f : {AlertFormat::Auto, AlertFormat::AlertmanagerWebhook, AlertFormat::AlertmanagerSlack,
                 AlertFormat::GrafanaWebhook, AlertFormat::GrafanaSlack, AlertFormat::Datadog, AlertFormat::PagerDuty,
                 AlertFormat::Generic, AlertFormat::Text}) {
    EXPECT_EQ(alert_format_from_string(to_string(f)), f) << to_string(f);
  }
  EXPECT_EQ(alert_format_from_string("Alertmanager-Webhook"), AlertFormat::AlertmanagerWebhook);
  EXPECT_EQ(alert_format_from_string("PagerDuty"), AlertFormat::PagerDuty);
  EXPECT_FALSE(alert_format_from_string("opsgenie"));
  EXPECT_STREQ(to_string(AlertFormat::GrafanaSlack), "grafana-slack");
}

TEST(ParseAlerts, ExplicitFormatOnTheWrongShapeSaysSo) {
  auto am = parse_file("alerts/pagerduty_triggered.json", AlertFormat::AlertmanagerWebhook);
  EXPECT_TRUE(contains(error_of(am), "alertmanager: alerts: missing"));
  auto pd = parse_file("alertmanager_webhook.json", AlertFormat::PagerDuty);
  EXPECT_TRUE(contains(error_of(pd), "pagerduty: event: missing"));
  auto arr = parse_alerts("[]", AlertFormat::GrafanaWebhook, test_context());
  EXPECT_TRUE(contains(error_of(arr), "grafana: body: expected a JSON object, got an array"));
  auto slack = parse_file("alertmanager_webhook.json", AlertFormat::AlertmanagerSlack);
  ASSERT_FALSE(slack);
  EXPECT_EQ(slack.error().code, Errc::NotFound);
}

TEST(ParseAlerts, AtMostAThousandAlertsTheRestCountedAsTruncated) {
  std::string body = R"({"version":"4","truncatedAlerts":5,"alerts":[)";
  for (int i = 0; i < 1500; ++i) {
    body += (i ? "," : "");
    body += R"({"status":"firing","labels":{"alertname":"A","i":")" + std::to_string(i) + R"("},"startsAt":"2026-01-01T00:00:00Z"})";
  }
  body += "]}";
  auto b = parse_alerts(body, AlertFormat::Auto, test_context());
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->alerts.size(), 1000u);
  EXPECT_EQ(b->truncated, 505);
  ASSERT_EQ(b->warnings.size(), 1u);
  EXPECT_TRUE(contains(b->warnings[0], "1500 alerts; only the first 1000"));
  EXPECT_EQ(b->alerts.back().labels.at("i"), "999");
}

TEST(ParseAlerts, LabelAndValueCapsWarn) {
  std::string labels = R"("alertname":"Big","huge":")" + std::string(1 << 20, 'x') + R"(","utf8":")";
  for (int i = 0; i < 5000; ++i) labels += "\xC3\xA9";  // 'é', two bytes: the cut must not split one
  labels += R"(",")" + std::string(300, 'k') + R"(":"long key")";
  for (int i = 0; i < 200; ++i) labels += R"(,"l)" + std::to_string(i) + R"(":"v")";
  std::string body = R"({"version":"4","alerts":[{"labels":{)" + labels + R"(}}]})";
  auto b = parse_alerts(body, AlertFormat::Auto, test_context());
  ASSERT_TRUE(b) << b.error().describe();
  const Alert& a = b->alerts.at(0);
  EXPECT_EQ(a.labels.size(), alerts::kMaxEntries);
  EXPECT_EQ(a.labels.at("huge").size(), alerts::kMaxValueBytes);
  EXPECT_EQ(a.labels.at("utf8").size(), alerts::kMaxValueBytes);
  EXPECT_TRUE(alerts::is_valid_utf8(a.labels.at("utf8")));
  EXPECT_EQ(a.labels.count(std::string(300, 'k')), 0u);
  std::string all;
  for (const auto& w : b->warnings) all += w + "\n";
  EXPECT_TRUE(contains(all, "alerts[0].labels.huge: value of 1048576 bytes cut to 8192")) << all;
  EXPECT_TRUE(contains(all, "alerts[0].labels: 75 entries over the cap of 128 dropped")) << all;
  EXPECT_TRUE(contains(all, "alerts[0].labels: 1 entries with names longer than 256 bytes dropped")) << all;
}

TEST(ParseAlerts, CutUtf8NeverSplitsACharacter) {
  std::string s = "a\xE2\x82\xAC";  // "a€"
  EXPECT_EQ(alerts::cut_utf8(s, 1), "a");
  EXPECT_EQ(alerts::cut_utf8(s, 2), "a");
  EXPECT_EQ(alerts::cut_utf8(s, 3), "a");
  EXPECT_EQ(alerts::cut_utf8(s, 4), s);
  EXPECT_EQ(alerts::sanitize_utf8("ok\xC0\xAFok"), "ok\xEF\xBF\xBD\xEF\xBF\xBDok");  // overlong '/'
  EXPECT_FALSE(alerts::is_valid_utf8("\xED\xA0\x80"));                                  // a surrogate
}

TEST(ParseAlerts, TooLargeBody) {
  std::string body(alerts::kMaxBodyBytes + 1, ' ');
  auto r = parse_alerts(body, AlertFormat::Auto, test_context());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::TooLarge);
}

}  // namespace
}  // namespace alertbot::investigators
