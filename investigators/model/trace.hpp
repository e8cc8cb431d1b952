// Traces as every trace source (Jaeger, Tempo) delivers them: spans with lowercase-hex ids,
// times in unix microseconds, the owning service resolved, and the few attributes the analyses
// read. Plain values; the trace differential reads millions of these, so they stay small.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace alertbot::investigators {

struct Span {
  std::string span_id;    // lowercase hex
  std::string parent_id;  // lowercase hex; "" for a root (or a parent outside the trace)
  std::string service;    // service.name / Jaeger process serviceName
  std::string operation;  // operationName / OTLP span name
  std::int64_t start_us = 0;     // unix microseconds
  std::int64_t duration_us = 0;  // >= 0
  bool error = false;  // error=true, otel.status_code=ERROR, STATUS_CODE_ERROR or http status >= 500
  // What the span touched, when its attributes say so (else ""): db.statement (or db.query.text),
  // http.route (or http.target/url.path), peer.service. Truncated to 512 bytes.
  std::string db_statement;
  std::string http_route;
  std::string peer_service;
};

struct Trace {
  std::string trace_id;  // lowercase hex, 16 or 32 digits
  std::vector<Span> spans;
};

// Traces of the service in the investigation window, sampled across it (several searches over
// slices of the window, so both sides of any onset are represented).
struct TraceSample {
  std::string backend;  // jaeger | tempo
  std::string service;  // as the tracing backend knows it
  std::vector<Trace> traces;
  std::string link;     // a search for these traces in the backend's UI
};

}  // namespace alertbot::investigators
