#include <gtest/gtest.h>

#include <string>

#include "investigators/sources/loki_parse.hpp"

namespace alertbot::investigators {
namespace {

using std::chrono::nanoseconds;

Time ns(long long v) { return Time(std::chrono::duration_cast<Time::duration>(nanoseconds(v))); }

// The example of the data-source spec, section 4.
constexpr const char* kSpecExample = R"j({"status":"success","data":{"resultType":"streams","stats":{"summary":{"totalEntriesReturned":2}},"result":[
 {"stream":{"app":"checkout","namespace":"prod","level":"error"},"values":[
  ["1767261601000000000","level=error msg=\"charge failed\" trace_id=4bf92f3577b34da6a3ce929d0e0e4736"],
  ["1767261600500000000","level=error msg=\"upstream timeout\""]]}]}})j";

TEST(LokiParse, ReadsTheSpecExample) {
  auto r = parse_loki_streams(kSpecExample);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].t, ns(1767261601000000000));
  EXPECT_EQ((*r)[1].t, ns(1767261600500000000));
  EXPECT_EQ((*r)[0].line, "level=error msg=\"charge failed\" trace_id=4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ((*r)[0].level, "error");
}

TEST(LokiParse, ThreeElementEntriesTakeTheLevelFromTheirMetadata) {
  auto r = parse_loki_streams(R"j({"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],
    "result":[{"stream":{"app":"checkout"},"values":[
      ["1767261601000000001","charge ok",{"structuredMetadata":{"detected_level":"WARNING","trace_id":"abc"}}],
      ["1767261601000000002","plain line",{}],
      ["1767261601000000003","parsed line",{"parsed":{"severity":"fatal"}}]]}]}})j");
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].level, "warn");
  EXPECT_EQ((*r)[0].t, ns(1767261601000000001));
  EXPECT_EQ((*r)[1].level, "");
  EXPECT_EQ((*r)[2].level, "critical");
}

TEST(LokiParse, LevelFromTheLineWhenNoLabelSaysIt) {
  EXPECT_EQ(level_from_line("ts=1 level=error msg=x"), "error");
  EXPECT_EQ(level_from_line("ts=1 lvl=WARN msg=x"), "warn");
  EXPECT_EQ(level_from_line(R"j({"ts":1,"level":"info","msg":"x"})j"), "info");
  EXPECT_EQ(level_from_line(R"j({"ts":1,"level": "error","msg":"x"})j"), "error");
  EXPECT_EQ(level_from_line("2026-01-01 10:00:00 ERROR payment failed"), "error");
  EXPECT_EQ(level_from_line("[WARN] disk almost full"), "warn");
  EXPECT_EQ(level_from_line("FATAL: out of memory"), "critical");
  EXPECT_EQ(level_from_line("loglevel=debug x"), "debug");
  EXPECT_EQ(level_from_line("the user's ERRORS page was viewed"), "");  // ERRORS is not a level
  EXPECT_EQ(level_from_line("sublevel=error x"), "");                   // not the key "level"
  EXPECT_EQ(level_from_line("nothing to see"), "");
  EXPECT_EQ(normalize_log_level("Warning"), "warn");
  EXPECT_EQ(normalize_log_level("unknown"), "");
}

TEST(LokiParse, StreamLabelsBeatTheLine) {
  auto r = parse_loki_streams(R"j({"status":"success","data":{"resultType":"streams","result":[
    {"stream":{"severity":"info"},"values":[["1","level=error but labelled info"]]},
    {"stream":{"app":"x"},"values":[["2","level=error from the line"]]}]}})j");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ((*r)[0].level, "info");
  EXPECT_EQ((*r)[1].level, "error");
}

TEST(LokiParse, TimestampsMustBeDecimalStrings) {
  auto number = parse_loki_streams(R"j({"status":"success","data":{"resultType":"streams","result":[
    {"stream":{},"values":[["1","ok"],[1767261601000000000,"x"]]}]}})j");
  ASSERT_FALSE(number);
  EXPECT_EQ(number.error().code, Errc::ParseError);
  EXPECT_NE(number.error().message.find("data.result[0].values[1][0]: expected a decimal string (nanoseconds)"), std::string::npos)
      << number.error().message;
  auto letters = parse_loki_streams(R"j({"status":"success","data":{"resultType":"streams","result":[
    {"stream":{},"values":[["17672616a","x"]]}]}})j");
  ASSERT_FALSE(letters);
  EXPECT_NE(letters.error().message.find("not a nanosecond timestamp"), std::string::npos);
  auto too_long = parse_loki_streams(R"j({"status":"success","data":{"resultType":"streams","result":[
    {"stream":{},"values":[["99999999999999999999","x"]]}]}})j");
  EXPECT_FALSE(too_long);
}

