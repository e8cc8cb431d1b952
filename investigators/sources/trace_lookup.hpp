// Trace lookup: one trace by its id from a service's tracing backend, Jaeger (GET
// {jaeger}/api/traces/{id}) when configured, else Tempo (GET {tempo}/api/traces/{id}), parsed as
// the trace sources parse them (same caps, same untrusted-input rules). The id is untrusted (it
// comes from a model or an MCP client): only 16 to 32 hex digits ever reach a URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "investigators/model/trace.hpp"
#include "investigators/service_settings.hpp"
#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot {
class HttpClient;
}  // namespace alertbot

namespace alertbot::investigators {

// `id` as lowercase hex when it is 16 to 32 hex digits (any case), else nullopt.
std::optional<std::string> normalize_trace_id(std::string_view id);

// The trace `trace_id` (its spans as parse_jaeger_traces / parse_otlp_trace give them).
// Suspends. Errors: InvalidArgument (not 16-32 hex digits), Unavailable (neither jaeger nor tempo
// set), NotFound (the backend does not know the id), HttpStatus (other non-2xx or non-JSON
// answers), ParseError, transport errors as HttpClient::send. Cancellation aborts the request.
awaitable<Result<Trace>> lookup_trace(HttpClient& http, const TracesSettings& traces, std::string trace_id);

}  // namespace alertbot::investigators
