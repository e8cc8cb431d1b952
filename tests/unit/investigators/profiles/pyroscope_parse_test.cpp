#include <gtest/gtest.h>

#include <string>

#include "investigators/sources/pyroscope_parse.hpp"
#include "tests/fakes/pyroscope_fake.hpp"

namespace alertbot::investigators {
namespace {

// Worked by hand: total(3) -> main(3) -> {a(2, self 2), b(1) -> y(1, self 1)}.
// Level 3 holds only y, at x=2 under b: its offset from the level's start is 2.
constexpr const char* kHandMade = R"j({"version":1,"flamebearer":{"names":["total","main","a","b","y"],
  "levels":[[0,3,0,0],[0,3,0,1],[0,2,2,2,0,1,0,3],[2,1,1,4]],"numTicks":3,"maxSelf":2},
  "metadata":{"format":"single","units":"samples","spyName":"gospy","sampleRate":100}})j";

TEST(Flamebearer, DecodesAHandComputedExample) {
  auto r = parse_flamebearer(kHandMade);
  ASSERT_TRUE(r) << r.error().describe();
  FoldedStacks want{{"main;a", 2}, {"main;b;y", 1}};
  EXPECT_EQ(*r, want);
}

TEST(Flamebearer, KeepsSelfTimeOfInnerFramesAndABareFlamebearer) {
  // total(10) -> main(10, self 4) -> {gc(1, self 1), work(5) -> hash(5, self 5)}; gap of 0.
  auto r = parse_flamebearer(R"j({"names":["total","main","gc","work","hash"],
    "levels":[[0,10,0,0],[0,10,4,1],[0,1,1,2,0,5,0,3],[1,5,5,4]],"numTicks":10,"maxSelf":5})j");
  ASSERT_TRUE(r) << r.error().describe();
  FoldedStacks want{{"main", 4}, {"main;gc", 1}, {"main;work;hash", 5}};
  EXPECT_EQ(*r, want);
}

TEST(Flamebearer, RoundTripsThroughTheFakesEncoder) {
  FoldedStacks stacks{{"main;http.Serve;handler;pricing.Compute", 300},
                      {"main;http.Serve;handler;db.Query", 700},
                      {"main;http.Serve;handler", 11},
                      {"main;runtime.gcBgMarkWorker", 42},
                      {"main;http.Serve;auth.Check;crypto.Verify", 9},
                      {"worker;queue.Pop", 5}};
  auto r = parse_flamebearer(fakes::FakePyroscope::flamebearer_json(stacks, "process_cpu:cpu:nanoseconds:cpu:nanoseconds"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(*r, stacks);
  auto empty = parse_flamebearer(fakes::FakePyroscope::flamebearer_json({}));
  ASSERT_TRUE(empty) << empty.error().describe();
  EXPECT_TRUE(empty->empty());
}

TEST(Flamebearer, RejectsMalformedInputNamingTheField) {
  struct Case {
    const char* body;
    const char* expect;
  } cases[] = {
      {R"j({"names":["total"],"levels":[[0,1,1,1]]})j", "levels[0][3]: name index 1 out of range"},
      {R"j({"names":["total"],"levels":[[0,1,1]]})j", "levels[0]: length 3 is not a multiple of 4"},
      {R"j({"names":["total"],"levels":[[0,1,2,0]]})j", "levels[0][2]: self exceeds total"},
      {R"j({"names":["total"],"levels":[[0,-1,0,0]]})j", "levels[0][1]: expected a non-negative integer"},
      {R"j({"names":["total"],"levels":[[0,"1",0,0]]})j", "levels[0][1]: expected a non-negative integer"},
      {R"j({"names":["t","a"],"levels":[[0,2,0,0],[1,2,2,1]]})j", "levels[1]: node at x=1 lies outside"},
      {R"j({"names":["t","a"],"levels":[[0,2,0,0],[3,1,1,1]]})j", "levels[1]: node at x=3 lies outside"},
      {R"j({"names":[1],"levels":[]})j", "names[0]: expected a string"},
      {R"j({"names":[],"levels":{}})j", "levels: missing or not an array"},
      {R"j({"levels":[]})j", "names: missing"},
      {R"j({"names":["t"],"levels":[7]})j", "levels[0]: expected an array"},
      {R"j({"flamebearer":[]})j", "flamebearer: expected an object"},
      {R"j({"flamebearer":{"names":["total"],"levels":[]},"metadata":{"format":"double"}})j", "'double' is not supported"},
      {R"j({"names":["t"],"levels":[[0,99999999999999999999,0,0]]})j", "expected a non-negative integer"},
      {"404 page not found", "not JSON"},
  };
  for (const auto& c : cases) {
    auto r = parse_flamebearer(c.body);
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().code, Errc::ParseError) << c.body;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << c.body << " -> " << r.error().message;
  }
}

TEST(Flamebearer, TruncatedAnswersFailCleanly) {
  std::string doc = kHandMade;
  for (std::size_t n = 0; n < doc.size(); ++n) EXPECT_FALSE(parse_flamebearer(std::string_view(doc).substr(0, n))) << n;
}

TEST(Flamebearer, DeepProfilesAreRefused) {
  std::string levels;
  for (std::size_t i = 0; i <= kMaxProfileDepth; ++i) levels += std::string(i ? "," : "") + "[0,1,0,0]";
  auto r = parse_flamebearer(R"j({"names":["f"],"levels":[)j" + levels + "]}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::TooLarge);
}

TEST(Folded, ParsesLinesAndAddsRepeats) {
  auto r = parse_folded("main;a 3\n# comment\n\nmain;b;y 1\r\nmain;a 2\nmain 1.5\n");
  ASSERT_TRUE(r) << r.error().describe();
  FoldedStacks want{{"main;a", 5}, {"main;b;y", 1}, {"main", 1.5}};
  EXPECT_EQ(*r, want);
  auto spaced = parse_folded("main;do work 7");  // frames may hold spaces: the weight is the last field
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->at("main;do work"), 7);
}

TEST(Folded, RejectsBadLinesWithTheirNumber) {
  auto no_weight = parse_folded("main;a 3\nmain;b\n");
  ASSERT_FALSE(no_weight);
  EXPECT_NE(no_weight.error().message.find("folded line 2: expected '<stack> <weight>'"), std::string::npos);
  auto bad = parse_folded("main;a x1\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("folded line 1: weight 'x1'"), std::string::npos);
  EXPECT_FALSE(parse_folded("main -3\n"));
  EXPECT_FALSE(parse_folded("main nan\n"));
  EXPECT_FALSE(parse_folded(" 5\n"));
}

}  // namespace
}  // namespace alertbot::investigators
