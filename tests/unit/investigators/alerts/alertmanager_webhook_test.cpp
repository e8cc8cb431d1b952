#include "investigators/alerts/alertmanager_webhook.hpp"

#include <gtest/gtest.h>

#include "investigators/alerts/alert_limits.hpp"
#include "tests/unit/investigators/alerts/alert_test_util.hpp"

namespace alertbot::investigators {
namespace {

using namespace alert_tests;

TEST(AlertmanagerWebhook, ReadsTheRealGroupOfTwo) {
  auto b = parse_file("alertmanager_webhook.json");
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->format, AlertFormat::AlertmanagerWebhook);
  EXPECT_EQ(b->group_key, "{}:{alertname=\"TargetUp\"}");
  EXPECT_EQ(b->truncated, 0);
  EXPECT_TRUE(b->warnings.empty());
  ASSERT_EQ(b->alerts.size(), 2u);
  const Alert& a = b->alerts[0];
  EXPECT_EQ(a.source, "alertmanager");
  EXPECT_EQ(a.name, "TargetUp");
  EXPECT_EQ(a.status, AlertStatus::Firing);
  EXPECT_EQ(a.severity, "warning");
  EXPECT_EQ(a.service, "");
  EXPECT_EQ(a.fingerprint, "2f484560a1944c05");
  EXPECT_EQ(b->alerts[1].fingerprint, "610e5fa95738003b");
  EXPECT_EQ(a.labels.at("instance"), "127.0.0.1:19093");
  EXPECT_EQ(a.labels.at("job"), "alertmanager");
  EXPECT_EQ(b->alerts[1].labels.at("job"), "prometheus");
  EXPECT_EQ(a.annotations.at("description"), "up=1 for job alertmanager");
  EXPECT_EQ(a.summary, "alertmanager on 127.0.0.1:19093 is up");
  EXPECT_EQ(a.starts_at, epoch(1795578394, 993000000));
  EXPECT_FALSE(a.ends_at.has_value());
  EXPECT_EQ(a.group_key, b->group_key);
  EXPECT_EQ(a.count, 1);
  EXPECT_EQ(a.links.generator, "http://127.0.0.1:19090/graph?g0.expr=up+%3D%3D+1&g0.tab=1");
  EXPECT_EQ(a.links.runbook, "https://runbooks.example/TargetUp");
  EXPECT_EQ(a.links.source, "http://127.0.0.1:19093");
  EXPECT_EQ(a.links.silence,
            "http://127.0.0.1:19093/#/silences/new?filter=%7Balertname%3D%22TargetUp%22%2C%20instance%3D%22127.0.0.1%3A19093"
            "%22%2C%20job%3D%22alertmanager%22%2C%20severity%3D%22warning%22%7D");
}

TEST(AlertmanagerWebhook, TruncatedGroupCountsWhatAlertmanagerDropped) {
  auto b = parse_file("alertmanager_webhook_truncated.json");
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->truncated, 1);
  ASSERT_EQ(b->alerts.size(), 1u);
  EXPECT_EQ(b->alerts[0].fingerprint, "2f484560a1944c05");
}

TEST(AlertmanagerWebhook, ChildRouteGroupKeyAndResolvedEndsAt) {
  auto firing = parse_file("alertmanager_webhook_flapper_firing.json");
  auto resolved = parse_file("alertmanager_webhook_resolved.json");
  ASSERT_TRUE(firing) << firing.error().describe();
  ASSERT_TRUE(resolved) << resolved.error().describe();
  EXPECT_EQ(firing->group_key, "{}/{alertname=\"Flapper\"}:{alertname=\"Flapper\"}");
  EXPECT_EQ(resolved->group_key, firing->group_key);
  const Alert& f = firing->alerts.at(0);
  const Alert& r = resolved->alerts.at(0);
  EXPECT_EQ(f.name, "Flapper");
  EXPECT_EQ(f.status, AlertStatus::Firing);
  EXPECT_EQ(f.severity, "critical");
  EXPECT_EQ(f.labels.at("service"), "checkout");
  EXPECT_EQ(f.summary, "flapping test alert");
  EXPECT_FALSE(f.ends_at.has_value());
  EXPECT_EQ(r.status, AlertStatus::Resolved);
  EXPECT_EQ(r.fingerprint, f.fingerprint);
  ASSERT_TRUE(r.ends_at.has_value());
  EXPECT_EQ(*r.ends_at, epoch(1795578410, 993000000));
  EXPECT_EQ(r.starts_at, epoch(1795578400, 993000000));
}

