// Property test: reports built from hostile findings (random long, unicode, markup- and
// mention-laden text) always pass Slack's Block Kit limits and never ping anyone.
#include <gtest/gtest.h>

#include "bot/report.hpp"
#include "bot/report_blocks.hpp"
#include "tests/fakes/block_kit_rules.hpp"
#include "tests/support/hostile_text.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using testing::collect_text;
using testing::expect_no_ping;
using testing::random_text;

TEST(BlockKitProperty, ReportsBuiltFromHostileFindingsFitAndNeverPing) {
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i) {
    Report r;
    r.id = i;
    investigators::Alert a;
    a.name = random_text(rng, 300);
    a.severity = random_text(rng, 20);
    r.result.alert = a;
    r.result.service = random_text(rng, 100);
    int findings = std::uniform_int_distribution<int>(0, 60)(rng);
    for (int f = 0; f < findings; ++f) {
      investigators::Finding fd;
      fd.id = "m" + std::to_string(f);
      fd.kind = f % 3 == 0 ? "deploy" : "onset";
      fd.title = random_text(rng, 600);
      fd.detail = random_text(rng, 600);
      fd.link = f % 2 ? "https://prom.example/graph?q=" + random_text(rng, 50) : "";
      r.result.findings.push_back(fd);
    }
    int causes = std::uniform_int_distribution<int>(0, 4)(rng);
    for (int c = 0; c < causes; ++c) {
      investigators::Cause cause;
      cause.title = random_text(rng, 2000);
      cause.fix = random_text(rng, 3000);
      cause.confidence = 0.5;
      cause.suspect = {"deploy", random_text(rng, 60), random_text(rng, 200)};
      for (int e = 0; e < findings; e += 3) cause.evidence.push_back("m" + std::to_string(e));
      r.result.causes.push_back(cause);
    }
    for (int n = 0; n < 5; ++n) r.result.notes.push_back(random_text(rng, 400));
    for (int s = 0; s < 8; ++s) {
      r.result.sources.push_back({random_text(rng, 30), investigators::SourceStatus::Failed, random_text(rng, 500), {}});
    }
    auto msg = report_message(r);
    boost::system::error_code ec;
    json::value parsed = json::parse(msg.blocks_json, ec);
    ASSERT_FALSE(ec) << "report " << i;
    EXPECT_EQ(fakes::check_block_kit(msg.blocks_json), "") << "report " << i;
    std::string text;
    collect_text(parsed, text);
    expect_no_ping(text + msg.text, "report " + std::to_string(i));
    EXPECT_LE(msg.text.size(), 40000u);
  }
}

}  // namespace
}  // namespace alertbot::bot
