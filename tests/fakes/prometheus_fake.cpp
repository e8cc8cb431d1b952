#include "tests/fakes/prometheus_fake.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <mutex>

#include "net/form.hpp"
#include "net/http_server.hpp"

namespace alertbot::fakes {
namespace {

namespace json = boost::json;

ServerResponse bad_data(const std::string& why) {
  return ServerResponse::json(400, json::serialize(json::object{{"status", "error"}, {"errorType", "bad_data"}, {"error", why}}));
}

// Prometheus accepts RFC 3339 or (fractional) Unix seconds.
std::optional<double> parse_time(const std::string* s) {
  if (!s || s->empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s->c_str(), &end);
  if (end && *end == '\0') return v;
  auto t = parse_rfc3339(*s);
  if (!t) return std::nullopt;
  return to_unix_seconds(*t);
}

std::string sample_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

struct State {
  std::vector<FakeSeries> series;
  mutable std::mutex mutex;
  std::vector<std::string> queries;  // guarded by mutex
};

ServerResponse answer(State& st, const ServerRequest& req, bool range) {
  FormFields fields;
  for (const std::string* part : {&req.query, &req.body}) {
    auto f = form_decode(*part);
    if (!f) return bad_data("invalid form");
    fields.insert(fields.end(), f->begin(), f->end());
  }
  const std::string* query = form_get(fields, "query");
  if (!query || query->empty()) return bad_data("invalid parameter \"query\": unknown position: parse error: no expression found in input");
  {
    std::lock_guard lock(st.mutex);
    st.queries.push_back(*query);
  }
  json::array result;
  if (range) {
    auto start = parse_time(form_get(fields, "start"));
    auto end = parse_time(form_get(fields, "end"));
    auto step = parse_time(form_get(fields, "step"));
    if (!start || !end) return bad_data("invalid parameter \"start\" or \"end\"");
    if (!step || *step <= 0) return bad_data("invalid parameter \"step\": zero or negative query resolution step widths are not accepted");
    if (*end < *start) return bad_data("invalid parameter \"end\": end timestamp must not be before start time");
    if ((*end - *start) / *step > 11000) return bad_data("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
    for (const auto& s : st.series) {
      if (query->find(s.match) == std::string::npos) continue;
      json::array values;
      for (double t = *start; t <= *end + 1e-9; t += *step) {
        values.push_back(json::array{t, sample_text(FakePrometheus::value_at(s, from_unix_seconds(t)))});
      }
      json::object metric;
      for (const auto& [k, v] : s.labels) metric[k] = v;
      result.push_back(json::object{{"metric", metric}, {"values", values}});
      break;  // the first matching series answers
    }
    return ServerResponse::json(200, json::serialize(json::object{{"status", "success"},
                                                                  {"data", {{"resultType", "matrix"}, {"result", result}}}}));
  }
  double at = parse_time(form_get(fields, "time")).value_or(0);
  for (const auto& s : st.series) {
    if (query->find(s.match) == std::string::npos) continue;
    json::object metric;
    for (const auto& [k, v] : s.labels) metric[k] = v;
    result.push_back(json::object{{"metric", metric}, {"value", json::array{at, sample_text(FakePrometheus::value_at(s, from_unix_seconds(at)))}}});
    break;
  }
  return ServerResponse::json(200, json::serialize(json::object{{"status", "success"},
                                                                {"data", {{"resultType", "vector"}, {"result", result}}}}));
}

class Fake final : public FakePrometheus {
 public:
  Fake(std::shared_ptr<State> st, std::unique_ptr<HttpServer> server) : st_(std::move(st)), server_(std::move(server)) {}
  std::string url() const override { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<std::string> queries() const override {
    std::lock_guard lock(st_->mutex);
    return st_->queries;
  }
  awaitable<void> stop() override { co_await server_->stop(); }

 private:
  std::shared_ptr<State> st_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

double FakePrometheus::value_at(const FakeSeries& s, SystemTime t) {
  double secs = to_unix_seconds(t);
  // Two incommensurate sines: looks like noise, is the same on every run.
  double n = 0.6 * std::sin(secs * 0.7913) + 0.4 * std::sin(secs * 0.1771 + 1.3);
  const bool shifted = t >= s.onset && (!s.recovered || t < *s.recovered);
  return (shifted ? s.after : s.before) + s.noise * n;
}

Result<std::unique_ptr<FakePrometheus>> FakePrometheus::start(asio::any_io_executor executor, std::vector<FakeSeries> series,
                                                               std::string listen) {
  auto st = std::make_shared<State>();
  st->series = std::move(series);
  Router r;
  for (const char* method : {"GET", "POST"}) {
    r.add(method, "/api/v1/query_range", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return answer(*st, req, true); });
    r.add(method, "/api/v1/query", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return answer(*st, req, false); });
  }
  r.add("GET", "/-/ready", [](ServerRequest) -> awaitable<ServerResponse> { co_return ServerResponse::text(200, "Prometheus Server is Ready.\n"); });
  HttpServerSettings hs;
  hs.listen = std::move(listen);
  hs.shutdown_grace = std::chrono::milliseconds(200);
  auto server = start_http_server(executor, hs, std::move(r));
  if (!server) return server.error();
  return std::unique_ptr<FakePrometheus>(std::make_unique<Fake>(st, std::move(*server)));
}

}  // namespace alertbot::fakes
