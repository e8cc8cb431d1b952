#include <gtest/gtest.h>

#include "investigators/sources/prometheus_response.hpp"
#include "investigators/sources/prometheus_source.hpp"
#include "tests/support/test_data.hpp"

namespace alertbot::investigators {
namespace {

using testing::read_test_file;

TEST(PrometheusResponse, ReadsARealMatrix) {
  auto r = parse_prometheus_result(read_test_file("prometheus_query_range.json"));
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].labels.at("job"), "prometheus");
  ASSERT_EQ((*r)[0].points.size(), 5u);
  EXPECT_EQ((*r)[0].points[0].t, Time(std::chrono::seconds(1795578305)));
  EXPECT_EQ((*r)[0].points[0].v, 1.0);
}

TEST(PrometheusResponse, RateResultsHaveNoName) {
  auto r = parse_prometheus_result(read_test_file("prometheus_query_range_rate.json"));
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].labels.count("__name__"), 0u);
}

TEST(PrometheusResponse, VectorScalarAndEmpty) {
  auto v = parse_prometheus_result(read_test_file("prometheus_query_vector.json"));
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->empty());
  auto s = parse_prometheus_result(read_test_file("prometheus_query_scalar.json"));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 1u);
  auto e = parse_prometheus_result(read_test_file("prometheus_query_empty.json"));
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->empty());
}

TEST(PrometheusResponse, NanSamplesAreDropped) {
  auto r = parse_prometheus_result(read_test_file("prometheus_query_nan.json"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_TRUE((*r)[0].points.empty());
}

TEST(PrometheusResponse, ErrorEnvelopesSayWhy) {
  for (const char* f : {"prometheus_query_error_bad_data.json", "prometheus_query_range_error.json",
                        "prometheus_query_range_too_many_points.json"}) {
    auto r = parse_prometheus_result(read_test_file(f));
    ASSERT_FALSE(r) << f;
    EXPECT_EQ(r.error().code, Errc::HttpStatus);
    EXPECT_NE(r.error().message.find("bad_data"), std::string::npos) << r.error().message;
  }
}

TEST(PrometheusResponse, GarbageIsAParseError) {
  for (const char* body : {"404 page not found", "{}", R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,2]]}]}})",
                           R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[["x","1"]]}]}})"}) {
    auto r = parse_prometheus_result(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, Errc::ParseError) << body;
  }
}

TEST(PrometheusSource, ExpressionComesFromTheGeneratorUrl) {
  EXPECT_EQ(expr_from_generator_url("http://prom:9090/graph?g0.expr=vector%28time%28%29+%25+20%29+%3C+10&g0.tab=1"),
            "vector(time() % 20) < 10");
  EXPECT_EQ(expr_from_generator_url("http://prom:9090/graph"), "");
}

}  // namespace
}  // namespace alertbot::investigators
