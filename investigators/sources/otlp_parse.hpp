// Parsing of Grafana Tempo answers: one trace as OTLP JSON (GET /api/traces/{id}: `batches` at the
// top level in v1, `{"trace":{"resourceSpans":[...]}}` in v2; `scopeSpans` or the older
// `instrumentationLibrarySpans`) and the trace ids of a search (GET /api/search). Input is
// untrusted: every function returns a Result whose message names the field and the reason, never
// throws, and caps what it keeps (spans, ids, string lengths). Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/model/trace.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// A trace or span id as lowercase hex. Hex of 16 or 32 digits (any case) is kept; base64 of 8 or
// 16 bytes (standard or URL alphabet, padding optional: 12/24 characters, or 11/22) is decoded, so
// `S/kvNXezTaajzpKdDg5HNg==` gives `4bf92f3577b34da6a3ce929d0e0e4736`. nullopt for anything else.
std::optional<std::string> otlp_id_to_hex(std::string_view id);

// The trace in a Tempo /api/traces/{id} answer. Spans get: ids in lowercase hex (an all-zero or
// empty parentSpanId is a root; a parent that is not in the trace becomes ""), times in unix
// microseconds (nanosecond decimal strings, or numbers), service from the resource attribute
// service.name, error from status code STATUS_CODE_ERROR (or 2), attribute error=true or
// http.status_code >= 500, and db.statement|db.query.text, http.route|http.target|url.path,
// peer.service (truncated to 512 bytes). At most 20,000 spans are kept (in input order).
// Errors: ParseError (not JSON, no `batches`/`resourceSpans`, a malformed span: the message names
// it, e.g. `batches[0].scopeSpans[0].spans[2].startTimeUnixNano: expected nanoseconds as a decimal
// string, got true`); NotFound when the trace has no spans.
Result<Trace> parse_otlp_trace(std::string_view text);

// The trace ids (lowercase hex, left-padded to 32 digits: Tempo drops leading zeros) of a Tempo
// /api/search answer `{"traces":[{"traceID":...}], "metrics":{...}}`, in answer order, without
// duplicates, at most 1,000. Errors: ParseError (not JSON, `traces` not an array, a traceID that
// is not hex of at most 32 digits).
Result<std::vector<std::string>> parse_tempo_search(std::string_view text);

}  // namespace alertbot::investigators
