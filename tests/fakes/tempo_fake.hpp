// FakeTempo: a Grafana Tempo query frontend on 127.0.0.1 serving the traces it is given in the
// real wire formats. GET /api/search?q=<TraceQL>&start=&end=&limit= understands exactly
// `{ resource.service.name = "x" }` (anything else: 400 plain text, as Tempo answers a query it
// cannot parse); start/end are unix seconds filtering on the trace's first span; newest first;
// limit defaults to 20; traceIDs are hex without leading zeros, as Tempo prints them.
// GET /api/traces/{id} answers OTLP JSON with `batches` (one per service) and BASE64 ids, like
// Tempo's v1 endpoint; unknown ids get 404 plain text. Records every request. Thread-safe accessors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "investigators/model/trace.hpp"
#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot::fakes {

class FakeTempo {
 public:
  // Errors: as start_http_server (bad listen address, port in use).
  static Result<std::unique_ptr<FakeTempo>> start(asio::any_io_executor executor, std::vector<investigators::Trace> traces,
                                                  std::string listen = "127.0.0.1:0");
  virtual ~FakeTempo() = default;
  virtual std::string url() const = 0;                   // http://127.0.0.1:PORT
  virtual std::vector<std::string> requests() const = 0;  // "GET <target>" in arrival order
  // From now on, searches whose [start, end] (seconds) contains `t_us` answer 500 (plain text).
  virtual void fail_searches_at(std::int64_t t_us) = 0;
  virtual awaitable<void> stop() = 0;

  // `trace` as Tempo's /api/traces/{id} answer (OTLP JSON, `batches`, base64 ids).
  static std::string render(const investigators::Trace& trace);
  // Hex (any even length) as standard base64 with padding: what protobuf JSON does to bytes.
  static std::string hex_to_base64(const std::string& hex);
};

}  // namespace alertbot::fakes