TEST(AlertmanagerWebhook, InjectedAlertsKeepNineDigitStartsAndLinks) {
  auto b = parse_file("alertmanager_webhook_injected_firing_2alerts.json");
  ASSERT_TRUE(b) << b.error().describe();
  ASSERT_EQ(b->alerts.size(), 2u);
  EXPECT_EQ(b->group_key, "{}:{alertname=\"HighErrorRate\", service=\"checkout\"}");
  const Alert& a = b->alerts[0];
  const Alert& c = b->alerts[1];
  EXPECT_EQ(a.fingerprint, "7a4c345ea5489515");
  EXPECT_EQ(a.starts_at, epoch(1795578473, 698112720));
  EXPECT_EQ(c.fingerprint, "1762d6938f016cb2");
  EXPECT_EQ(c.starts_at, epoch(1795578473, 690154366));
  EXPECT_EQ(c.labels.at("pod"), "checkout-7d9f8b6c5-x2k4q");
  EXPECT_EQ(c.labels.at("namespace"), "prod");
  EXPECT_EQ(c.severity, "page");
  EXPECT_EQ(c.summary, "checkout 5xx ratio above 5%");
  EXPECT_EQ(c.links.dashboard, "https://grafana.example/d/checkout");
  EXPECT_EQ(c.links.runbook, "https://runbooks.example/HighErrorRate");
  EXPECT_EQ(c.service, "");
  auto resolved = parse_file("alertmanager_webhook_injected_resolved.json");
  ASSERT_TRUE(resolved);
  for (const auto& r : resolved->alerts) {
    EXPECT_EQ(r.status, AlertStatus::Resolved);
    ASSERT_TRUE(r.ends_at);
    EXPECT_EQ(*r.ends_at, epoch(1795578474, 692480000));
  }
  auto single = parse_file("alertmanager_webhook_injected_firing.json");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->alerts.at(0).fingerprint, "1762d6938f016cb2");
}

TEST(AlertmanagerWebhook, MixedStatusIsReadPerAlert) {
  std::string body = R"j({"version":"4","status":"firing","groupKey":"g","externalURL":"http://am:9093/","alerts":[
    {"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-01-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z"},
    {"status":"resolved","labels":{"alertname":"A","pod":"p2"},"startsAt":"2026-01-01T09:00:00Z","endsAt":"2026-01-01T10:00:00Z"},
    {"labels":{"alertname":"A","pod":"p3"},"startsAt":"2026-01-01T09:00:00Z"},
    {"status":"pending","labels":{"alertname":"A","pod":"p4"},"startsAt":"2026-01-01T09:00:00Z"}]})j";
  auto b = parse_alerts(body, AlertFormat::AlertmanagerWebhook, test_context());
  ASSERT_TRUE(b) << b.error().describe();
  ASSERT_EQ(b->alerts.size(), 4u);
  EXPECT_EQ(b->alerts[0].status, AlertStatus::Firing);
  EXPECT_EQ(b->alerts[1].status, AlertStatus::Resolved);
  EXPECT_EQ(b->alerts[2].status, AlertStatus::Firing);  // the group's status
  EXPECT_EQ(b->alerts[3].status, AlertStatus::Firing);
  ASSERT_EQ(b->warnings.size(), 1u);
  EXPECT_TRUE(contains(b->warnings[0], "alerts[3].status: unknown status \"pending\"")) << b->warnings[0];
  // Trailing slash of externalURL dropped; fingerprint computed when absent; stable.
  EXPECT_EQ(b->alerts[0].links.silence.rfind("http://am:9093/#/silences/new?filter=", 0), 0u);
  EXPECT_EQ(b->alerts[0].fingerprint.size(), 16u);
  EXPECT_NE(b->alerts[0].fingerprint, b->alerts[1].fingerprint);
}