TEST(LokiParse, WrongTypesNameTheField) {
  struct Case {
    const char* body;
    const char* expect;
  } cases[] = {
      {R"j({"status":"success","data":{"resultType":"streams","result":{}}})j", "data.result: missing or not an array"},
      {R"j({"status":"success","data":{"resultType":"streams","result":[1]}})j", "data.result[0]: expected an object"},
      {R"j({"status":"success","data":{"resultType":"streams","result":[{"stream":[],"values":[]}]}})j", "data.result[0].stream"},
      {R"j({"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":"x"}]}})j", "data.result[0].values"},
      {R"j({"status":"success","data":{"resultType":"streams","result":[{"values":[["1",2]]}]}})j", "values[0][1]: expected a string"},
      {R"j({"status":"success","data":{"resultType":"streams","result":[{"values":[["1"]]}]}})j", "values[0]: expected [ns, line]"},
      {R"j({"status":"success","data":{"resultType":"streams","result":[{"values":[["1","a",{},4]]}]}})j", "values[0]: expected"},
      {R"j({"status":"success","data":{"resultType":"streams","result":[{"values":[["1","a","meta"]]}]}})j", "values[0][2]: expected an object"},
      {R"j({"status":"success","data":{"resultType":"streams","result":[{"values":[["1","a",{"parsed":[]}]]}]}})j", "values[0][2].parsed"},
      {R"j({"status":"success"})j", "data: missing"},
      {R"j({"data":{}})j", "status: missing"},
      {R"j([1,2])j", "not a JSON object"},
      {"parse error at line 1, col 9: syntax error: unexpected IDENTIFIER", "not JSON"},
  };
  for (const auto& c : cases) {
    auto r = parse_loki_streams(c.body);
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().code, Errc::ParseError) << c.body;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << c.body << " -> " << r.error().message;
  }
}

TEST(LokiParse, MetricResultsAndErrorEnvelopesAreClearErrors) {
  auto matrix = parse_loki_streams(R"j({"status":"success","data":{"resultType":"matrix","result":[
    {"metric":{"app":"x"},"values":[[1767261600,"3"]]}]}})j");
  ASSERT_FALSE(matrix);
  EXPECT_EQ(matrix.error().code, Errc::ParseError);
  EXPECT_NE(matrix.error().message.find("'matrix' is a metric query's result"), std::string::npos);
  auto error = parse_loki_streams(R"j({"status":"error","errorType":"bad_data","error":"queries require at least one matcher"})j");
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().code, Errc::HttpStatus);
  EXPECT_EQ(error.error().message, "loki: bad_data: queries require at least one matcher");
}

TEST(LokiParse, TruncatedAnswersFailCleanly) {
  std::string doc = kSpecExample;
  for (std::size_t n = 0; n < doc.size(); ++n) {
    auto r = parse_loki_streams(std::string_view(doc).substr(0, n));
    EXPECT_FALSE(r) << "prefix of " << n << " bytes parsed";
  }
  EXPECT_TRUE(parse_loki_streams(doc));
}

TEST(LokiParse, HugeLinesAreCutAtACharacterBoundary) {
  std::string big(100000, 'x');
  std::string accents;
  for (int i = 0; i < 5000; ++i) accents += "\xC3\xA9";  // é, two bytes each
  std::string body = R"j({"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["1",")j" + big +
                     R"j("],["2","x)j" + accents + R"j("]]}]}})j";
  auto r = parse_loki_streams(body);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ((*r)[0].line.size(), kMaxLogLineBytes);
  const std::string& cut = (*r)[1].line;
  EXPECT_LE(cut.size(), kMaxLogLineBytes);
  EXPECT_EQ(cut.size() % 2, 1u);  // "x" plus whole two-byte characters
  EXPECT_EQ(static_cast<unsigned char>(cut.back()), 0xA9);
}

TEST(LokiParse, EmptyResultIsNoLines) {
  auto r = parse_loki_streams(R"j({"status":"success","data":{"resultType":"streams","result":[]}})j");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace alertbot::investigators
