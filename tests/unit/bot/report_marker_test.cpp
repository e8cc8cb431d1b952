// Report messages carry their investigation's marker, so a retry after a crash finds the message
// it posted instead of posting another (bot/report_marker.hpp).
#include "bot/report_marker.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace {

namespace json = boost::json;
using alertbot::bot::carries_report_marker;
using alertbot::bot::report_marker;
using alertbot::bot::with_report_marker;

// A message object as conversations.replies returns it, with `content`'s blocks.
std::string as_message(const alertbot::slack::MessageContent& content) {
  json::object m{{"type", "message"}, {"ts", "1.000100"}, {"text", content.text}};
  if (!content.blocks_json.empty()) m["blocks"] = json::parse(content.blocks_json);
  return json::serialize(m);
}

TEST(ReportMarker, TheFirstBlockCarriesTheInvestigationsMarkerAndTheRestIsKept) {
  alertbot::slack::MessageContent content{
      "report", R"([{"type":"section","text":{"type":"mrkdwn","text":"*Cause*"}},{"type":"divider"}])"};
  auto marked = with_report_marker(content, 42);
  auto blocks = json::parse(marked.blocks_json).as_array();
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].at("block_id").as_string(), "alertbot-investigation-42");
  EXPECT_EQ(blocks[0].at("text").at("text").as_string(), "*Cause*");
  EXPECT_EQ(blocks[1].at("type").as_string(), "divider");
  EXPECT_EQ(marked.text, "report");
  EXPECT_TRUE(carries_report_marker(as_message(marked), 42));
  EXPECT_FALSE(carries_report_marker(as_message(marked), 4));
  EXPECT_FALSE(carries_report_marker(as_message(marked), 420));
}

TEST(ReportMarker, AMessageWithoutBlocksGetsASectionWithItsText) {
  auto marked = with_report_marker({"Investigating *checkout*", ""}, 7);
  auto blocks = json::parse(marked.blocks_json).as_array();
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].at("type").as_string(), "section");
  EXPECT_EQ(blocks[0].at("text").at("text").as_string(), "Investigating *checkout*");
  EXPECT_EQ(blocks[0].at("block_id").as_string(), report_marker(7));
}

TEST(ReportMarker, MessagesWithoutTheMarkerOrMalformedAreNotTheReport) {
  EXPECT_FALSE(carries_report_marker(R"({"ts":"1.0","text":"hi"})", 1));
  EXPECT_FALSE(carries_report_marker(R"({"ts":"1.0","blocks":[{"type":"section","block_id":"other"}]})", 1));
  EXPECT_FALSE(carries_report_marker(R"({"blocks":"not an array"})", 1));
  EXPECT_FALSE(carries_report_marker("{not json", 1));
  EXPECT_FALSE(carries_report_marker(R"([1,2,3])", 1));
}

}  // namespace
