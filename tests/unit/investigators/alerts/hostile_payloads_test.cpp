// Broken and hostile payloads for every format: each must give a clear error naming the field
// (or a result within the caps), never a crash and never a slow path.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "investigators/alerts/alert_json.hpp"
#include "investigators/alerts/alert_limits.hpp"
#include "tests/unit/investigators/alerts/alert_test_util.hpp"

namespace alertbot::investigators {
namespace {

using namespace alert_tests;

struct Fixture {
  const char* file;
  AlertFormat format;
  const char* name;  // the format's name in error messages
};

const Fixture kJsonFixtures[] = {
    {"alertmanager_webhook.json", AlertFormat::AlertmanagerWebhook, "alertmanager"},
    {"alertmanager_webhook_injected_firing_2alerts.json", AlertFormat::AlertmanagerWebhook, "alertmanager"},
    {"alertmanager_v2_alerts.json", AlertFormat::AlertmanagerWebhook, "alertmanager"},
    {"alertmanager_slack_firing.json", AlertFormat::AlertmanagerSlack, "alertmanager-slack"},
    {"alerts/grafana_webhook_firing.json", AlertFormat::GrafanaWebhook, "grafana"},
    {"alerts/grafana_slack_history_resolved.json", AlertFormat::GrafanaSlack, "grafana-slack"},
    {"alerts/datadog_webhook_triggered.json", AlertFormat::Datadog, "datadog"},
    {"alerts/pagerduty_triggered.json", AlertFormat::PagerDuty, "pagerduty"},
    {"alerts/generic_list.json", AlertFormat::Generic, "generic"},
};

TEST(HostilePayloads, TruncatedJsonAtEveryCutPointSaysWhere) {
  for (const auto& f : kJsonFixtures) {
    std::string body = testing::read_test_file(f.file);
    std::string_view full = alerts::trim(body);
    for (std::size_t n = 1; n < full.size(); ++n) {
      std::string cut(full.substr(0, n));
      auto r = parse_alerts(cut, f.format, test_context());
      ASSERT_FALSE(r) << f.file << " cut at " << n;
      ASSERT_EQ(r.error().code, Errc::ParseError) << f.file << " cut at " << n << ": " << r.error().message;
      const std::string& m = r.error().message;
      ASSERT_EQ(m.rfind(std::string(f.name) + ": ", 0), 0u) << m;
      ASSERT_TRUE(contains(m, "the JSON ends early at byte " + std::to_string(n) + " of " + std::to_string(n))) << m;
      if (n % 5 != 0) continue;
      auto automatic = parse_alerts(cut, AlertFormat::Auto, test_context());
      ASSERT_FALSE(automatic);
      ASSERT_EQ(automatic.error().message.rfind("alert payload: ", 0), 0u) << automatic.error().message;
    }
  }
}

TEST(HostilePayloads, TruncationNamesTheFieldBeingRead) {
  std::string body = testing::read_test_file("alertmanager_webhook.json");
  auto at = [&](const std::string& marker, std::size_t extra) {
    auto pos = body.find(marker);
    EXPECT_NE(pos, std::string::npos) << marker;
    auto r = parse_alerts(body.substr(0, pos + marker.size() + extra), AlertFormat::AlertmanagerWebhook, test_context());
    return r ? std::string() : r.error().message;
  };
  EXPECT_TRUE(contains(at(R"("alertname":"Tar)", 0), "alertmanager: alerts[0].labels.alertname: the JSON ends early"));
  EXPECT_TRUE(contains(at(R"("job":"prometheus")", 0), "alertmanager: alerts[1].labels.job: the JSON ends early"));
  EXPECT_TRUE(contains(at(R"("groupKey":)", 0), "alertmanager: groupKey: the JSON ends early"));
  auto junk = parse_alerts(R"({"version":"4","alerts":[{"labels":{"alertname":"A"},"startsAt":2026-01-01}]})",
                           AlertFormat::AlertmanagerWebhook, test_context());
  EXPECT_TRUE(contains(error_of(junk), "alertmanager: alerts[0].startsAt: not valid JSON")) << error_of(junk);
  EXPECT_TRUE(contains(error_of(junk), "(line 1, column "));
  auto extra = parse_alerts(R"({"name":"a"} {"name":"b"})", AlertFormat::Generic, test_context());
  EXPECT_TRUE(contains(error_of(extra), "generic: body: extra data after the JSON value at byte 13"));
}

TEST(HostilePayloads, WrongTypeForEachAlertmanagerFieldIsNamed) {
  const std::string item = R"({"status":"firing","labels":{"alertname":"A"},"annotations":{"summary":"s"},)"
                           R"("startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"g","fingerprint":"f"})";
  auto top = [&](const std::string& key, const std::string& value) {
    boost::json::object o = boost::json::parse(R"({"version":"4","status":"firing","groupKey":"g","externalURL":"e",)"
                                               R"("truncatedAlerts":0,"alerts":[)" + item + "]}")
                                .as_object();
    o[key] = boost::json::parse(value);
    return boost::json::serialize(o);
  };
  auto in_item = [&](const std::string& key, const std::string& value) {
    boost::json::object a = boost::json::parse(item).as_object();
    if (key.find('.') == std::string::npos) a[key] = boost::json::parse(value);
    else a[key.substr(0, key.find('.'))].as_object()[key.substr(key.find('.') + 1)] = boost::json::parse(value);
    boost::json::object o{{"version", "4"}, {"alerts", boost::json::array{a}}};
    return boost::json::serialize(o);
  };
  struct Case {
    std::string body;
    std::string expected;
  } cases[] = {
      {top("status", "1"), "alertmanager: status: expected a string, got a number (1)"},
      {top("groupKey", "[]"), "alertmanager: groupKey: expected a string, got an array"},
      {top("externalURL", "{}"), "alertmanager: externalURL: expected a string, got an object"},
      {top("truncatedAlerts", "\"many\""), "alertmanager: truncatedAlerts: expected an integer, got \"many\""},
      {top("truncatedAlerts", "-3"), "alertmanager: truncatedAlerts: out of range"},
      {top("alerts", "{}"), "alertmanager: alerts: expected an array, got an object"},
      {top("alerts", "[1]"), "alertmanager: alerts[0]: expected an object, got a number (1)"},
      {top("version", "4"), "alertmanager: version: expected a string, got a number (4)"},
      {in_item("status", "true"), "alertmanager: alerts[0].status: expected a string, got true"},
      {in_item("labels", "\"alertname=A\""), "alertmanager: alerts[0].labels: expected an object, got \"alertname=A\""},
      {in_item("labels.pod", "7"), "alertmanager: alerts[0].labels.pod: expected a string, got a number (7)"},
      {in_item("annotations", "[]"), "alertmanager: alerts[0].annotations: expected an object, got an array"},
      {in_item("annotations.summary", "{}"), "alertmanager: alerts[0].annotations.summary: expected a string, got an object"},
      {in_item("startsAt", "\"yesterday\""), "alertmanager: alerts[0].startsAt: timestamp 'yesterday'"},
      {in_item("startsAt", "[]"), "alertmanager: alerts[0].startsAt: timestamp: expected a string or a number"},
      {in_item("endsAt", "\"2026-02-30\""), "alertmanager: alerts[0].endsAt: timestamp '2026-02-30'"},
      {in_item("generatorURL", "5"), "alertmanager: alerts[0].generatorURL: expected a string"},
      {in_item("fingerprint", "5"), "alertmanager: alerts[0].fingerprint: expected a string"},
      {in_item("labels.we ird\"key", "[]"), "alertmanager: alerts[0].labels[\"we ird\"key\"]: expected a string"},
  };
  for (const auto& c : cases) {
    auto r = parse_alerts(c.body, AlertFormat::AlertmanagerWebhook, test_context());
    EXPECT_TRUE(contains(error_of(r), c.expected)) << c.body << "\n -> " << (r ? "" : r.error().message);
  }
  auto missing = parse_alerts(R"({"version":"4"})", AlertFormat::AlertmanagerWebhook, test_context());
  EXPECT_TRUE(contains(error_of(missing), "alertmanager: alerts: missing"));
}

TEST(HostilePayloads, DeeplyNestedJsonIsRefused) {
  for (AlertFormat f : {AlertFormat::Auto, AlertFormat::Generic, AlertFormat::AlertmanagerWebhook}) {
    auto r = parse_alerts(std::string(100000, '['), f, test_context());
    EXPECT_TRUE(contains(error_of(r), "JSON nested deeper than 64 levels"));
  }
  std::string deep = R"({"version":"4","alerts":[{"labels":{"x":)" + std::string(70, '[') + std::string(70, ']') + "}}]}";
  auto r = parse_alerts(deep, AlertFormat::Auto, test_context());
  EXPECT_TRUE(contains(error_of(r), "alert payload: alerts[0].labels.x[0][0]")) << error_of(r);
  std::string objects;
  for (int i = 0; i < 5000; ++i) objects += R"({"a":)";
  EXPECT_TRUE(contains(error_of(parse_alerts(objects, AlertFormat::Generic, test_context())), "generic: a.a.a."));
}

TEST(HostilePayloads, NonUtf8BytesInJsonAreNamed) {
  std::string body = "{\"version\":\"4\",\"alerts\":[{\"labels\":{\"alertname\":\"A\xff\xfe\"}}]}";
  auto r = parse_alerts(body, AlertFormat::Auto, test_context());
  EXPECT_TRUE(contains(error_of(r), "alert payload: alerts[0].labels.alertname: not valid JSON (invalid UTF-8)"))
      << error_of(r);
  for (const auto& f : kJsonFixtures) {
    std::string s = testing::read_test_file(f.file);
    s.insert(s.find(':') + 2, "\xC0\xAF");
    auto bad = parse_alerts(s, f.format, test_context());
    ASSERT_FALSE(bad) << f.file;
    EXPECT_EQ(bad.error().code, Errc::ParseError);
  }
}

TEST(HostilePayloads, HundredThousandAlertsAreCappedQuickly) {
  std::string generic = "[";
  std::string am = R"({"version":"4","alerts":[)";
  std::string grafana_text = "**Firing**\n";
  for (int i = 0; i < 100000; ++i) {
    generic += (i ? "," : "") + std::string(R"({"name":"a"})");
    am += (i ? "," : "") + std::string(R"({"labels":{"alertname":"a"}})");
    grafana_text += "Value: A=1\nLabels:\n - alertname = A\n";
  }
  generic += "]";
  am += "]}";
  auto g = parse_alerts(generic, AlertFormat::Auto, test_context());
  ASSERT_TRUE(g) << g.error().describe();
  EXPECT_EQ(g->alerts.size(), 1000u);
  EXPECT_EQ(g->truncated, 99000);
  auto a = parse_alerts(am, AlertFormat::Auto, test_context());
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->alerts.size(), 1000u);
  EXPECT_EQ(a->truncated, 99000);
  EXPECT_LE(a->warnings.size(), alerts::kMaxWarnings + 1);  // 1000 "startsAt missing", capped
  boost::json::object slack{{"username", "Grafana"},
                            {"attachments", boost::json::array{boost::json::object{{"title", "[FIRING:100000] A"},
                                                                                   {"text", grafana_text}}}}};
  auto s = parse_alerts(boost::json::serialize(slack), AlertFormat::Auto, test_context());
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_LE(s->alerts.size(), 1000u);  // the text is cut at 64 KiB before that
  EXPECT_GT(s->alerts.size(), 100u);
}

TEST(HostilePayloads, PathologicalTextStaysLinear) {
  // Each would be quadratic with a naive scan; at these sizes that would take minutes.
  std::string angles(1 << 20, '<');
  boost::json::object msg{{"type", "message"}, {"text", "Triggered: [P1] x " + angles}};
  auto dd = parse_alerts(boost::json::serialize(msg), AlertFormat::Auto, test_context());
  ASSERT_TRUE(dd) << dd.error().describe();
  EXPECT_LE(dd->alerts.at(0).name.size(), alerts::kMaxValueBytes);
  std::string pairs;
  for (int i = 0; i < 100000; ++i) pairs += "k" + std::to_string(i) + "=\"v\" ";
  auto t = parse_alerts("Name " + pairs + std::string(1 << 18, 'w'), AlertFormat::Text, test_context());
  ASSERT_TRUE(t) << t.error().describe();
  EXPECT_EQ(t->alerts.at(0).labels.size(), alerts::kMaxEntries);
  EXPECT_LE(t->alerts.at(0).summary.size(), alerts::kMaxValueBytes);
  std::string words;
  for (int i = 0; i < 200000; ++i) words += "w ";
  auto w = parse_alerts(words, AlertFormat::Text, test_context());
  ASSERT_TRUE(w);
  EXPECT_LE(w->alerts.at(0).summary.size(), alerts::kMaxValueBytes);
  std::string unterminated = "X " + std::string(1 << 18, '"') + " k=\"" + std::string(1 << 18, 'v');
  auto u = parse_alerts(unterminated, AlertFormat::Text, test_context());
  ASSERT_TRUE(u);
  EXPECT_EQ(u->alerts.at(0).labels.at("k").size(), alerts::kMaxValueBytes);
  std::string truncated = R"({"version":"4","alerts":[{"labels":{"alertname":")" + std::string(2 << 20, 'x');
  EXPECT_TRUE(contains(error_of(parse_alerts(truncated, AlertFormat::Auto, test_context())), "alerts[0].labels.alertname"));
}

}  // namespace
}  // namespace alertbot::investigators
