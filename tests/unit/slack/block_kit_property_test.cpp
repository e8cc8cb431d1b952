// Property tests: messages built from long, unicode, markup-laden and mention-laden text (a fixed
// seed, so every run checks the same thousands of cases) always pass Slack's Block Kit limits and
// never carry a pinging mention the template did not put there.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

#include "slack/block_kit.hpp"
#include "slack/mrkdwn.hpp"
#include "tests/fakes/block_kit_rules.hpp"
#include "tests/support/hostile_text.hpp"

namespace alertbot::slack {
namespace {

namespace json = boost::json;
using testing::collect_text;
using testing::expect_no_ping;
using testing::random_text;

TEST(BlockKitProperty, RandomUntrustedTextAlwaysFitsAndNeverPings) {
  std::mt19937 rng(20261201);
  for (int i = 0; i < 500; ++i) {
    BlockKit b;
    b.header(random_text(rng, 400));  // header() neutralises plain text itself
    int sections = std::uniform_int_distribution<int>(0, 70)(rng);
    for (int s = 0; s < sections; ++s) b.section("*" + escape(random_text(rng, 5000)) + "*");
    std::vector<std::string> fields;
    fields.reserve(14);
    for (int f = 0; f < 14; ++f) fields.push_back(escape(random_text(rng, 2500)));
    b.fields(fields);
    std::vector<std::string> ctx;
    ctx.reserve(12);
    for (int c = 0; c < 12; ++c) ctx.push_back(link("https://prom.example/graph?g0.expr=" + random_text(rng, 80), random_text(rng, 40)));
    b.context(ctx);
    std::vector<Button> buttons;
    buttons.reserve(30);
    for (int k = 0; k < 30; ++k) buttons.push_back(Button{random_text(rng, 120), "a" + std::to_string(k), random_text(rng, 3000), "", "primary"});
    b.actions(buttons);
    std::string blocks = b.json();
    boost::system::error_code ec;
    json::value parsed = json::parse(blocks, ec);
    ASSERT_FALSE(ec) << "case " << i << ": not valid JSON (broken UTF-8?)";
    EXPECT_EQ(fakes::check_block_kit(blocks), "") << "case " << i;
    std::string text;
    collect_text(parsed, text);
    expect_no_ping(text, "case " + std::to_string(i));
  }
}

}  // namespace
}  // namespace alertbot::slack
