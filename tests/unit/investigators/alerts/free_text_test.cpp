#include "investigators/alerts/free_text.hpp"

#include <gtest/gtest.h>

#include "tests/unit/investigators/alerts/alert_test_util.hpp"

namespace alertbot::investigators {
namespace {

using namespace alert_tests;

TEST(FreeText, NameLabelsAndSummary) {
  auto b = parse_file("alerts/text_alert.txt");
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->format, AlertFormat::Text);
  const Alert& a = b->alerts.at(0);
  EXPECT_EQ(a.source, "text");
  EXPECT_EQ(a.name, "HighLatency");
  EXPECT_EQ(a.status, AlertStatus::Firing);
  EXPECT_EQ(a.labels.at("service"), "checkout");
  EXPECT_EQ(a.labels.at("severity"), "page");
  EXPECT_EQ(a.labels.at("alertname"), "HighLatency");
  EXPECT_EQ(a.labels.size(), 3u);
  EXPECT_EQ(a.severity, "page");
  EXPECT_EQ(a.service, "checkout");
  EXPECT_EQ(a.summary, "p99 above 2s");
  EXPECT_EQ(a.links.source, "https://grafana.example/d/checkout");
  EXPECT_EQ(a.starts_at, test_context().received_at);
  EXPECT_EQ(a.group_key, "text:HighLatency");
  EXPECT_EQ(a.fingerprint.size(), 16u);
}

TEST(FreeText, QuotedValuesAndAlertnameLabel) {
  auto b = parse_alerts(R"(alertname="Disk Full" env=prod msg='two words' note="say \"hi\"" on db-1)", AlertFormat::Text,
                        test_context());
  ASSERT_TRUE(b) << b.error().describe();
  const Alert& a = b->alerts.at(0);
  EXPECT_EQ(a.name, "Disk Full");
  EXPECT_EQ(a.labels.at("env"), "prod");
  EXPECT_EQ(a.labels.at("msg"), "two words");
  EXPECT_EQ(a.labels.at("note"), "say \"hi\"");
  EXPECT_EQ(a.summary, "on db-1");
  EXPECT_TRUE(b->warnings.empty());
}

TEST(FreeText, StatusWordsAndConfiguredServices) {
  auto b = parse_alerts("RESOLVED HighLatency on payments", AlertFormat::Auto, test_context());
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->alerts.at(0).status, AlertStatus::Resolved);
  EXPECT_EQ(b->alerts.at(0).name, "HighLatency");
  EXPECT_EQ(b->alerts.at(0).service, "payments");
  auto labelled = parse_alerts("Flapper status=resolved", AlertFormat::Text, test_context());
  ASSERT_TRUE(labelled);
  EXPECT_EQ(labelled->alerts.at(0).status, AlertStatus::Resolved);
  EXPECT_EQ(labelled->alerts.at(0).summary, "Flapper");
}

TEST(FreeText, NothingToReadIsNotFound) {
  for (const char* text : {"", "   \n\t ", "env=prod team=x"}) {
    auto r = parse_alerts(text, AlertFormat::Text, test_context());
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, Errc::NotFound);
    EXPECT_TRUE(contains(r.error().message, "no alert in this text"));
  }
}

TEST(FreeText, UnterminatedQuoteAndBadUtf8Warn) {
  auto b = parse_alerts("X msg=\"never closed \xff\xfe", AlertFormat::Text, test_context());
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->alerts.at(0).labels.at("msg"), "never closed \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(b->warnings.size(), 2u);
}

TEST(FreeText, TextFormatReadsASlackMessagesText) {
  auto b = parse_alerts(R"j({"type":"message","user":"U1","text":"HighLatency service=checkout &lt;p99&gt; 3s"})j",
                        AlertFormat::Text, test_context());
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->alerts.at(0).name, "HighLatency");
  EXPECT_EQ(b->alerts.at(0).summary, "<p99> 3s");
}

}  // namespace
}  // namespace alertbot::investigators
