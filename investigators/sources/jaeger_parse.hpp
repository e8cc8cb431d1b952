// Parsing of Jaeger query answers: the wrapped `{"data":[trace...], "total", "limit", "offset",
// "errors"}` of both GET /api/traces (search) and GET /api/traces/{id}. Input is untrusted: the
// parser returns a Result whose message names the field and the reason, never throws, and caps
// what it keeps (traces, spans, string lengths). A pure function, thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "investigators/model/trace.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// The traces of a Jaeger answer, in answer order. Spans get: the service of their processID (or
// of an inline `process`), parent_id from the CHILD_OF reference (a parent that is not in the
// trace becomes ""), times in unix microseconds as Jaeger gives them, ids in lowercase hex, error
// from tag error=true, otel.status_code=ERROR or http.status_code >= 500 (int or string), and
// db.statement|db.query.text, http.route|http.target|url.path, peer.service (truncated to 512
// bytes). At most 1,000 traces and 20,000 spans per trace are kept.
// Errors: ParseError (not JSON, `data` not an array, a malformed trace or span: the message names
// it, e.g. `data[0].spans[3].startTime: expected an integer (microseconds), got "abc"`);
// NotFound or HttpStatus when `errors` is set and there is no data (message: the first error's
// msg and code: 404 gives NotFound).
Result<std::vector<Trace>> parse_jaeger_traces(std::string_view text);

}  // namespace alertbot::investigators
