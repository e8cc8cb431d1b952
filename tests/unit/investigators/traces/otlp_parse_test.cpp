// The Tempo answer parsers on hand-built JSON (spec section 3.2): OTLP traces in each shape Tempo
// versions use, base64 and hex ids, typed attributes, search results, hostile and broken input.
#include <gtest/gtest.h>

#include "investigators/sources/otlp_parse.hpp"
#include "tests/fakes/tempo_fake.hpp"
#include "tests/unit/investigators/traces/trace_builders.hpp"

namespace alertbot::investigators {
namespace {

// The example of spec section 3.2.
const std::string kSpecExample = R"j({"batches":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
 "scopeSpans":[{"scope":{"name":"otel-go"},"spans":[{"traceId":"S/kvNXezTaajzpKdDg5HNg==",
  "spanId":"APBnqgupArc=","name":"GET /checkout","kind":"SPAN_KIND_SERVER",
  "startTimeUnixNano":"1767261600000000000","endTimeUnixNano":"1767261602350000000",
  "attributes":[{"key":"http.status_code","value":{"intValue":"500"}}],
  "status":{"code":"STATUS_CODE_ERROR","message":"upstream timeout"}}]}]}]})j";

// A trace with one span made of `fields` (JSON members), in service "svc".
std::string one_span(const std::string& fields) {
  return R"j({"batches":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"spans":[{)j"
         R"j("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"op",)j" +
         fields + "}]}]}]}";
}

const std::string kTimes = R"j("startTimeUnixNano":"1000000","endTimeUnixNano":"3500000")j";

// The span of one_span(fields).
Span only_span(const std::string& fields) {
  auto r = parse_otlp_trace(one_span(fields));
  EXPECT_TRUE(r) << r.error().describe();
  if (!r || r->spans.size() != 1) {
    ADD_FAILURE() << "expected one span";
    return {};
  }
  return r->spans[0];
}

TEST(OtlpIds, Base64AndHexGiveTheSameLowercaseHex) {
  EXPECT_EQ(otlp_id_to_hex("S/kvNXezTaajzpKdDg5HNg=="), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(otlp_id_to_hex("4BF92F3577B34DA6A3CE929D0E0E4736"), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(otlp_id_to_hex("APBnqgupArc="), "00f067aa0ba902b7");
  EXPECT_EQ(otlp_id_to_hex("00f067aa0ba902b7"), "00f067aa0ba902b7");
  EXPECT_EQ(otlp_id_to_hex("S_kvNXezTaajzpKdDg5HNg"), "4bf92f3577b34da6a3ce929d0e0e4736");  // URL alphabet, no padding
  EXPECT_FALSE(otlp_id_to_hex(""));
  EXPECT_FALSE(otlp_id_to_hex("abc"));
  EXPECT_FALSE(otlp_id_to_hex("S/kvNXezTaajzpKd!g5HNg=="));
  EXPECT_FALSE(otlp_id_to_hex("4bf92f3577b34da6a3ce929d0e0e47"));  // 30 hex digits
}

TEST(OtlpParse, ReadsTheSpecExample) {
  auto r = parse_otlp_trace(kSpecExample);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  ASSERT_EQ(r->spans.size(), 1u);
  const Span& s = r->spans[0];
  EXPECT_EQ(s.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(s.parent_id, "");
  EXPECT_EQ(s.service, "checkout");
  EXPECT_EQ(s.operation, "GET /checkout");
  EXPECT_EQ(s.start_us, 1767261600000000);
  EXPECT_EQ(s.duration_us, 2350000);
  EXPECT_TRUE(s.error);
}

TEST(OtlpParse, AcceptsResourceSpansUnderTraceAndInstrumentationLibrarySpans) {
  auto v2 = parse_otlp_trace(R"j({"trace":{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},
    "scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"x",
    "startTimeUnixNano":"2000","endTimeUnixNano":"5000"}]}]}]},"status":"complete","message":""})j");
  ASSERT_TRUE(v2) << v2.error().describe();
  EXPECT_EQ(v2->spans[0].service, "a");
  EXPECT_EQ(v2->spans[0].start_us, 2);
  EXPECT_EQ(v2->spans[0].duration_us, 3);
  auto old = parse_otlp_trace(R"j({"resourceSpans":[{"resource":{"attributes":[]},"instrumentationLibrarySpans":[{"spans":[
    {"traceId":"4bf92f3577b34da6","spanId":"00f067aa0ba902b7","name":"y","startTimeUnixNano":1000,"endTimeUnixNano":1000}]}]}]})j");
  ASSERT_TRUE(old) << old.error().describe();
  EXPECT_EQ(old->trace_id, "4bf92f3577b34da6");
  EXPECT_EQ(old->spans[0].service, "");
  EXPECT_EQ(old->spans[0].duration_us, 0);
}

