// ToolRegistry and check_arguments: names and schemas at registration, every schema rule failing
// and passing, and call() with bad arguments, unknown tools, failing and throwing handlers, and
// answers over the size cap (cut at a UTF-8 boundary into valid JSON). Also the answer helpers.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <stdexcept>

#include "investigators/tools/log_tools.hpp"
#include "investigators/tools/tool_json.hpp"
#include "investigators/tools/tool_registry.hpp"
#include "net/time_format.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;
using alertbot::testing::run_coro;

constexpr const char* kSchema = R"j({"type":"object","properties":{
"service":{"type":"string","minLength":1,"maxLength":5},
"minutes":{"type":"integer","minimum":1,"maximum":1440},
"ratio":{"type":"number","minimum":0,"maximum":1},
"verbose":{"type":"boolean"},
"level":{"type":"string","enum":["error","warn"]}},
"required":["service"],"additionalProperties":false})j";

ToolHandler answer_with(std::string text) {
  return [text = std::move(text)](json::object) -> awaitable<Result<std::string>> { co_return text; };
}

ToolHandler echo() {
  return [](json::object args) -> awaitable<Result<std::string>> { co_return json::serialize(args); };
}

json::object obj(const char* text) { return json::parse(text).as_object(); }

std::string check(const char* args) {
  auto r = check_arguments(obj(kSchema), obj(args));
  if (r) return "ok";
  EXPECT_EQ(r.error().code, Errc::InvalidArgument);
  return r.error().message;
}

TEST(ToolRegistry, AddsToolsAndListsThemInOrder) {
  ToolRegistry reg;
  ASSERT_TRUE(reg.add({"alpha_tool", "first", kSchema}, echo()));
  ASSERT_TRUE(reg.add({"beta", "second", R"({"type":"object"})"}, echo()));
  ASSERT_EQ(reg.list().size(), 2u);
  EXPECT_EQ(reg.list()[0].name, "alpha_tool");
  EXPECT_EQ(reg.list()[1].description, "second");
  EXPECT_TRUE(reg.has("beta"));
  EXPECT_FALSE(reg.has("gamma"));
}

TEST(ToolRegistry, RefusesDuplicateNamesBadNamesAndBadSchemas) {
  ToolRegistry reg;
  ASSERT_TRUE(reg.add({"alpha", "", kSchema}, echo()));
  auto dup = reg.add({"alpha", "", kSchema}, echo());
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::Conflict);
  for (const char* name : {"", "Alpha", "has-dash", "digits1", "white space"}) {
    auto r = reg.add({name, "", kSchema}, echo());
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, Errc::InvalidArgument) << name;
  }
  EXPECT_FALSE(reg.add({std::string(65, 'a'), "", kSchema}, echo()));
  EXPECT_TRUE(reg.add({std::string(64, 'a'), "", kSchema}, echo()));
  for (const char* schema : {"[]", "not json", "\"object\"", ""}) {
    auto r = reg.add({"schema_test", "", schema}, echo());
    ASSERT_FALSE(r) << schema;
    EXPECT_EQ(r.error().code, Errc::InvalidArgument);
  }
  EXPECT_EQ(reg.list().size(), 2u);
}

TEST(CheckArguments, RequiredAndAdditionalProperties) {
  EXPECT_EQ(check(R"({"service":"a"})"), "ok");
  EXPECT_EQ(check(R"({})"), "argument service: required");
  EXPECT_EQ(check(R"({"service":"a","foo":1})"), "argument foo: not allowed");
  // Without additionalProperties:false, unknown arguments pass.
  EXPECT_TRUE(check_arguments(obj(R"({"type":"object","properties":{}})"), obj(R"({"foo":1})")));
}

