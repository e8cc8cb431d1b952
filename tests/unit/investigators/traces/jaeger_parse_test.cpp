// The Jaeger answer parser on hand-built JSON (spec section 3.1): the wrapped envelope, process
// and reference resolution, error tags, attributes, hostile and broken input.
#include <gtest/gtest.h>

#include "investigators/sources/jaeger_parse.hpp"
#include "tests/fakes/jaeger_fake.hpp"
#include "tests/unit/investigators/traces/trace_builders.hpp"

namespace alertbot::investigators {
namespace {

// The example of spec section 3.1.
const std::string kSpecExample = R"j({"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","warnings":null,"spans":[
  {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7","operationName":"GET /checkout","references":[],
   "startTime":1767261600000000,"duration":2350000,"processID":"p1","logs":[],"warnings":null,
   "tags":[{"key":"http.status_code","type":"int64","value":500},{"key":"error","type":"bool","value":true}]},
  {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"b7ad6b7169203331","operationName":"charge","processID":"p2",
   "references":[{"refType":"CHILD_OF","traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7"}],
   "startTime":1767261600100000,"duration":2200000,"tags":[],"logs":[],"warnings":null}],
 "processes":{"p1":{"serviceName":"frontend","tags":[]},"p2":{"serviceName":"payments","tags":[]}}}],
 "total":0,"limit":0,"offset":0,"errors":null})j";

// One trace with one span whose tags are `tags` (a JSON array) and extra span fields `extra`.
std::string one_span(const std::string& tags, const std::string& extra = "") {
  return R"j({"data":[{"traceID":"AB12","spans":[{"spanID":"CD34","operationName":"op","startTime":10,"duration":5,)j"
         R"j("processID":"p1","tags":)j" +
         tags + extra + R"j(}],"processes":{"p1":{"serviceName":"svc"}}}],"errors":null})j";
}

// The span of one_span(tags).
Span only_span(const std::string& tags) {
  auto r = parse_jaeger_traces(one_span(tags));
  EXPECT_TRUE(r) << r.error().describe();
  if (!r || r->size() != 1 || (*r)[0].spans.size() != 1) {
    ADD_FAILURE() << "expected one trace with one span";
    return {};
  }
  return (*r)[0].spans[0];
}

TEST(JaegerParse, ReadsTheSpecExample) {
  auto r = parse_jaeger_traces(kSpecExample);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->size(), 1u);
  const Trace& t = (*r)[0];
  EXPECT_EQ(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  ASSERT_EQ(t.spans.size(), 2u);
  const Span& root = t.spans[0];
  EXPECT_EQ(root.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(root.parent_id, "");
  EXPECT_EQ(root.service, "frontend");
  EXPECT_EQ(root.operation, "GET /checkout");
  EXPECT_EQ(root.start_us, 1767261600000000);
  EXPECT_EQ(root.duration_us, 2350000);
  EXPECT_TRUE(root.error);
  const Span& child = t.spans[1];
  EXPECT_EQ(child.parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(child.service, "payments");
  EXPECT_EQ(child.operation, "charge");
  EXPECT_EQ(child.start_us, 1767261600100000);
  EXPECT_EQ(child.duration_us, 2200000);
  EXPECT_FALSE(child.error);
}

TEST(JaegerParse, ErrorComesFromErrorOtelStatusOrA5xxStatusOfEitherType) {
  EXPECT_TRUE(only_span(R"j([{"key":"error","type":"bool","value":true}])j").error);
  EXPECT_TRUE(only_span(R"j([{"key":"error","type":"string","value":"true"}])j").error);
  EXPECT_TRUE(only_span(R"j([{"key":"otel.status_code","type":"string","value":"ERROR"}])j").error);
  EXPECT_TRUE(only_span(R"j([{"key":"http.status_code","type":"int64","value":503}])j").error);
  EXPECT_TRUE(only_span(R"j([{"key":"http.status_code","type":"string","value":"500"}])j").error);
  EXPECT_FALSE(only_span(R"j([{"key":"http.status_code","type":"int64","value":404}])j").error);
  EXPECT_FALSE(only_span(R"j([{"key":"error","type":"bool","value":false}])j").error);
  EXPECT_FALSE(only_span(R"j([{"key":"otel.status_code","type":"string","value":"OK"}])j").error);
  EXPECT_FALSE(only_span("[]").error);
}

TEST(JaegerParse, KeepsStatementRouteAndPeerWithTheirFallbacks) {
  Span s = only_span(R"j([{"key":"db.query.text","type":"string","value":"SELECT 2"},
    {"key":"db.statement","type":"string","value":"SELECT 1"},{"key":"http.target","type":"string","value":"/t?x=1"},
    {"key":"peer.service","type":"string","value":"orders-db"}])j");
  EXPECT_EQ(s.db_statement, "SELECT 1");
  EXPECT_EQ(s.http_route, "/t?x=1");
  EXPECT_EQ(s.peer_service, "orders-db");
  Span r = only_span(R"j([{"key":"url.path","type":"string","value":"/p"},{"key":"http.route","type":"string","value":"/r/{id}"},
    {"key":"db.query.text","type":"string","value":"SELECT 2"}])j");
  EXPECT_EQ(r.http_route, "/r/{id}");
  EXPECT_EQ(r.db_statement, "SELECT 2");
  EXPECT_EQ(only_span(R"j([{"key":"url.path","type":"string","value":"/p"}])j").http_route, "/p");
  std::string huge(5000, 'x');
  EXPECT_EQ(only_span(R"j([{"key":"db.statement","type":"string","value":")j" + huge + "\"}]").db_statement.size(), 512u);
}