TEST(OtlpParse, StatusAndAttributesGiveErrors) {
  EXPECT_TRUE(only_span(kTimes + R"j(,"status":{"code":2})j").error);
  EXPECT_TRUE(only_span(kTimes + R"j(,"status":{"code":"STATUS_CODE_ERROR"})j").error);
  EXPECT_FALSE(only_span(kTimes + R"j(,"status":{"code":"STATUS_CODE_OK"})j").error);
  EXPECT_FALSE(only_span(kTimes + R"j(,"status":{})j").error);
  EXPECT_TRUE(only_span(kTimes + R"j(,"attributes":[{"key":"http.status_code","value":{"intValue":"502"}}])j").error);
  EXPECT_TRUE(only_span(kTimes + R"j(,"attributes":[{"key":"http.response.status_code","value":{"intValue":503}}])j").error);
  EXPECT_FALSE(only_span(kTimes + R"j(,"attributes":[{"key":"http.status_code","value":{"intValue":"404"}}])j").error);
  EXPECT_TRUE(only_span(kTimes + R"j(,"attributes":[{"key":"error","value":{"boolValue":true}}])j").error);
}

TEST(OtlpParse, KeepsStatementRouteAndPeer) {
  Span s = only_span(kTimes + R"j(,"attributes":[{"key":"db.query.text","value":{"stringValue":"SELECT 1"}},
    {"key":"url.path","value":{"stringValue":"/p"}},{"key":"http.target","value":{"stringValue":"/t"}},
    {"key":"peer.service","value":{"stringValue":"db"}},{"key":"weird","value":{"arrayValue":{"values":[]}}},
    {"key":"nokey"},7])j");
  EXPECT_EQ(s.db_statement, "SELECT 1");
  EXPECT_EQ(s.http_route, "/t");
  EXPECT_EQ(s.peer_service, "db");
  Span r = only_span(kTimes + R"j(,"attributes":[{"key":"http.route","value":{"stringValue":"/r/{id}"}},
    {"key":"url.path","value":{"stringValue":"/p"}}])j");
  EXPECT_EQ(r.http_route, "/r/{id}");
}

TEST(OtlpParse, ParentsAreResolvedAndZeroOrForeignParentsAreRoots) {
  auto r = parse_otlp_trace(R"j({"batches":[{"scopeSpans":[{"spans":[
    {"traceId":"S/kvNXezTaajzpKdDg5HNg==","spanId":"APBnqgupArc=","parentSpanId":"AAAAAAAAAAA=","startTimeUnixNano":"1000","endTimeUnixNano":"2000"},
    {"spanId":"00F067AA0BA902B8","parentSpanId":"APBnqgupArc=","startTimeUnixNano":"1000","endTimeUnixNano":"2000"},
    {"spanId":"00f067aa0ba902b9","parentSpanId":"1111111111111111","startTimeUnixNano":"1000","endTimeUnixNano":"2000"},
    {"spanId":"00f067aa0ba902ba","parentSpanId":"","startTimeUnixNano":"1000","endTimeUnixNano":"2000"}]}]}]})j");
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->spans.size(), 4u);
  EXPECT_EQ(r->spans[0].parent_id, "");
  EXPECT_EQ(r->spans[1].span_id, "00f067aa0ba902b8");
  EXPECT_EQ(r->spans[1].parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(r->spans[2].parent_id, "");
  EXPECT_EQ(r->spans[3].parent_id, "");
}

TEST(OtlpParse, WrongTypesNameTheField) {
  auto expect_error = [](const std::string& json, Errc code, const std::string& text) {
    auto r = parse_otlp_trace(json);
    ASSERT_FALSE(r) << "accepted: " << json;
    EXPECT_EQ(r.error().code, code);
    EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
  };
  expect_error(one_span(R"j("startTimeUnixNano":true,"endTimeUnixNano":"1")j"), Errc::ParseError,
               "batches[0].scopeSpans[0].spans[0].startTimeUnixNano: expected nanoseconds as a decimal string, got true");
  expect_error(one_span(R"j("startTimeUnixNano":"1","endTimeUnixNano":"12x")j"), Errc::ParseError,
               R"j(spans[0].endTimeUnixNano: expected nanoseconds as a decimal string, got "12x")j");
  expect_error(one_span(R"j("startTimeUnixNano":"-5","endTimeUnixNano":"1")j"), Errc::ParseError, "startTimeUnixNano");
  expect_error(R"j({"batches":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"nothex!",
    "startTimeUnixNano":"1","endTimeUnixNano":"1"}]}]}]})j", Errc::ParseError, R"j(spans[0].spanId: expected a hex or base64 id, got "nothex!")j");
  expect_error(R"j({"batches":[{"scopeSpans":[{"spans":[{"spanId":"00f067aa0ba902b7","startTimeUnixNano":"1","endTimeUnixNano":"1"}]}]}]})j",
               Errc::ParseError, "spans[0].traceId: missing");
  expect_error(R"j({"batches":[{"scopeSpans":[{"spans":{}}]}]})j", Errc::ParseError, "batches[0].scopeSpans[0].spans: expected an array");
  expect_error(R"j({"batches":["x"]})j", Errc::ParseError, R"j(batches[0]: expected an object, got "x")j");
  expect_error(R"j({"data":[]})j", Errc::ParseError, "no 'batches' or 'resourceSpans'");
  expect_error(R"j({"batches":[]})j", Errc::NotFound, "no spans");
  expect_error("trace not found\n", Errc::ParseError, "not JSON");
}

