// The Tempo source: traces of the service across the investigation window. Each slice of the
// window is searched with TraceQL `{ resource.service.name = "<svc>" }` (GET /api/search, all
// slices at once), then every trace found (and the one the alert names, if any) is fetched as OTLP
// JSON (GET /api/traces/{id}, at most 8 requests in flight). Traces are deduplicated by id. Failed
// searches and fetches become notes; the source fails only when nothing could be read.
#pragma once

#include <memory>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

// A source named "tempo" (kind Traces) for services whose `traces.tempo` is set; it searches
// `traces.service` (or the service's name when that is empty).
std::unique_ptr<SourceFactory> make_tempo_factory(HttpClient& http);

// The TraceQL query for one service's traces, with `"` and `\` in the name escaped.
std::string tempo_service_query(const std::string& service);

}  // namespace alertbot::investigators
