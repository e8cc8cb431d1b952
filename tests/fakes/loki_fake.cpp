#include "tests/fakes/loki_fake.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "net/http_server.hpp"

namespace alertbot::fakes {
namespace {

namespace json = boost::json;

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 5000;  // Loki's max_entries_limit_per_query default

struct Failure {
  SystemTime from;
  SystemTime to;
  int status;
  std::string body;
};

struct State {
  std::vector<FakeLogEntry> entries;
  mutable std::mutex mutex;
  std::vector<LokiRequestRecord> requests;  // guarded by mutex
  std::vector<Failure> failures;            // guarded by mutex
};

Error syntax_error(std::size_t col, const std::string& what) {
  return fail(Errc::ParseError, "parse error at line 1, col " + std::to_string(col + 1) + ": syntax error: " + what);
}

// Loki accepts nanoseconds, fractional seconds or RFC 3339.
std::optional<SystemTime> parse_time(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  if (s->find_first_of("T:-") != std::string::npos) {
    auto t = parse_rfc3339(*s);
    return t ? std::optional<SystemTime>(*t) : std::nullopt;
  }
  char* end = nullptr;
  if (s->find('.') != std::string::npos) {
    double v = std::strtod(s->c_str(), &end);
    return *end == '\0' ? std::optional<SystemTime>(from_unix_seconds(v)) : std::nullopt;
  }
  long long ns = std::strtoll(s->c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(ns)));
}

std::string ns_text(SystemTime t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

ServerResponse bad_request(const std::string& why) { return ServerResponse::text(400, why + "\n"); }

json::object labels_json(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

ServerResponse answer(State& st, const ServerRequest& req) {
  LokiRequestRecord rec;
  rec.query = req.query_param("query").value_or("");
  rec.start = req.query_param("start").value_or("");
  rec.end = req.query_param("end").value_or("");
  rec.limit = req.query_param("limit").value_or("");
  rec.direction = req.query_param("direction").value_or("backward");
  rec.categorize_labels = req.header("x-loki-response-encoding-flags").value_or("").find("categorize-labels") != std::string_view::npos;
  auto start = parse_time(rec.start), end = parse_time(rec.end);
  {
    std::lock_guard lock(st.mutex);
    st.requests.push_back(rec);
    for (const auto& f : st.failures) {
      if (start && end && *start < f.to && f.from < *end) return ServerResponse::text(f.status, f.body);
    }
  }
  auto matchers = parse_exact_selector(rec.query);
  if (!matchers) return bad_request(matchers.error().message);
  if (!start || !end) return bad_request("invalid start or end: " + rec.start + ", " + rec.end);
  if (*end < *start) return bad_request("end timestamp must not be before or equal to start time");
  std::size_t limit = kDefaultLimit;
  if (!rec.limit.empty()) {
    char* e = nullptr;
    long long l = std::strtoll(rec.limit.c_str(), &e, 10);
    if (*e != '\0' || l <= 0) return bad_request("invalid limit: " + rec.limit);
    if (static_cast<std::size_t>(l) > kMaxLimit) {
      return bad_request("max entries limit per query exceeded, limit > max_entries_limit (" + rec.limit + " > 5000)");
    }
    limit = static_cast<std::size_t>(l);
  }
  bool backward = rec.direction == "backward" || rec.direction == "BACKWARD";
  if (!backward && rec.direction != "forward" && rec.direction != "FORWARD") return bad_request("invalid direction: " + rec.direction);

  std::vector<const FakeLogEntry*> hits;
  for (const auto& e : st.entries) {
    if (e.t < *start || e.t >= *end) continue;
    bool ok = std::all_of(matchers->begin(), matchers->end(), [&](const auto& m) {
      auto it = e.labels.find(m.first);
      return it != e.labels.end() && it->second == m.second;
    });
    if (ok) hits.push_back(&e);
  }
  std::stable_sort(hits.begin(), hits.end(), [&](const FakeLogEntry* a, const FakeLogEntry* b) { return backward ? a->t > b->t : a->t < b->t; });
  if (hits.size() > limit) hits.resize(limit);

  std::map<std::map<std::string, std::string>, json::array> streams;
  for (const FakeLogEntry* e : hits) {
    auto labels = e->labels;
    if (!rec.categorize_labels) labels.insert(e->metadata.begin(), e->metadata.end());
    json::array entry{ns_text(e->t), e->line};
    if (rec.categorize_labels && !e->metadata.empty()) entry.push_back(json::object{{"structuredMetadata", labels_json(e->metadata)}});
    streams[labels].push_back(std::move(entry));
  }
  json::array result;
  for (auto& [labels, values] : streams) result.push_back(json::object{{"stream", labels_json(labels)}, {"values", std::move(values)}});
  json::object data{{"resultType", "streams"}, {"result", std::move(result)},
                    {"stats", {{"summary", {{"totalEntriesReturned", hits.size()}}}}}};
  if (rec.categorize_labels) data["encodingFlags"] = json::array{"categorize-labels"};
  return ServerResponse::json(200, json::serialize(json::object{{"status", "success"}, {"data", std::move(data)}}));
}

class Fake final : public FakeLoki {
 public:
  Fake(std::shared_ptr<State> st, std::unique_ptr<HttpServer> server) : st_(std::move(st)), server_(std::move(server)) {}
  std::string url() const override { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<LokiRequestRecord> requests() const override {
    std::lock_guard lock(st_->mutex);
    return st_->requests;
  }
  void fail_between(SystemTime from, SystemTime to, int status, std::string body) override {
    std::lock_guard lock(st_->mutex);
    st_->failures.push_back({from, to, status, std::move(body)});
  }
  awaitable<void> stop() override { co_await server_->stop(); }

 private:
  std::shared_ptr<State> st_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> parse_exact_selector(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  auto skip = [&] {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  skip();
  if (i >= s.size() || s[i] != '{') return syntax_error(i, "unexpected input, expecting {");
  ++i;
  for (;;) {
    skip();
    std::size_t b = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    if (i == b || std::isdigit(static_cast<unsigned char>(s[b]))) return syntax_error(b, "unexpected input, expecting IDENTIFIER");
    std::string key(s.substr(b, i - b));
    skip();
    if (i >= s.size() || s[i] != '=' || (i + 1 < s.size() && s[i + 1] == '~')) return syntax_error(i, "unexpected input, expecting =");
    ++i;
    skip();
    if (i >= s.size() || s[i] != '"') return syntax_error(i, "unexpected input, expecting STRING");
    std::string value;
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      value += s[i];
    }
    if (i >= s.size()) return syntax_error(i, "unterminated string");
    ++i;
    out.emplace_back(std::move(key), std::move(value));
    skip();
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    if (i < s.size() && s[i] == '}') break;
    return syntax_error(i, "unexpected input, expecting , or }");
  }
  ++i;
  skip();
  if (i != s.size()) return syntax_error(i, "unexpected input after the selector (only exact matchers are supported)");
  return out;
}

Result<std::unique_ptr<FakeLoki>> FakeLoki::start(asio::any_io_executor executor, std::vector<FakeLogEntry> entries, std::string listen) {
  auto st = std::make_shared<State>();
  st->entries = std::move(entries);
  Router r;
  r.add("GET", "/loki/api/v1/query_range", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return answer(*st, req); });
  r.add("GET", "/ready", [](ServerRequest) -> awaitable<ServerResponse> { co_return ServerResponse::text(200, "ready\n"); });
  HttpServerSettings hs;
  hs.listen = std::move(listen);
  hs.shutdown_grace = std::chrono::milliseconds(200);
  auto server = start_http_server(executor, hs, std::move(r));
  if (!server) return server.error();
  return std::unique_ptr<FakeLoki>(std::make_unique<Fake>(st, std::move(*server)));
}

}  // namespace alertbot::fakes
