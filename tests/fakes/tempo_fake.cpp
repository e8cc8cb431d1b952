#include "tests/fakes/tempo_fake.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <limits>
#include <mutex>

#include "net/http_server.hpp"
#include "tests/fakes/query_params.hpp"

namespace alertbot::fakes {
namespace {

namespace json = boost::json;
using investigators::Span;
using investigators::Trace;

std::int64_t first_start(const Trace& t) {
  std::int64_t m = std::numeric_limits<std::int64_t>::max();
  for (const auto& s : t.spans) m = std::min(m, s.start_us);
  return m;
}

std::string without_leading_zeros(std::string_view hex) {
  auto pos = hex.find_first_not_of('0');
  return pos == std::string_view::npos ? "0" : std::string(hex.substr(pos));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string nanos(std::int64_t us) { return std::to_string(us) + "000"; }

json::object attr(const char* key, json::object value) { return {{"key", key}, {"value", std::move(value)}}; }

// The service of `{ resource.service.name = "x" }` (whitespace free, \" and \\ escapes), or nullopt.
std::optional<std::string> service_of_query(std::string_view q) {
  auto skip = [&] {
    while (!q.empty() && std::isspace(static_cast<unsigned char>(q.front()))) q.remove_prefix(1);
  };
  auto eat = [&](std::string_view token) {
    skip();
    if (q.substr(0, token.size()) != token) return false;
    q.remove_prefix(token.size());
    return true;
  };
  if (!eat("{") || !eat("resource.service.name") || !eat("=") || !eat("\"")) return std::nullopt;
  std::string value;
  while (!q.empty() && q.front() != '"') {
    if (q.front() == '\\' && q.size() > 1) q.remove_prefix(1);
    value += q.front();
    q.remove_prefix(1);
  }
  if (!eat("\"") || !eat("}")) return std::nullopt;
  skip();
  if (!q.empty()) return std::nullopt;
  return value;
}

struct State {
  std::vector<Trace> traces;
  mutable std::mutex mutex;
  std::vector<std::string> requests;           // guarded by mutex
  std::vector<std::int64_t> failing_instants;  // guarded by mutex

  void record(const ServerRequest& req) {
    std::lock_guard lock(mutex);
    requests.push_back(req.method + " " + req.target);
  }
};

ServerResponse search(State& st, const ServerRequest& req) {
  st.record(req);
  auto q = req.query_param("q").value_or("");
  auto service = service_of_query(q);
  if (!service) return ServerResponse::text(400, "invalid TraceQL query: parse error at line 1: " + q + "\n");
  auto start = int_param(req, "start"), end = int_param(req, "end");
  if ((req.query_param("start") && !start) || (req.query_param("end") && !end)) {
    return ServerResponse::text(400, "invalid start or end: expected unix seconds\n");
  }
  std::int64_t from_us = start.value_or(0) * 1000000;
  std::int64_t to_us = end ? *end * 1000000 : std::numeric_limits<std::int64_t>::max();
  {
    std::lock_guard lock(st.mutex);
    for (auto t : st.failing_instants) {
      if (t >= from_us && t <= to_us) return ServerResponse::text(500, "rpc error: code = Unavailable desc = no queriers\n");
    }
  }
  std::int64_t limit = int_param(req, "limit").value_or(20);
  std::vector<const Trace*> hits;
  std::size_t inspected = 0;
  for (const auto& t : st.traces) {
    std::int64_t at = first_start(t);
    if (at < from_us || at > to_us) continue;
    ++inspected;
    if (std::any_of(t.spans.begin(), t.spans.end(), [&](const Span& s) { return s.service == *service; })) hits.push_back(&t);
  }
  std::stable_sort(hits.begin(), hits.end(), [](const Trace* a, const Trace* b) { return first_start(*a) > first_start(*b); });
  if (limit > 0 && hits.size() > static_cast<std::size_t>(limit)) hits.resize(static_cast<std::size_t>(limit));
  json::array traces;
  for (const Trace* t : hits) {
    const Span* root = &t->spans.front();
    for (const auto& s : t->spans) {
      if (s.parent_id.empty() && s.start_us <= root->start_us) root = &s;
    }
    json::object item{{"traceID", without_leading_zeros(t->trace_id)},
                      {"rootServiceName", root->service},
                      {"rootTraceName", root->operation},
                      {"startTimeUnixNano", nanos(root->start_us)}};
    if (root->duration_us >= 1000) item["durationMs"] = root->duration_us / 1000;  // absent under 1 ms, like Tempo
    traces.push_back(std::move(item));
  }
  json::object metrics{{"inspectedTraces", inspected}, {"inspectedBytes", std::to_string(inspected * 1000)}};
  return ServerResponse::json(200, json::serialize(json::object{{"traces", traces}, {"metrics", metrics}}));
}

ServerResponse get_trace(State& st, const ServerRequest& req) {
  st.record(req);
  std::string id = without_leading_zeros(lower(req.path.substr(std::string("/api/traces/").size())));
  for (const auto& t : st.traces) {
    if (without_leading_zeros(t.trace_id) == id) return ServerResponse::json(200, FakeTempo::render(t));
  }
  return ServerResponse::text(404, "trace not found\n");
}

class Fake final : public FakeTempo {
 public:
  Fake(std::shared_ptr<State> st, std::unique_ptr<HttpServer> server) : st_(std::move(st)), server_(std::move(server)) {}
  std::string url() const override { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<std::string> requests() const override {
    std::lock_guard lock(st_->mutex);
    return st_->requests;
  }
  void fail_searches_at(std::int64_t t_us) override {
    std::lock_guard lock(st_->mutex);
    st_->failing_instants.push_back(t_us);
  }
  awaitable<void> stop() override { co_await server_->stop(); }

 private:
  std::shared_ptr<State> st_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

std::string FakeTempo::hex_to_base64(const std::string& hex) {
  static constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<unsigned char> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t chunk = bytes[i] << 16;
    if (i + 1 < bytes.size()) chunk |= bytes[i + 1] << 8;
    if (i + 2 < bytes.size()) chunk |= bytes[i + 2];
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::string FakeTempo::render(const Trace& t) {
  std::vector<std::string> services;
  std::vector<json::array> spans;  // per service
  for (const Span& s : t.spans) {
    auto it = std::find(services.begin(), services.end(), s.service);
    if (it == services.end()) {
      services.push_back(s.service);
      spans.emplace_back();
      it = services.end() - 1;
    }
    json::array attrs{attr("span.kind", {{"stringValue", "server"}})};
    if (!s.db_statement.empty()) attrs.push_back(attr("db.statement", {{"stringValue", s.db_statement}}));
    if (!s.http_route.empty()) attrs.push_back(attr("http.route", {{"stringValue", s.http_route}}));
    if (!s.peer_service.empty()) attrs.push_back(attr("peer.service", {{"stringValue", s.peer_service}}));
    attrs.push_back(attr("http.status_code", {{"intValue", s.error ? "503" : "200"}}));
    json::object span{{"traceId", hex_to_base64(t.trace_id)},
                      {"spanId", hex_to_base64(s.span_id)},
                      {"name", s.operation},
                      {"kind", "SPAN_KIND_SERVER"},
                      {"startTimeUnixNano", nanos(s.start_us)},
                      {"endTimeUnixNano", nanos(s.start_us + s.duration_us)},
                      {"attributes", attrs},
                      {"status", s.error ? json::object{{"code", "STATUS_CODE_ERROR"}, {"message", "failed"}} : json::object{}}};
    if (!s.parent_id.empty()) span["parentSpanId"] = hex_to_base64(s.parent_id);
    spans[static_cast<std::size_t>(it - services.begin())].push_back(std::move(span));
  }
  json::array batches;
  for (std::size_t i = 0; i < services.size(); ++i) {
    json::object resource{{"attributes", json::array{attr("service.name", {{"stringValue", services[i]}})}}};
    json::object scope{{"scope", {{"name", "fake-otel"}, {"version", "1.0"}}}, {"spans", std::move(spans[i])}};
    batches.push_back(json::object{{"resource", std::move(resource)}, {"scopeSpans", json::array{std::move(scope)}}});
  }
  return json::serialize(json::object{{"batches", std::move(batches)}});
}

Result<std::unique_ptr<FakeTempo>> FakeTempo::start(asio::any_io_executor executor, std::vector<Trace> traces, std::string listen) {
  auto st = std::make_shared<State>();
  st->traces = std::move(traces);
  Router r;
  r.add("GET", "/api/search", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return search(*st, req); });
  r.add("GET", "/api/traces/*", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return get_trace(*st, req); });
  HttpServerSettings hs;
  hs.listen = std::move(listen);
  hs.shutdown_grace = std::chrono::milliseconds(200);
  auto server = start_http_server(executor, hs, std::move(r));
  if (!server) return server.error();
  return std::unique_ptr<FakeTempo>(std::make_unique<Fake>(st, std::move(*server)));
}

}  // namespace alertbot::fakes
