#include "tests/fakes/jaeger_fake.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <limits>
#include <mutex>
#include <set>

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

json::object string_tag(const char* key, const std::string& value) {
  return {{"key", key}, {"type", "string"}, {"value", value}};
}

json::object render_trace(const Trace& t) {
  json::object processes;
  std::vector<std::string> services;  // index + 1 is the process number
  json::array spans;
  for (const Span& s : t.spans) {
    auto it = std::find(services.begin(), services.end(), s.service);
    if (it == services.end()) {
      services.push_back(s.service);
      processes["p" + std::to_string(services.size())] =
          json::object{{"serviceName", s.service}, {"tags", json::array{string_tag("hostname", "fake-" + s.service)}}};
      it = services.end() - 1;
    }
    json::array refs;
    if (!s.parent_id.empty()) refs.push_back(json::object{{"refType", "CHILD_OF"}, {"traceID", t.trace_id}, {"spanID", s.parent_id}});
    json::array tags{json::object{{"key", "span.kind"}, {"type", "string"}, {"value", "server"}}};
    if (s.error) tags.push_back(json::object{{"key", "error"}, {"type", "bool"}, {"value", true}});
    if (!s.db_statement.empty()) tags.push_back(string_tag("db.statement", s.db_statement));
    if (!s.http_route.empty()) tags.push_back(string_tag("http.route", s.http_route));
    if (!s.peer_service.empty()) tags.push_back(string_tag("peer.service", s.peer_service));
    spans.push_back(json::object{{"traceID", t.trace_id},
                                 {"spanID", s.span_id},
                                 {"flags", 1},
                                 {"operationName", s.operation},
                                 {"references", refs},
                                 {"startTime", s.start_us},
                                 {"duration", s.duration_us},
                                 {"tags", tags},
                                 {"logs", json::array{}},
                                 {"processID", "p" + std::to_string(it - services.begin() + 1)},
                                 {"warnings", nullptr}});
  }
  return {{"traceID", t.trace_id}, {"spans", spans}, {"processes", processes}, {"warnings", nullptr}};
}

std::string envelope(json::value data, std::size_t total, json::value errors) {
  return json::serialize(json::object{{"data", std::move(data)}, {"total", total}, {"limit", 0}, {"offset", 0}, {"errors", std::move(errors)}});
}

ServerResponse error_response(int status, const std::string& msg) {
  json::array errors{json::object{{"code", status}, {"msg", msg}}};
  return ServerResponse::json(status, envelope(nullptr, 0, std::move(errors)));
}

struct State {
  std::vector<Trace> traces;
  mutable std::mutex mutex;
  std::vector<std::string> requests;         // guarded by mutex
  std::vector<std::int64_t> failing_instants;  // guarded by mutex

  void record(const ServerRequest& req) {
    std::lock_guard lock(mutex);
    requests.push_back(req.method + " " + req.target);
  }
};

ServerResponse search(State& st, const ServerRequest& req) {
  st.record(req);
  auto service = req.query_param("service");
  if (!service || service->empty()) return error_response(400, "parameter 'service' is required");
  std::int64_t start = 0, end = std::numeric_limits<std::int64_t>::max();
  if (req.query_param("start")) {
    auto v = int_param(req, "start");
    if (!v) return error_response(400, "unable to parse param 'start'");
    start = *v;
  }
  if (req.query_param("end")) {
    auto v = int_param(req, "end");
    if (!v) return error_response(400, "unable to parse param 'end'");
    end = *v;
  }
  std::int64_t limit = int_param(req, "limit").value_or(100);
  {
    std::lock_guard lock(st.mutex);
    for (auto t : st.failing_instants) {
      if (t >= start && t <= end) return error_response(500, "storage backend unavailable");
    }
  }
  std::vector<const Trace*> hits;
  for (const auto& t : st.traces) {
    std::int64_t at = first_start(t);
    bool has = std::any_of(t.spans.begin(), t.spans.end(), [&](const Span& s) { return s.service == *service; });
    if (has && at >= start && at <= end) hits.push_back(&t);
  }
  std::stable_sort(hits.begin(), hits.end(), [](const Trace* a, const Trace* b) { return first_start(*a) > first_start(*b); });
  if (limit > 0 && hits.size() > static_cast<std::size_t>(limit)) hits.resize(static_cast<std::size_t>(limit));
  json::array data;
  for (const Trace* t : hits) data.push_back(render_trace(*t));
  std::size_t n = data.size();
  return ServerResponse::json(200, envelope(std::move(data), n, nullptr));
}

ServerResponse get_trace(State& st, const ServerRequest& req) {
  st.record(req);
  std::string id = req.path.substr(std::string("/api/traces/").size());
  for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& t : st.traces) {
    if (t.trace_id == id) return ServerResponse::json(200, envelope(json::array{render_trace(t)}, 1, nullptr));
  }
  return error_response(404, "trace not found");
}

class Fake final : public FakeJaeger {
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

std::string FakeJaeger::render(const std::vector<Trace>& traces) {
  json::array data;
  for (const auto& t : traces) data.push_back(render_trace(t));
  std::size_t n = data.size();
  return envelope(std::move(data), n, nullptr);
}

Result<std::unique_ptr<FakeJaeger>> FakeJaeger::start(asio::any_io_executor executor, std::vector<Trace> traces, std::string listen) {
  auto st = std::make_shared<State>();
  st->traces = std::move(traces);
  Router r;
  r.add("GET", "/api/traces", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return search(*st, req); });
  r.add("GET", "/api/traces/*", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return get_trace(*st, req); });
  r.add("GET", "/api/services", [st](ServerRequest req) -> awaitable<ServerResponse> {
    st->record(req);
    std::set<std::string> names;
    for (const auto& t : st->traces) {
      for (const auto& s : t.spans) names.insert(s.service);
    }
    json::array data;
    for (const auto& n : names) data.push_back(json::string(n));
    std::size_t total = data.size();
    co_return ServerResponse::json(200, envelope(std::move(data), total, nullptr));
  });
  HttpServerSettings hs;
  hs.listen = std::move(listen);
  hs.shutdown_grace = std::chrono::milliseconds(200);
  auto server = start_http_server(std::move(executor), hs, std::move(r));
  if (!server) return server.error();
  return std::unique_ptr<FakeJaeger>(std::make_unique<Fake>(st, std::move(*server)));
}

}  // namespace alertbot::fakes
