// The Prometheus source: query_range over the investigation window for each query the service
// configures (latency, errors, saturation, traffic) and for the alert's own expression (taken
// from its generatorURL), all at once. Partial failure keeps what worked and notes the rest.
#pragma once

#include <memory>
#include <string>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

std::unique_ptr<SourceFactory> make_prometheus_factory(HttpClient& http);

// The PromQL expression in a Prometheus graph link (g0.expr), or "" if there is none.
std::string expr_from_generator_url(const std::string& url);

}  // namespace alertbot::investigators
