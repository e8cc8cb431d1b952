#include "investigators/sources/trace_lookup.hpp"

#include <algorithm>
#include <cctype>

#include "investigators/sources/jaeger_parse.hpp"
#include "investigators/sources/otlp_parse.hpp"
#include "investigators/sources/source_text.hpp"
#include "net/http_client.hpp"

namespace alertbot::investigators {
namespace {

std::string without_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The 2xx JSON body of GET `url`. Errors: transport, NotFound (404), HttpStatus (other non-2xx,
// non-JSON). Jaeger answers its 404 as JSON with an `errors` envelope, so a JSON 404 body is
// returned for the parser to read (it gives NotFound with Jaeger's message).
awaitable<Result<std::string>> get_body(HttpClient& http, std::string backend, std::string url, bool json_errors) {
  HttpRequest req;
  req.url = url;
  req.headers = {{"Accept", "application/json"}};
  req.idempotent = true;  // a read, safe to retry
  auto resp = co_await http.send(std::move(req));
  if (!resp) co_return resp.error();
  if (resp->status == 404 && !(json_errors && resp->is_json())) {
    co_return fail(Errc::NotFound, backend + ": no trace at " + url + " (HTTP 404: " + body_snippet(resp->body, 80) + ")");
  }
  if (!resp->is_json()) co_return not_json(backend, *resp, url);
  if (!resp->ok() && !json_errors) {
    co_return fail(Errc::HttpStatus, backend + ": HTTP " + std::to_string(resp->status) + " from " + url);
  }
  co_return std::move(resp->body);
}

awaitable<Result<Trace>> from_jaeger(HttpClient& http, std::string base, std::string id) {
  std::string url = base + "/api/traces/" + id;
  auto body = co_await get_body(http, "jaeger", url, true);
  if (!body) co_return body.error();
  auto traces = parse_jaeger_traces(*body);
  if (!traces) co_return fail(traces.error().code, traces.error().message + " from " + url);
  for (auto& t : *traces) {
    if (t.trace_id == id || (t.trace_id.size() > id.size() && t.trace_id.ends_with(id))) co_return std::move(t);
  }
  if (traces->size() == 1) co_return std::move(traces->front());  // Jaeger may pad or trim leading zeros
  co_return fail(Errc::NotFound, "jaeger: trace " + id + " not in the answer from " + url);
}

awaitable<Result<Trace>> from_tempo(HttpClient& http, std::string base, std::string id) {
  std::string url = base + "/api/traces/" + id;
  auto body = co_await get_body(http, "tempo", url, false);
  if (!body) co_return body.error();
  auto trace = parse_otlp_trace(*body);
  if (!trace) co_return fail(trace.error().code, trace.error().message + " from " + url);
  co_return std::move(*trace);
}

}  // namespace

std::optional<std::string> normalize_trace_id(std::string_view id) {
  if (id.size() < 16 || id.size() > 32) return std::nullopt;
  std::string out;
  out.reserve(id.size());
  for (char c : id) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

awaitable<Result<Trace>> lookup_trace(HttpClient& http, const TracesSettings& traces, std::string trace_id) {
  auto id = normalize_trace_id(trace_id);
  if (!id) co_return fail(Errc::InvalidArgument, "trace id must be 16 to 32 hex digits");
  if (!traces.jaeger.empty()) {
    auto base = without_trailing_slashes(traces.jaeger);
    co_return co_await from_jaeger(http, std::move(base), *id);
  }
  if (!traces.tempo.empty()) {
    auto base = without_trailing_slashes(traces.tempo);
    co_return co_await from_tempo(http, std::move(base), *id);
  }
  co_return fail(Errc::Unavailable, "no tracing backend configured (traces.jaeger or traces.tempo)");
}

}  // namespace alertbot::investigators
