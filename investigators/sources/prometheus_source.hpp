// The Prometheus source: query_range over the investigation window for each query the service
// configures (latency, errors, saturation, traffic) and for the alert's own expression (taken
// from its generatorURL), all at once. Partial failure keeps what worked and notes the rest.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

std::unique_ptr<SourceFactory> make_prometheus_factory(HttpClient& http);

// One range query (POST {base_url}/api/v1/query_range) over [start, end] with a step giving about
// 240 points. Each series carries `query`, its labels, its points and a graph link; `name` and
// `unit` are left empty for the caller. Every series the answer holds is returned (callers cap).
// Suspends. Errors: transport errors as HttpClient::send, HttpStatus (non-JSON answer or
// {"status":"error"}), ParseError. Cancellation aborts the request (Cancelled).
awaitable<Result<std::vector<MetricSeries>>> prometheus_range_query(HttpClient& http, std::string base_url,
                                                                    std::string promql, Time start, Time end);

// The PromQL expression in a Prometheus graph link (g0.expr), or "" if there is none.
std::string expr_from_generator_url(const std::string& url);

}  // namespace alertbot::investigators
