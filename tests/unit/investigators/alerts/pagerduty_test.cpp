#include "investigators/alerts/pagerduty.hpp"

#include <gtest/gtest.h>

#include "tests/unit/investigators/alerts/alert_test_util.hpp"

namespace alertbot::investigators {
namespace {

using namespace alert_tests;

TEST(PagerDuty, TriggeredIncident) {
  auto b = parse_file("alerts/pagerduty_triggered.json");
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->format, AlertFormat::PagerDuty);
  const Alert& a = b->alerts.at(0);
  EXPECT_EQ(a.source, "pagerduty");
  EXPECT_EQ(a.name, "HighErrorRate checkout");
  EXPECT_EQ(a.status, AlertStatus::Firing);
  EXPECT_EQ(a.severity, "p1");
  EXPECT_EQ(a.labels.at("service"), "checkout");
  EXPECT_EQ(a.labels.at("pd_status"), "triggered");
  EXPECT_EQ(a.labels.at("urgency"), "high");
  EXPECT_EQ(a.labels.at("incident_number"), "42");
  EXPECT_EQ(a.labels.at("event_type"), "incident.triggered");
  EXPECT_EQ(a.service, "");
  EXPECT_EQ(a.fingerprint, "Q1XYZABC");
  EXPECT_EQ(a.group_key, "pagerduty:Q1XYZABC");
  EXPECT_EQ(a.links.source, "https://acme.pagerduty.com/incidents/Q1XYZABC");
  EXPECT_EQ(a.starts_at, epoch(1767261600));  // created_at, not occurred_at
  EXPECT_FALSE(a.ends_at.has_value());
}

TEST(PagerDuty, AcknowledgedStaysFiringAndResolvedEnds) {
  auto ack = parse_file("alerts/pagerduty_acknowledged.json");
  ASSERT_TRUE(ack) << ack.error().describe();
  EXPECT_EQ(ack->alerts.at(0).status, AlertStatus::Firing);
  EXPECT_EQ(ack->alerts.at(0).labels.at("pd_status"), "acknowledged");
  EXPECT_EQ(ack->alerts.at(0).severity, "high");  // no priority: the urgency
  EXPECT_EQ(ack->alerts.at(0).labels.count("priority"), 0u);
  auto res = parse_file("alerts/pagerduty_resolved.json");
  ASSERT_TRUE(res) << res.error().describe();
  const Alert& r = res->alerts.at(0);
  EXPECT_EQ(r.status, AlertStatus::Resolved);
  ASSERT_TRUE(r.ends_at.has_value());
  EXPECT_EQ(*r.ends_at, epoch(1767262800, 500000000));
  EXPECT_EQ(r.group_key, ack->alerts.at(0).group_key);
}

TEST(PagerDuty, NonIncidentEventsAreIgnored) {
  for (const char* file : {"alerts/pagerduty_annotated.json", "alerts/pagerduty_service_updated.json"}) {
    auto r = parse_file(file);
    ASSERT_FALSE(r) << file;
    EXPECT_EQ(r.error().code, Errc::NotFound);
    EXPECT_TRUE(contains(r.error().message, "not an incident event: ignored")) << r.error().message;
  }
  auto ping = parse_alerts(R"j({"event":{"event_type":"pagey.ping","resource_type":"pagey","data":{"message":"Hello"}}})j",
                           AlertFormat::PagerDuty, test_context());
  ASSERT_FALSE(ping);
  EXPECT_EQ(ping.error().message, "pagerduty: pagey.ping: not an incident event: ignored");
}

TEST(PagerDuty, MissingAndMistypedFieldsAreNamed) {
  struct Case {
    const char* body;
    const char* expected;
  } cases[] = {
      {R"j({"event":{"event_type":"incident.triggered","data":{"type":"incident","title":"x"}}})j", "pagerduty: event.data.id: missing"},
      {R"j({"event":{"event_type":"incident.triggered","data":{"id":"Q","title":""}}})j", "pagerduty: event.data.title: must not be empty"},
      {R"j({"event":{"event_type":"incident.triggered"}})j", "pagerduty: event.data: missing"},
      {R"j({"event":{"event_type":7}})j", "pagerduty: event.event_type: expected a string, got a number (7)"},
      {R"j({"event":{"event_type":"incident.triggered","data":[]}})j", "pagerduty: event.data: expected an object, got an array"},
      {R"j({"event":{"event_type":"incident.triggered","data":{"id":"Q","title":"t","service":"checkout"}}})j",
       "pagerduty: event.data.service: expected an object, got \"checkout\""},
      {R"j({"event":{"event_type":"incident.triggered","data":{"id":"Q","title":"t","priority":{"summary":1}}}})j",
       "pagerduty: event.data.priority.summary: expected a string"},
      {R"j({"event":{"event_type":"incident.triggered","occurred_at":"later","data":{"id":"Q","title":"t"}}})j",
       "pagerduty: event.occurred_at: timestamp 'later'"},
      {R"j({"event":"incident.triggered"})j", "pagerduty: event: expected an object"},
  };
  for (const auto& c : cases) {
    auto r = parse_alerts(c.body, AlertFormat::PagerDuty, test_context());
    EXPECT_TRUE(contains(error_of(r), c.expected)) << c.body << "\n -> " << (r ? "" : r.error().message);
  }
}

}  // namespace
}  // namespace alertbot::investigators
