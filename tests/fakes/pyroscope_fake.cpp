#include "tests/fakes/pyroscope_fake.hpp"

#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "net/http_server.hpp"
#include "tests/fakes/loki_fake.hpp"

namespace alertbot::fakes {
namespace {

namespace json = boost::json;

struct Failure {
  SystemTime from;
  SystemTime to;
  int status;
  std::string body;
};

struct State {
  std::vector<FakeProfileSample> samples;
  mutable std::mutex mutex;
  std::vector<PyroscopeRequestRecord> requests;  // guarded by mutex
  std::vector<Failure> failures;                 // guarded by mutex
  bool folded_text = false;                      // guarded by mutex
};

struct TreeNode {
  std::map<std::string, TreeNode> children;
  std::int64_t total = 0;
  std::int64_t self = 0;
};

// Appends `n` and its subtree at depth `depth`, starting at x; children left to right, self last.
void layout(const TreeNode& n, std::size_t name, std::size_t depth, std::int64_t x, std::map<std::string, std::size_t>& ids,
            std::vector<std::vector<std::array<std::int64_t, 4>>>& levels) {
  if (levels.size() <= depth) levels.resize(depth + 1);
  levels[depth].push_back({x, n.total, n.self, static_cast<std::int64_t>(name)});
  std::int64_t cx = x;
  for (const auto& [child_name, child] : n.children) {
    layout(child, ids.at(child_name), depth + 1, cx, ids, levels);
    cx += child.total;
  }
}

std::optional<SystemTime> parse_time(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(s->c_str(), &end, 10);
  if (*end != '\0' || v < 0) return std::nullopt;
  if (v > 100000000000LL) return SystemTime(std::chrono::milliseconds(v));
  return SystemTime(std::chrono::seconds(v));
}

ServerResponse answer(State& st, const ServerRequest& req) {
  PyroscopeRequestRecord rec;
  rec.query = req.query_param("query").value_or("");
  rec.from = req.query_param("from").value_or("");
  rec.until = req.query_param("until").value_or("");
  rec.format = req.query_param("format").value_or("json");
  auto from = parse_time(rec.from), until = parse_time(rec.until);
  bool folded = false;
  {
    std::lock_guard lock(st.mutex);
    st.requests.push_back(rec);
    folded = st.folded_text;
    for (const auto& f : st.failures) {
      if (from && until && *from < f.to && f.from < *until) return ServerResponse::text(f.status, f.body);
    }
  }
  auto brace = rec.query.find('{');
  if (brace == std::string::npos || brace == 0) return ServerResponse::text(400, "invalid query: expected <profile_type>{<selector>}\n");
  std::string profile_type = rec.query.substr(0, brace);
  auto matchers = parse_exact_selector(std::string_view(rec.query).substr(brace));
  if (!matchers) return ServerResponse::text(400, "invalid query: " + matchers.error().message + "\n");
  std::string service;
  for (const auto& [k, v] : *matchers) {
    if (k == "service_name") service = v;
  }
  if (!from || !until) return ServerResponse::text(400, "invalid from/until: " + rec.from + ", " + rec.until + "\n");
  std::map<std::string, double> stacks;
  for (const auto& s : st.samples) {
    if (s.service == service && s.t >= *from && s.t < *until) stacks[s.stack] += s.weight;
  }
  if (folded) {
    std::string body;
    for (const auto& [stack, w] : stacks) body += stack + " " + std::to_string(std::llround(w)) + "\n";
    return ServerResponse::text(200, body);
  }
  return ServerResponse::json(200, FakePyroscope::flamebearer_json(stacks, profile_type));
}

class Fake final : public FakePyroscope {
 public:
  Fake(std::shared_ptr<State> st, std::unique_ptr<HttpServer> server) : st_(std::move(st)), server_(std::move(server)) {}
  std::string url() const override { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<PyroscopeRequestRecord> requests() const override {
    std::lock_guard lock(st_->mutex);
    return st_->requests;
  }
  void fail_between(SystemTime from, SystemTime to, int status, std::string body) override {
    std::lock_guard lock(st_->mutex);
    st_->failures.push_back({from, to, status, std::move(body)});
  }
  void answer_folded_text(bool on) override {
    std::lock_guard lock(st_->mutex);
    st_->folded_text = on;
  }
  awaitable<void> stop() override { co_await server_->stop(); }

 private:
  std::shared_ptr<State> st_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

std::string FakePyroscope::flamebearer_json(const std::map<std::string, double>& stacks, const std::string& profile_type) {
  TreeNode root;
  std::map<std::string, std::size_t> ids{{"total", 0}};
  json::array names{"total"};
  for (const auto& [stack, weight] : stacks) {
    std::int64_t w = std::llround(weight);
    if (w <= 0) continue;
    TreeNode* n = &root;
    n->total += w;
    std::size_t b = 0;
    for (std::size_t i = 0; i <= stack.size(); ++i) {
      if (i < stack.size() && stack[i] != ';') continue;
      std::string frame = stack.substr(b, i - b);
      b = i + 1;
      if (ids.emplace(frame, names.size()).second) names.push_back(json::value(frame));
      n = &n->children[frame];
      n->total += w;
    }
    n->self += w;
  }
  std::vector<std::vector<std::array<std::int64_t, 4>>> levels;
  layout(root, 0, 0, 0, ids, levels);
  json::array encoded;
  std::int64_t max_self = 0;
  for (const auto& level : levels) {
    json::array row;
    std::int64_t end = 0;
    for (const auto& [x, total, self, name] : level) {
      row.insert(row.end(), {x - end, total, self, name});  // offsets are relative to the previous node's end
      end = x + total;
      max_self = std::max(max_self, self);
    }
    encoded.push_back(std::move(row));
  }
  json::object fb{{"names", std::move(names)}, {"levels", std::move(encoded)}, {"numTicks", root.total}, {"maxSelf", max_self}};
  json::object meta{{"format", "single"}, {"spyName", ""}, {"sampleRate", 100}, {"units", "samples"}, {"name", profile_type}};
  return json::serialize(json::object{{"version", 1}, {"flamebearer", std::move(fb)}, {"metadata", std::move(meta)}, {"timeline", nullptr}});
}

Result<std::unique_ptr<FakePyroscope>> FakePyroscope::start(asio::any_io_executor executor, std::vector<FakeProfileSample> samples,
                                                            std::string listen) {
  auto st = std::make_shared<State>();
  st->samples = std::move(samples);
  Router r;
  r.add("GET", "/pyroscope/render", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return answer(*st, req); });
  r.add("GET", "/ready", [](ServerRequest) -> awaitable<ServerResponse> { co_return ServerResponse::text(200, "ready\n"); });
  HttpServerSettings hs;
  hs.listen = std::move(listen);
  hs.shutdown_grace = std::chrono::milliseconds(200);
  auto server = start_http_server(executor, hs, std::move(r));
  if (!server) return server.error();
  return std::unique_ptr<FakePyroscope>(std::make_unique<Fake>(st, std::move(*server)));
}

}  // namespace alertbot::fakes
