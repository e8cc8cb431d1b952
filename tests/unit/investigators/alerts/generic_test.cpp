#include "investigators/alerts/generic.hpp"

#include <gtest/gtest.h>

#include "tests/unit/investigators/alerts/alert_test_util.hpp"

namespace alertbot::investigators {
namespace {

using namespace alert_tests;

TEST(GenericWebhook, SingleAlertMapsOneToOne) {
  auto b = parse_file("alerts/generic_single.json");
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->format, AlertFormat::Generic);
  const Alert& a = b->alerts.at(0);
  EXPECT_EQ(a.source, "generic");
  EXPECT_EQ(a.name, "HighLatency");
  EXPECT_EQ(a.status, AlertStatus::Firing);
  EXPECT_EQ(a.severity, "page");
  EXPECT_EQ(a.service, "checkout");
  EXPECT_EQ(a.summary, "p99 above 2s");
  EXPECT_EQ(a.labels.at("alertname"), "HighLatency");
  EXPECT_EQ(a.labels.at("service"), "checkout");
  EXPECT_EQ(a.labels.at("severity"), "page");
  EXPECT_EQ(a.labels.at("replicas"), "3");
  EXPECT_EQ(a.labels.at("canary"), "false");
  EXPECT_EQ(a.starts_at, epoch(1767261600, 250000000));
  EXPECT_EQ(a.fingerprint, "hl-checkout-prod");
  EXPECT_EQ(a.group_key, "generic:HighLatency");
  EXPECT_EQ(a.links.generator, "https://prom.example/graph?g0.expr=x");
  EXPECT_EQ(a.links.dashboard, "https://grafana.example/d/checkout");
  EXPECT_EQ(a.links.silence, "https://am.example/#/silences/new");
  EXPECT_EQ(a.links.runbook, "https://runbooks.example/HighLatency");  // from the annotation
}

TEST(GenericWebhook, ListWithGroupKeyAndEveryTimestampShape) {
  auto b = parse_file("alerts/generic_list.json");
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->group_key, "deploy-42");
  ASSERT_EQ(b->alerts.size(), 3u);
  EXPECT_EQ(b->alerts[0].starts_at, epoch(1767261600, 500000000));
  EXPECT_EQ(b->alerts[0].group_key, "deploy-42");
  EXPECT_EQ(b->alerts[1].status, AlertStatus::Resolved);
  EXPECT_EQ(b->alerts[1].starts_at, epoch(1767261600));  // epoch ms string
  ASSERT_TRUE(b->alerts[1].ends_at.has_value());
  EXPECT_EQ(*b->alerts[1].ends_at, epoch(1767262200));   // ns string
  EXPECT_EQ(b->alerts[2].starts_at, epoch(1767261600));  // +02:00
  EXPECT_EQ(b->alerts[2].group_key, "queues");
  EXPECT_EQ(b->alerts[2].summary, "QueueBacklog");
  EXPECT_EQ(b->alerts[2].starts_at, b->alerts[1].starts_at);
  EXPECT_NE(b->alerts[0].fingerprint, b->alerts[1].fingerprint);  // service differs
  auto array = parse_alerts(R"j([{"name":"A"},{"name":"B","status":"RESOLVED"}])j", AlertFormat::Auto, test_context());
  ASSERT_TRUE(array) << array.error().describe();
  EXPECT_EQ(array->alerts.size(), 2u);
  EXPECT_EQ(array->alerts[1].status, AlertStatus::Resolved);
  EXPECT_EQ(array->alerts[0].starts_at, test_context().received_at);
}

TEST(GenericWebhook, ErrorsNameTheField) {
  struct Case {
    const char* body;
    const char* expected;
  } cases[] = {
      {R"j({"name":""})j", "generic: name: must not be empty"},
      {R"j({"alerts":[{"name":"a"},{"severity":"x"}]})j", "generic: alerts[1].name: missing"},
      {R"j({"name":"a","status":"ok"})j", "generic: status: expected \"firing\" or \"resolved\", got \"ok\""},
      {R"j({"alerts":[{"name":"a"},{"name":"b","status":"ok"}]})j", "generic: alerts[1].status: expected \"firing\""},
      {R"j({"name":"a","labels":[]})j", "generic: labels: expected an object, got an array"},
      {R"j({"name":"a","labels":{"k":{"x":1}}})j", "generic: labels.k: expected a string or number, got an object"},
      {R"j({"name":"a","annotations":"text"})j", "generic: annotations: expected an object"},
      {R"j({"name":"a","starts_at":"tomorrow"})j", "generic: starts_at: timestamp 'tomorrow'"},
      {R"j({"name":"a","ends_at":true})j", "generic: ends_at: timestamp: expected a string or a number, got true"},
      {R"j({"name":"a","links":{"runbook":5}})j", "generic: links.runbook: expected a string, got a number (5)"},
      {R"j({"name":"a","links":"x"})j", "generic: links: expected an object"},
      {R"j({"name":"a","summary":[1]})j", "generic: summary: expected a string or number, got an array"},
      {R"j({"alerts":"all"})j", "generic: alerts: expected an array, got \"all\""},
      {R"j({"alerts":[]})j", "generic: alerts: no alerts"},
      {R"j([1])j", "generic: [0]: expected an object, got a number (1)"},
      {R"j("HighLatency")j", "generic: body: expected an object or an array"},
  };
  for (const auto& c : cases) {
    auto r = parse_alerts(c.body, AlertFormat::Generic, test_context());
    EXPECT_TRUE(contains(error_of(r), c.expected)) << c.body << "\n -> " << (r ? "" : r.error().message);
  }
}

}  // namespace
}  // namespace alertbot::investigators