TEST(JaegerParse, IdsBecomeLowercaseAndOnlyChildOfInTheTraceIsAParent) {
  auto r = parse_jaeger_traces(R"j({"data":[{"traceID":"ABCDEF0123456789","processes":{},"spans":[
    {"spanID":"AAAA000000000001","startTime":1,"duration":1,"references":null},
    {"spanID":"AAAA000000000002","startTime":1,"duration":1,"references":[{"refType":"CHILD_OF","spanID":"AAAA000000000001"}]},
    {"spanID":"aaaa000000000003","startTime":1,"duration":1,"references":[{"refType":"FOLLOWS_FROM","spanID":"aaaa000000000001"}]},
    {"spanID":"aaaa000000000004","startTime":1,"duration":1,"references":[{"refType":"CHILD_OF","spanID":"ffff000000000009"}]},
    {"spanID":"aaaa000000000005","startTime":1,"duration":1,"references":[{"refType":"CHILD_OF","traceID":"1111222233334444","spanID":"aaaa000000000001"}]}
  ]}]})j");
  ASSERT_TRUE(r) << r.error().describe();
  const auto& spans = (*r)[0].spans;
  EXPECT_EQ((*r)[0].trace_id, "abcdef0123456789");
  EXPECT_EQ(spans[0].span_id, "aaaa000000000001");
  EXPECT_EQ(spans[1].parent_id, "aaaa000000000001");
  EXPECT_EQ(spans[2].parent_id, "");  // FOLLOWS_FROM is not a parent
  EXPECT_EQ(spans[3].parent_id, "");  // parent not in the trace
  EXPECT_EQ(spans[4].parent_id, "");  // a span of another trace
  EXPECT_EQ(spans[0].service, "");    // no process: unknown, not an error
}

TEST(JaegerParse, InlineProcessIsUsedWhenThereIsNoProcessesMap) {
  auto r = parse_jaeger_traces(R"j({"data":[{"traceID":"ab","spans":[
    {"spanID":"01","startTime":1,"duration":1,"process":{"serviceName":"inline"}}]}]})j");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ((*r)[0].spans[0].service, "inline");
}

