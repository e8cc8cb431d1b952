#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "slack/block_kit.hpp"
#include "slack/mrkdwn.hpp"

namespace alertbot::slack {
namespace {

TEST(Mrkdwn, EscapesControlCharactersAndDefusesMentions) {
  EXPECT_EQ(escape("a & b < c > d"), "a &amp; b &lt; c &gt; d");
  EXPECT_EQ(escape("<!channel> <@U123> <!subteam^S1>"), "&lt;!channel&gt; &lt;@U123&gt; &lt;!subteam^S1&gt;");
  std::string here = escape("ping @here and @channel");
  EXPECT_EQ(here.find("@here"), std::string::npos);
  EXPECT_EQ(here.find("@channel"), std::string::npos);
  EXPECT_NE(here.find("@\xE2\x80\x8Bhere"), std::string::npos);
  EXPECT_EQ(escape("user@example.com"), "user@example.com");
}

TEST(Mrkdwn, LinksOnlyHttpAndCannotBeBrokenOutOf) {
  EXPECT_EQ(link("https://x.test/a?b=1&c=2", "graph"), "<https://x.test/a?b=1&amp;c=2|graph>");
  EXPECT_EQ(link("https://x.test/a|<!here>", "g"), "<https://x.test/a%7C%3C!here%3E|g>");
  EXPECT_EQ(link("javascript:alert(1)", "x<y"), "x&lt;y");
}

TEST(Mrkdwn, TruncationKeepsUtf8EntitiesAndLinksWhole) {
  std::string s = "héllo wörld";
  for (std::size_t n = 4; n < s.size(); ++n) {
    std::string t = truncate_utf8(s, n);
    EXPECT_LE(t.size(), n);
    EXPECT_TRUE(boost::json::parse("\"" + t + "\"").is_string());  // still valid UTF-8 for JSON
  }
  EXPECT_EQ(truncate_utf8("ab &amp; cd", 8), "ab \xE2\x80\xA6");
  EXPECT_EQ(truncate_utf8("see <https://x.test/long|graph> now", 20), "see \xE2\x80\xA6");
  EXPECT_EQ(truncate_utf8("short", 10), "short");
}

TEST(BlockKit, EnforcesPerBlockAndMessageLimits) {
  BlockKit b;
  b.header(std::string(400, 'h'));
  b.section(std::string(5000, 's'));
  std::vector<std::string> many(15, "f");
  b.fields(many);
  for (int i = 0; i < 80; ++i) b.section("line " + std::to_string(i));
  auto blocks = boost::json::parse(b.json()).as_array();
  EXPECT_LE(blocks.size(), 50u);
  EXPECT_LE(blocks[0].at("text").at("text").as_string().size(), 150u);
  EXPECT_LE(blocks[1].at("text").at("text").as_string().size(), 3000u);
  EXPECT_EQ(blocks[2].at("fields").as_array().size(), 10u);
  EXPECT_TRUE(b.truncated());
  EXPECT_NE(std::string(blocks.back().at("elements").at(0).at("text").as_string()).find("left out"), std::string::npos);
}

TEST(BlockKit, ButtonsAreCutToSlacksLimits) {
  BlockKit b;
  std::vector<Button> buttons;
  buttons.reserve(30);
  for (int i = 0; i < 30; ++i) {
    buttons.push_back(Button{std::string(100, 'x') + " <!here>", "act-" + std::to_string(i), std::string(2500, 'v'),
                             i == 0 ? "https://report.example/r/1" : "", i == 1 ? "danger" : i == 2 ? "loud" : ""});
  }
  b.actions(buttons, "feedback");
  auto blocks = boost::json::parse(b.json()).as_array();
  ASSERT_EQ(blocks.size(), 1u);
  const auto& els = blocks[0].at("elements").as_array();
  EXPECT_EQ(els.size(), 25u);
  for (const auto& e : els) {
    EXPECT_LE(e.at("text").at("text").as_string().size(), 75u);
    EXPECT_LE(e.at("value").as_string().size(), 2000u);
    EXPECT_EQ(std::string(e.at("text").at("text").as_string()).find("<!here>"), std::string::npos);
  }
  EXPECT_EQ(els[0].at("url").as_string(), "https://report.example/r/1");
  EXPECT_EQ(els[1].at("style").as_string(), "danger");
  EXPECT_FALSE(els[2].as_object().contains("style")) << "only primary and danger exist";
  EXPECT_EQ(blocks[0].at("block_id").as_string(), "feedback");
}

TEST(BlockKit, TotalTextStaysUnderSlacksAggregateLimit) {
  BlockKit b;
  for (int i = 0; i < 10; ++i) b.section(std::string(2900, 'x'));
  std::size_t total = 0;
  boost::json::value parsed = boost::json::parse(b.json());
  for (const auto& blk : parsed.as_array()) {
    if (blk.as_object().contains("text")) total += blk.at("text").at("text").as_string().size();
  }
  EXPECT_LE(total, 13000u);
}

}  // namespace
}  // namespace alertbot::slack
