// The Jaeger source: traces of the service across the investigation window. The window is split
// into equal slices searched concurrently (GET /api/traces per slice), so both sides of an onset
// are represented; the trace an alert names (annotation or label trace_id/traceID) is fetched too.
// Traces are deduplicated by id. A failed slice becomes a note; the source fails only when every
// request failed. Also the helpers the Tempo source shares (slices, the alert's trace id).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

// A source named "jaeger" (kind Traces) for services whose `traces.jaeger` is set; it searches
// `traces.service` (or the service's name when that is empty).
std::unique_ptr<SourceFactory> make_jaeger_factory(HttpClient& http);

// [start, end] in unix microseconds.
struct TimeSlice {
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
};

// `n` equal, adjacent slices of [start, end] (the last ends exactly at `end`). Empty when
// end <= start or n < 1.
std::vector<TimeSlice> split_window(Time start, Time end, int n);

// The trace id the alert carries (annotation, then label: trace_id, traceID), as lowercase hex,
// or "" when there is none or it is not 16 to 32 hex digits (alert text is untrusted).
std::string alert_trace_id(const Alert* alert);

// The traces without repeated ids (the first copy is kept), ordered by their earliest span start,
// then id (a deterministic order whatever order the answers came in).
std::vector<Trace> dedupe_traces(std::vector<Trace> traces);

}  // namespace alertbot::investigators
