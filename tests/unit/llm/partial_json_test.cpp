// partial_string_member on every prefix of real answers: the summary grows monotonically, never
// shows half an escape, and equals the full value once its closing quote arrived.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "llm/partial_json.hpp"

namespace alertbot::llm {
namespace {

TEST(PartialStringMember, GrowsWithEveryPrefixAndEndsAtTheValue) {
  const std::string summary = "Latency rose at 14:02 after deploy \"4121\";\nthe pool\\limit fell. caf\u00e9 \xf0\x9f\x94\xa5";
  boost::json::object o{{"summary", summary}, {"causes", boost::json::array{boost::json::object{{"title", "x"}}}}};
  const std::string text = boost::json::serialize(o);
  std::string last;
  for (std::size_t n = 0; n <= text.size(); ++n) {
    std::string got = partial_string_member(std::string_view(text).substr(0, n), "summary");
    ASSERT_EQ(summary.substr(0, got.size()), got) << "prefix " << n;
    ASSERT_GE(got.size(), last.size()) << "prefix " << n;
    last = got;
  }
  EXPECT_EQ(last, summary);
}

TEST(PartialStringMember, DecodesUnicodeEscapesOnlyWhenComplete) {
  EXPECT_EQ(partial_string_member(R"({"summary":"caf\u00e9 ok")", "summary"), "caf\xc3\xa9 ok");
  EXPECT_EQ(partial_string_member(R"({"summary":"caf\u00)", "summary"), "caf");
  EXPECT_EQ(partial_string_member(R"({"summary":"a\ud83d\udd25b")", "summary"), "a\xf0\x9f\x94\xa5" "b");
  EXPECT_EQ(partial_string_member(R"({"summary":"a\ud83d)", "summary"), "a");
  EXPECT_EQ(partial_string_member(R"({"summary":"a\)", "summary"), "a");
}

TEST(PartialStringMember, AUtf8CharacterCutByThePieceIsLeftOut) {
  EXPECT_EQ(partial_string_member("{\"summary\":\"caf\xc3", "summary"), "caf");
  EXPECT_EQ(partial_string_member("{\"summary\":\"x\xf0\x9f\x94", "summary"), "x");
  EXPECT_EQ(partial_string_member("{\"summary\":\"x\xf0\x9f\x94\xa5", "summary"), "x\xf0\x9f\x94\xa5");
}

TEST(PartialStringMember, OnlyTopLevelMembersAndStrings) {
  EXPECT_EQ(partial_string_member(R"({"causes":[{"summary":"inner"}],"summary":"outer)", "summary"), "outer");
  EXPECT_EQ(partial_string_member(R"({"x":"summary","summary":"yes)", "summary"), "yes");
  EXPECT_EQ(partial_string_member(R"({"summary":42)", "summary"), "");
  EXPECT_EQ(partial_string_member(R"(["summary","no"])", "summary"), "");
  EXPECT_EQ(partial_string_member(R"({"summar)", "summary"), "");
  EXPECT_EQ(partial_string_member("", "summary"), "");
  EXPECT_EQ(partial_string_member(R"(  {"summary" : "spaced)", "summary"), "spaced");
}

}  // namespace
}  // namespace alertbot::llm
