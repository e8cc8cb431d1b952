// FakeJaeger: a Jaeger query service (the UI's /api) on 127.0.0.1 serving the traces it is given,
// rendered into Jaeger's real JSON (processes map, CHILD_OF references, typed tags), so the parser
// is exercised end to end. Routes: GET /api/traces?service=&start=&end=&limit= (service required,
// else 400 with an `errors` envelope; start/end in unix microseconds filter on the trace's first
// span; newest first; limit defaults to 100), GET /api/traces/{id} (404 with an `errors` envelope
// when unknown), GET /api/services. Records every request. Thread-safe accessors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "investigators/model/trace.hpp"
#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot::fakes {

class FakeJaeger {
 public:
  // Errors: as start_http_server (bad listen address, port in use).
  static Result<std::unique_ptr<FakeJaeger>> start(asio::any_io_executor executor, std::vector<investigators::Trace> traces,
                                                   std::string listen = "127.0.0.1:0");
  virtual ~FakeJaeger() = default;
  virtual std::string url() const = 0;                   // http://127.0.0.1:PORT
  virtual std::vector<std::string> requests() const = 0;  // "GET <target>" in arrival order
  // From now on, searches whose [start, end] contains `t_us` answer 500 with an `errors`
  // envelope, as Jaeger does when its storage fails.
  virtual void fail_searches_at(std::int64_t t_us) = 0;
  virtual awaitable<void> stop() = 0;

  // `traces` as the `data` of a Jaeger answer: {"data":[...],"total":0,"limit":0,"offset":0,"errors":null}.
  static std::string render(const std::vector<investigators::Trace>& traces);
};

}  // namespace alertbot::fakes