TEST(OtlpParse, EveryTruncationOfAValidAnswerIsAnError) {
  for (std::size_t n = 0; n < kSpecExample.size(); ++n) {
    auto r = parse_otlp_trace(std::string_view(kSpecExample).substr(0, n));
    ASSERT_FALSE(r) << "prefix of " << n << " bytes accepted";
  }
  EXPECT_TRUE(parse_otlp_trace(kSpecExample));
}

TEST(OtlpParse, HugeSpanArraysAreCapped) {
  std::string big = R"j({"batches":[{"scopeSpans":[{"spans":[)j";
  for (int i = 0; i < 25000; ++i) {
    big += std::string(i ? "," : "") +
           R"j({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","startTimeUnixNano":"1","endTimeUnixNano":"2"})j";
  }
  big += "]}]}]}";
  auto r = parse_otlp_trace(big);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->spans.size(), 20000u);
}

TEST(OtlpParse, ReadsWhatTheFakeRendersWithBase64Ids) {
  testing::TraceBuilder tb(3, testing::kT0us);
  int root = tb.span(-1, "checkout", "GET /checkout", 0, 80);
  tb.last().http_route = "/checkout";
  tb.span(root, "payments", "charge", 10, 50);
  tb.last().error = true;
  tb.last().peer_service = "stripe";
  tb.span(root, "checkout", "SELECT", 60, 5);
  tb.last().db_statement = "SELECT 1";
  Trace t = tb.build();
  std::string wire = fakes::FakeTempo::render(t);
  ASSERT_EQ(wire.find(t.trace_id), std::string::npos) << "ids must be on the wire in base64";
  auto r = parse_otlp_trace(wire);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->trace_id, t.trace_id);
  ASSERT_EQ(r->spans.size(), 3u);
  // The fake groups spans by service (batches): find each by id.
  for (const Span& want : t.spans) {
    auto it = std::find_if(r->spans.begin(), r->spans.end(), [&](const Span& s) { return s.span_id == want.span_id; });
    ASSERT_NE(it, r->spans.end()) << want.span_id;
    EXPECT_EQ(it->parent_id, want.parent_id);
    EXPECT_EQ(it->service, want.service);
    EXPECT_EQ(it->operation, want.operation);
    EXPECT_EQ(it->start_us, want.start_us);
    EXPECT_EQ(it->duration_us, want.duration_us);
    EXPECT_EQ(it->error, want.error);
    EXPECT_EQ(it->db_statement, want.db_statement);
    EXPECT_EQ(it->http_route, want.http_route);
    EXPECT_EQ(it->peer_service, want.peer_service);
  }
}

TEST(TempoSearchParse, ReturnsPaddedUniqueHexIds) {
  auto r = parse_tempo_search(R"j({"traces":[
    {"traceID":"4BF92F3577B34DA6A3CE929D0E0E4736","rootServiceName":"checkout","startTimeUnixNano":"1767261600000000000","durationMs":2350},
    {"traceID":"2f3577b34da6a3ce929d0e0e4736","rootServiceName":"checkout","spanSet":{"spans":[],"matched":1}},
    {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736"}],"metrics":{"inspectedBytes":"1024","inspectedTraces":3}})j");
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ((*r)[1], "00002f3577b34da6a3ce929d0e0e4736");
}

TEST(TempoSearchParse, NoTracesIsEmptyAndBadIdsAreErrors) {
  auto none = parse_tempo_search(R"j({"metrics":{"inspectedBytes":"0"}})j");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto bad = parse_tempo_search(R"j({"traces":[{"traceID":"4bf9"},{"traceID":"S/kvNXezTaajzpKdDg5HNg=="}]})j");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("traces[1].traceID: expected hex"), std::string::npos) << bad.error().message;
  auto wrong = parse_tempo_search(R"j({"traces":{}})j");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("traces: expected an array"), std::string::npos);
  EXPECT_FALSE(parse_tempo_search("404 page not found"));
  std::string many = R"j({"traces":[)j";
  for (int i = 0; i < 1500; ++i) many += std::string(i ? "," : "") + "{\"traceID\":\"" + testing::hex_id(static_cast<unsigned>(i + 1), 32) + "\"}";
  many += "]}";
  auto capped = parse_tempo_search(many);
  ASSERT_TRUE(capped) << capped.error().describe();
  EXPECT_EQ(capped->size(), 1000u);
}

}  // namespace
}  // namespace alertbot::investigators
