// The Loki source: the service's log stream selector over the investigation window, read as six
// equal slices at once (GET /loki/api/v1/query_range, newest first, at most 500 lines a slice).
// A slice that returns the limit holds only its newest lines and is marked incomplete, so
// analyses compare rates over the time each slice really covers. Failed slices become notes;
// when every slice fails, fetch() returns the first error. Built for services with `logs` set.
#pragma once

#include <memory>
#include <string>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

// Lines asked for per slice, and slices per window.
inline constexpr std::size_t kLokiLineLimit = 500;
inline constexpr int kLokiSlices = 6;

std::unique_ptr<SourceFactory> make_loki_factory(HttpClient& http);

// The selector used when the service configures none: {service_name="<service>"} (the label
// Loki 3 fills in from OTLP and most agents).
std::string default_loki_selector(const std::string& service);

}  // namespace alertbot::investigators