TEST(CheckArguments, Types) {
  EXPECT_EQ(check(R"({"service":5})"), "argument service: must be a string");
  EXPECT_EQ(check(R"({"service":"a","minutes":"5"})"), "argument minutes: must be an integer");
  EXPECT_EQ(check(R"({"service":"a","minutes":5.5})"), "argument minutes: must be an integer");
  EXPECT_EQ(check(R"({"service":"a","minutes":null})"), "argument minutes: must be an integer");
  EXPECT_EQ(check(R"({"service":"a","minutes":5})"), "ok");
  EXPECT_EQ(check(R"({"service":"a","minutes":5.0})"), "ok");
  EXPECT_EQ(check(R"({"service":"a","ratio":"0.5"})"), "argument ratio: must be a number");
  EXPECT_EQ(check(R"({"service":"a","ratio":0.5})"), "ok");
  EXPECT_EQ(check(R"({"service":"a","ratio":1})"), "ok");
  EXPECT_EQ(check(R"({"service":"a","verbose":1})"), "argument verbose: must be a boolean");
  EXPECT_EQ(check(R"({"service":"a","verbose":false})"), "ok");
}

TEST(CheckArguments, BoundsLengthsAndEnums) {
  EXPECT_EQ(check(R"({"service":"a","minutes":1441})"), "argument minutes: must be at most 1440");
  EXPECT_EQ(check(R"({"service":"a","minutes":0})"), "argument minutes: must be at least 1");
  EXPECT_EQ(check(R"({"service":"a","minutes":1440})"), "ok");
  EXPECT_EQ(check(R"({"service":"a","minutes":1})"), "ok");
  EXPECT_EQ(check(R"({"service":"a","ratio":1.5})"), "argument ratio: must be at most 1");
  EXPECT_EQ(check(R"({"service":"a","ratio":-0.1})"), "argument ratio: must be at least 0");
  EXPECT_EQ(check(R"({"service":""})"), "argument service: must be at least 1 characters long");
  EXPECT_EQ(check(R"({"service":"abcdef"})"), "argument service: must be at most 5 characters long");
  // Lengths count characters, not bytes: five two-byte characters fit.
  EXPECT_EQ(check(R"({"service":"\u00e9\u00e9\u00e9\u00e9\u00e9"})"), "ok");
  EXPECT_EQ(check(R"({"service":"a","level":"info"})"), R"(argument level: must be one of "error", "warn")");
  EXPECT_EQ(check(R"({"service":"a","level":"warn"})"), "ok");
}

class ToolCallTest : public ::testing::Test {
 protected:
  Result<std::string> call(std::string_view name, std::string_view args) { return run_coro(io_, reg_.call(name, args)); }
  asio::io_context io_;
  ToolRegistry reg_;
};

TEST_F(ToolCallTest, ChecksArgumentsBeforeTheHandlerRuns) {
  int runs = 0;
  ASSERT_TRUE(reg_.add({"echo", "", kSchema}, [&runs](json::object args) -> awaitable<Result<std::string>> {
    ++runs;
    co_return json::serialize(args);
  }));
  auto ok = call("echo", R"({"service":"abc","minutes":5.0})");
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(json::parse(*ok).at("service"), "abc");
  for (const char* bad : {"{", "[1,2]", "\"text\"", R"({"minutes":5})", R"({"service":"a","minutes":"5"})"}) {
    auto r = call("echo", bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::InvalidArgument) << bad;
  }
  EXPECT_EQ(call("echo", R"({"minutes":5})").error().message, "echo: argument service: required");
  EXPECT_EQ(runs, 1);
}

TEST_F(ToolCallTest, EmptyArgumentsMeanAnEmptyObject) {
  ASSERT_TRUE(reg_.add({"echo", "", R"({"type":"object","properties":{},"additionalProperties":false})"}, echo()));
  auto r = call("echo", "");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(*r, "{}");
}

