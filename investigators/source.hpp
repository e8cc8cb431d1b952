// Source: one backend the pipeline pulls from (Prometheus, deploys, ...). A source is built for
// one service from its settings by a SourceFactory, is cheap, and is used for one investigation.
// fetch() never throws for backend trouble: it returns an Error the report shows as a note.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "investigators/alert.hpp"
#include "investigators/evidence.hpp"
#include "investigators/service_settings.hpp"
#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// What an investigation asks every source: the service and the window of interest.
struct Query {
  std::string service;
  const ServiceSettings* settings = nullptr;  // may be null: a service nobody configured
  const Alert* alert = nullptr;               // null for on-demand investigations
  Time start;  // window start
  Time end;    // window end ("now" of the investigation)
};

class Source {
 public:
  virtual ~Source() = default;
  virtual std::string name() const = 0;
  // Suspends. Errors: whatever the backend gave (Timeout, ConnectFailed, HttpStatus,
  // ParseError, ...), each with a message naming the backend and the query. Cancellation (the
  // pipeline's deadline) aborts in-flight requests and gives Cancelled.
  virtual awaitable<Result<SourceData>> fetch(const Query& query) = 0;
};

}  // namespace alertbot::investigators
