// Parsing of Prometheus HTTP API answers (/api/v1/query_range and /api/v1/query): the
// {"status","data","errorType","error"} envelope and matrix, vector and scalar results. Sample
// values are strings ("1", "1e+00", "NaN", "+Inf"); non-finite samples are dropped.
#pragma once

#include <string_view>
#include <vector>

#include "investigators/evidence.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

struct PromSeries {
  std::map<std::string, std::string> labels;
  std::vector<Point> points;
};

// Errors: ParseError (not JSON, not the envelope, a malformed sample; the message names the
// field), HttpStatus for {"status":"error"} (message: "bad_data: <error>").
Result<std::vector<PromSeries>> parse_prometheus_result(std::string_view body);

}  // namespace alertbot::investigators
