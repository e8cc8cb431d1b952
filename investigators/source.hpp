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

// DiffSource: the code between two revisions of a service's repository (local git clone or GitHub
// compare). The pipeline asks it for the deploys it suspects, once the deploy sources answered.
class DiffSource {
 public:
  virtual ~DiffSource() = default;
  virtual std::string name() const = 0;  // git | github
  // The commits in (deploy.previous_version, deploy.version], oldest first, with their files and
  // patches. Errors: InvalidArgument (a revision is missing or unknown), backend errors as for
  // Source::fetch.
  virtual awaitable<Result<CodeChange>> compare(const DeployEvent& deploy) = 0;
};

// What a source brings; the pipeline uses it to decide which sources also run for downstream
// services (deploys) and which results later steps wait on.
enum class SourceKind { Metrics, Deploys, Traces, Logs, Profiles, History };

class Source {
 public:
  virtual ~Source() = default;
  virtual std::string name() const = 0;
  virtual SourceKind kind() const = 0;
  // Suspends. Errors: whatever the backend gave (Timeout, ConnectFailed, HttpStatus,
  // ParseError, ...), each with a message naming the backend and the query. Cancellation (the
  // pipeline's deadline) aborts in-flight requests and gives Cancelled.
  virtual awaitable<Result<SourceData>> fetch(const Query& query) = 0;
};

}  // namespace alertbot::investigators