TEST_F(ToolCallTest, UnknownToolIsNotFound) {
  auto r = call("nope", "{}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotFound);
}

TEST_F(ToolCallTest, HandlerErrorsPassThroughAndThrowsBecomeInternal) {
  ASSERT_TRUE(reg_.add({"failing", "", "{}"}, [](json::object) -> awaitable<Result<std::string>> {
    co_return fail(Errc::HttpStatus, "backend: HTTP 503");
  }));
  ASSERT_TRUE(reg_.add({"throwing", "", "{}"}, [](json::object) -> awaitable<Result<std::string>> {
    throw std::runtime_error("boom");
    co_return std::string("unreachable");
  }));
  // NOLINTNEXTLINE(performance-unnecessary-value-param): a coroutine takes its parameters by value
  ASSERT_TRUE(reg_.add({"throwing_early", "", "{}"}, [](json::object) -> awaitable<Result<std::string>> {
    throw std::logic_error("before any await");
  }));
  auto failed = call("failing", "{}");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::HttpStatus);
  EXPECT_EQ(failed.error().message, "backend: HTTP 503");
  auto thrown = call("throwing", "{}");
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.error().code, Errc::Internal);
  EXPECT_NE(thrown.error().message.find("boom"), std::string::npos) << thrown.error().message;
  auto early = call("throwing_early", "{}");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, Errc::Internal);
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST_F(ToolCallTest, OversizedAnswersAreCutIntoValidJsonAtACharacterBoundary) {
  // 20 KB of text made of three-byte characters, quotes, backslashes and control characters (which
  // grow when quoted).
  std::string big = "{\"text\":\"";
  while (big.size() < 20000) big += "\xE2\x82\xAC\\\"ab\n\x01";
  big += "\"}";
  ASSERT_TRUE(reg_.add({"big", "", "{}"}, answer_with(big)));
  ASSERT_TRUE(reg_.add({"small", "", "{}"}, answer_with("{\"ok\":true}")));
  auto r = call("big", "{}");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_LE(r->size(), kMaxToolResultBytes);
  EXPECT_GT(r->size(), kMaxToolResultBytes - 64);  // the room is used
  boost::system::error_code ec;
  json::value v = json::parse(*r, ec);
  ASSERT_FALSE(ec) << *r;
  EXPECT_EQ(v.at("truncated"), true);
  std::string text(v.at("text").as_string());
  EXPECT_TRUE(valid_utf8(text));
  EXPECT_EQ(big.compare(0, text.size(), text), 0);  // a prefix of the answer
  EXPECT_NE(std::string(v.at("note").as_string()).find(std::to_string(big.size())), std::string::npos);
  auto small = call("small", "{}");
  ASSERT_TRUE(small);
  EXPECT_EQ(*small, "{\"ok\":true}");
}

TEST(ToolJson, NumbersAreRoundedAndTextIsClippedAtCharacterBoundaries) {
  json::object o;
  o["a"] = 0.123456;
  o["b"] = 12345.6;
  o["c"] = 1.0 / 3.0 * 1e-7;
  o["d"] = std::numeric_limits<double>::quiet_NaN();
  o["e"] = 42;
  o["s"] = "q\"";
  EXPECT_EQ(tools::to_compact_json(o), R"({"a":0.1235,"b":12350,"c":3.333e-08,"d":null,"e":42,"s":"q\""})");
  EXPECT_EQ(tools::clip("abcdef", 10), "abcdef");
  EXPECT_EQ(tools::clip("abcdefghijkl", 8), "abcde...");
  EXPECT_EQ(tools::clip("\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", 7, ""), "\xE2\x82\xAC\xE2\x82\xAC");
  EXPECT_EQ(tools::clip("a\xFF" "b", 10), "a\xEF\xBF\xBD" "b");  // an invalid byte becomes U+FFFD
  EXPECT_EQ(tools::rfc3339(from_unix_seconds(1795578000)), "2026-11-25T03:40:00Z");
}

TEST(ToolJson, LineFiltersAreOneQuotedLogqlString) {
  EXPECT_EQ(tools::logql_string("plain"), "\"plain\"");
  EXPECT_EQ(tools::logql_string("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(tools::logql_string("x\ny\t\x01"), R"("x\ny\t\x01")");
  EXPECT_EQ(tools::logql_string("\"} or {a=~\".*"), R"("\"} or {a=~\".*")");
  EXPECT_EQ(tools::with_line_filter("{app=\"checkout\"}", "timeout"), R"({app="checkout"} |= "timeout")");
}

}  // namespace
}  // namespace alertbot::investigators