TEST(JaegerParse, ErrorsWithoutDataBecomeAnErrorWithTheirMessage) {
  auto nf = parse_jaeger_traces(R"j({"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]})j");
  ASSERT_FALSE(nf);
  EXPECT_EQ(nf.error().code, Errc::NotFound);
  EXPECT_NE(nf.error().message.find("trace not found"), std::string::npos) << nf.error().message;
  auto bad = parse_jaeger_traces(R"j({"data":[],"errors":[{"code":400,"msg":"parameter 'service' is required"}]})j");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::HttpStatus);
  EXPECT_NE(bad.error().message.find("parameter 'service' is required"), std::string::npos);
  // Errors next to data (a partial answer): the data wins.
  auto partial = parse_jaeger_traces(R"j({"data":[{"traceID":"ab","spans":[]}],"errors":[{"code":500,"msg":"one shard"}]})j");
  ASSERT_TRUE(partial) << partial.error().describe();
  EXPECT_EQ(partial->size(), 1u);
  auto empty = parse_jaeger_traces(R"j({"data":[],"total":0,"errors":null})j");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(JaegerParse, WrongTypesNameTheFieldAndTheValue) {
  auto expect_error = [](const std::string& json, const std::string& text) {
    auto r = parse_jaeger_traces(json);
    ASSERT_FALSE(r) << "accepted: " << json;
    EXPECT_EQ(r.error().code, Errc::ParseError);
    EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
  };
  expect_error(one_span("[]", R"j(,"startTime":"abc")j"),
               R"j(data[0].spans[0].startTime: expected an integer (microseconds), got "abc")j");
  expect_error(R"j({"data":[{"traceID":"ab","spans":[{"spanID":"01","startTime":1,"duration":1},
    {"spanID":"02","startTime":1,"duration":-4}]}]})j", "data[0].spans[1].duration: expected a non-negative integer");
  expect_error(R"j({"data":[{"traceID":"ab","spans":[{"startTime":1,"duration":1}]}]})j", "data[0].spans[0].spanID: expected a hex id, got nothing");
  expect_error(R"j({"data":[{"traceID":"xyz","spans":[]}]})j", R"j(data[0].traceID: expected a hex id, got "xyz")j");
  expect_error(R"j({"data":[{"traceID":"ab","spans":{}}]})j", "data[0].spans: expected an array");
  expect_error(R"j({"data":{"traceID":"ab"}})j", "data: expected an array of traces");
  expect_error(R"j({"data":[7]})j", "data[0]: expected an object, got 7");
  expect_error("[1,2]", "not a JSON object");
  expect_error("<html>404</html>", "not JSON");
}

TEST(JaegerParse, EveryTruncationOfAValidAnswerIsAParseError) {
  for (std::size_t n = 0; n < kSpecExample.size(); ++n) {
    auto r = parse_jaeger_traces(std::string_view(kSpecExample).substr(0, n));
    ASSERT_FALSE(r) << "prefix of " << n << " bytes accepted";
    EXPECT_EQ(r.error().code, Errc::ParseError);
  }
  EXPECT_TRUE(parse_jaeger_traces(kSpecExample));
}

TEST(JaegerParse, HugeArraysAreCapped) {
  std::string many = R"j({"data":[)j";
  for (int i = 0; i < 1500; ++i) many += std::string(i ? "," : "") + R"j({"traceID":"ab","spans":[]})j";
  many += "]}";
  auto r = parse_jaeger_traces(many);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->size(), 1000u);

  std::string big = R"j({"data":[{"traceID":"ab","spans":[)j";
  for (int i = 0; i < 25000; ++i) big += std::string(i ? "," : "") + R"j({"spanID":"01","startTime":1,"duration":1})j";
  big += "]}]}";
  auto b = parse_jaeger_traces(big);
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ((*b)[0].spans.size(), 20000u);
}

TEST(JaegerParse, ReadsWhatTheFakeRenders) {
  testing::TraceBuilder tb(7, testing::kT0us);
  int root = tb.span(-1, "checkout", "GET /checkout", 0, 120);
  tb.last().http_route = "/checkout";
  tb.span(root, "orders", "SELECT", 5, 10);
  tb.last().db_statement = "SELECT * FROM items WHERE order_id = ?";
  tb.last().peer_service = "orders-db";
  tb.last().error = true;
  Trace t = tb.build();
  auto r = parse_jaeger_traces(fakes::FakeJaeger::render({t}));
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->size(), 1u);
  const Trace& got = (*r)[0];
  EXPECT_EQ(got.trace_id, t.trace_id);
  ASSERT_EQ(got.spans.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const Span &a = got.spans[i], &b = t.spans[i];
    EXPECT_EQ(a.span_id, b.span_id);
    EXPECT_EQ(a.parent_id, b.parent_id);
    EXPECT_EQ(a.service, b.service);
    EXPECT_EQ(a.operation, b.operation);
    EXPECT_EQ(a.start_us, b.start_us);
    EXPECT_EQ(a.duration_us, b.duration_us);
    EXPECT_EQ(a.error, b.error);
    EXPECT_EQ(a.db_statement, b.db_statement);
    EXPECT_EQ(a.http_route, b.http_route);
    EXPECT_EQ(a.peer_service, b.peer_service);
  }
}

}  // namespace
}  // namespace alertbot::investigators