TEST(AlertmanagerWebhook, MissingAlertnameAndStartsAtWarn) {
  auto b = parse_alerts(R"j({"version":"4","alerts":[{"labels":{"job":"x"}}]})j", AlertFormat::Auto, test_context());
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->alerts.at(0).name, "unnamed");
  EXPECT_EQ(b->alerts.at(0).starts_at, test_context().received_at);
  ASSERT_EQ(b->warnings.size(), 3u);
  EXPECT_EQ(b->warnings[0], "alerts[0].status: missing (here and at the top level); read as firing");
  EXPECT_EQ(b->warnings[1], "alerts[0].startsAt: missing; using the time the alert was received");
  EXPECT_EQ(b->warnings[2], "alerts[0].labels.alertname: missing; named \"unnamed\"");
  EXPECT_EQ(b->group_key, "alertmanager:unnamed");
}

TEST(AlertmanagerWebhook, SilenceLinkEscapesQuotesAndStaysUnderTheCap) {
  std::map<std::string, std::string> labels = {{"alertname", "X"}, {"msg", "a \"b\" \\c"}};
  EXPECT_EQ(alerts::silence_link("http://am:9093", labels),
            "http://am:9093/#/silences/new?filter=%7Balertname%3D%22X%22%2C%20msg%3D%22a%20%5C%22b%5C%22%20%5C%5Cc%22%7D");
  for (int i = 0; i < 100; ++i) labels["l" + std::to_string(i)] = std::string(500, 'v');
  std::string link = alerts::silence_link("http://am:9093", labels);
  EXPECT_LE(link.size(), alerts::kMaxValueBytes);
  EXPECT_TRUE(contains(link, "alertname%3D%22X%22"));
  EXPECT_EQ(alerts::silence_link("", labels), "");
}

TEST(AlertmanagerApiLists, V2AlertsAreFiringWithoutAnEnd) {
  auto b = parse_file("alertmanager_v2_alerts.json");
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->format, AlertFormat::AlertmanagerWebhook);
  ASSERT_EQ(b->alerts.size(), 2u);
  EXPECT_EQ(b->alerts[0].name, "TargetUp");
  EXPECT_EQ(b->alerts[0].fingerprint, "2f484560a1944c05");
  EXPECT_EQ(b->alerts[0].status, AlertStatus::Firing);
  EXPECT_FALSE(b->alerts[0].ends_at.has_value());  // the API's endsAt is an expiry, not an end
  EXPECT_EQ(b->alerts[0].starts_at, epoch(1795578394, 993000000));
  EXPECT_EQ(b->alerts[1].labels.at("job"), "prometheus");
}

TEST(AlertmanagerApiLists, PrometheusAlertsEndpoint) {
  auto b = parse_file("prometheus_alerts.json");
  ASSERT_TRUE(b) << b.error().describe();
  ASSERT_EQ(b->alerts.size(), 2u);
  EXPECT_EQ(b->alerts[0].source, "prometheus");
  EXPECT_EQ(b->alerts[0].name, "TargetUp");
  EXPECT_EQ(b->alerts[0].starts_at, epoch(1795578394, 993714346));
  EXPECT_EQ(b->alerts[0].annotations.at("value"), "1e+00");
  EXPECT_EQ(b->alerts[0].fingerprint.size(), 16u);
  auto error = parse_alerts(R"({"status":"error","errorType":"bad_data","error":"boom","data":{"alerts":[]}})",
                            AlertFormat::Auto, test_context());
  EXPECT_TRUE(contains(error_of(error), "prometheus: status: \"error\": boom"));
  auto pending = parse_alerts(R"({"status":"success","data":{"alerts":[{"labels":{"alertname":"P"},"state":"pending"}]}})",
                              AlertFormat::AlertmanagerWebhook, test_context());
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->alerts.empty());
  EXPECT_EQ(pending->warnings.size(), 1u);
}

}  // namespace
}  // namespace alertbot::investigators
