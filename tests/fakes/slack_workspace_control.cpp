// The /_emulator/* control routes: JSON over HTTP, so that programs in other processes (the
// official Node SDK test, the Bolt benchmark) can drive the workspace the way in-process tests
// drive SlackWorkspace. Every route goes through the public SlackWorkspace interface (the
// `workspace` slot); while it is null (before start() returns, after the workspace is destroyed)
// they answer 503. Bad input gets 400 with {"ok":false,"error":"<reason>"}.
#include <boost/json.hpp>

#include "tests/fakes/slack_workspace_state.hpp"

namespace alertbot::fakes::detail {
namespace {

namespace json = boost::json;

ServerResponse answer(int status, json::object o) {
  o["ok"] = status == 200;
  return ServerResponse::json(status, json::serialize(o));
}

ServerResponse bad_request(const std::string& reason) { return answer(400, {{"error", reason}}); }

// The fields of a JSON request body, read with type checks; the first problem is kept as the
// reason of the 400 answer.
class Fields {
 public:
  explicit Fields(const std::string& body) {
    if (body.empty()) return;  // no body: every field absent
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) {
      error_ = "body must be a JSON object";
      return;
    }
    o_ = std::move(v.as_object());
  }

  std::string str(const char* key, bool required = true) {
    const json::value* v = o_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) note(std::string(key) + " is required");
      return {};
    }
    if (!v->is_string() || (required && v->get_string().empty())) {
      note(std::string(key) + " must be a non-empty string");
      return {};
    }
    return std::string(v->get_string());
  }

  // An integer in [min, max]; `fallback` when absent (required when there is none).
  std::int64_t integer(const char* key, std::optional<std::int64_t> fallback, std::int64_t min, std::int64_t max) {
    const json::value* v = o_.if_contains(key);
    if (!v || v->is_null()) {
      if (!fallback) note(std::string(key) + " is required");
      return fallback.value_or(0);
    }
    auto n = v->to_number<std::int64_t>(ec_);
    if (ec_ || n < min || n > max) {
      note(std::string(key) + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
      return fallback.value_or(0);
    }
    return n;
  }

  bool boolean(const char* key) {
    const json::value* v = o_.if_contains(key);
    if (!v || !v->is_bool()) {
      note(std::string(key) + " must be true or false");
      return false;
    }
    return v->get_bool();
  }

  const std::string& error() const { return error_; }

 private:
  void note(std::string e) {
    if (error_.empty()) error_ = std::move(e);
  }

  json::object o_;
  boost::system::error_code ec_;
  std::string error_;
};

json::object message_json(const SlackMessage& m) {
  json::object o = message_object(m);
  o["channel"] = m.channel;
  o["edits"] = m.edits;
  return o;
}

// A control route: `handle` runs with the live workspace; 503 while there is none.
using Handle = std::function<ServerResponse(SlackWorkspace&, const ServerRequest&)>;

void route(Router& router, const char* verb, const char* path, std::shared_ptr<SlackWorkspace*> slot, const Handle& handle) {
  router.add(verb, path, [slot, handle](ServerRequest req) -> awaitable<ServerResponse> {
    SlackWorkspace* ws = *slot;
    if (!ws) co_return answer(503, {{"error", "workspace not running"}});
    co_return handle(*ws, req);
  });
}

constexpr std::int64_t kMaxCount = 1000000;
constexpr std::int64_t kMaxSocket = 100;

}  // namespace

void add_control_routes(Router& router, std::shared_ptr<WorkspaceState>, std::shared_ptr<SlackWorkspace*> slot) {
  route(router, "POST", "/_emulator/messages", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    Fields f(req.body);
    std::string channel = f.str("channel"), user = f.str("user"), text = f.str("text"), thread_ts = f.str("thread_ts", false);
    if (!f.error().empty()) return bad_request(f.error());
    if (!thread_ts.empty() && !ws.message(channel, thread_ts)) return bad_request("thread_ts: no such message in " + channel);
    return answer(200, {{"ts", ws.post_user_message(channel, user, text, thread_ts)}});
  });

  route(router, "POST", "/_emulator/webhook/*", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    std::string channel = req.path.substr(std::string_view("/_emulator/webhook/").size());
    if (channel.empty() || channel.find('/') != std::string::npos) return bad_request("channel missing from the path");
    auto ts = ws.post_webhook_message(channel, req.body);
    if (!ts) return bad_request(ts.error().message);
    return answer(200, {{"ts", *ts}});
  });

  route(router, "POST", "/_emulator/disconnect", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    Fields f(req.body);
    std::string reason = f.str("reason");
    auto socket = f.integer("socket", -1, -1, kMaxSocket);
    if (!f.error().empty()) return bad_request(f.error());
    ws.send_disconnect(reason, static_cast<int>(socket));
    return answer(200, {});
  });

  route(router, "POST", "/_emulator/drop", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    Fields f(req.body);
    auto socket = f.integer("socket", -1, -1, kMaxSocket);
    if (!f.error().empty()) return bad_request(f.error());
    ws.drop_sockets(static_cast<int>(socket));
    return answer(200, {});
  });

  route(router, "POST", "/_emulator/rate_limit", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    Fields f(req.body);
    std::string method = f.str("method");
    auto count = f.integer("count", std::nullopt, 0, kMaxCount);
    auto retry_after = f.integer("retry_after", std::nullopt, 0, 3600);
    if (!f.error().empty()) return bad_request(f.error());
    ws.inject_rate_limit(method, static_cast<int>(count), static_cast<int>(retry_after));
    return answer(200, {});
  });

  route(router, "POST", "/_emulator/http_errors", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    Fields f(req.body);
    std::string method = f.str("method");
    auto count = f.integer("count", std::nullopt, 0, kMaxCount);
    auto status = f.integer("status", std::nullopt, 400, 599);
    if (!f.error().empty()) return bad_request(f.error());
    ws.inject_http_errors(method, static_cast<int>(count), static_cast<int>(status));
    return answer(200, {});
  });

  route(router, "POST", "/_emulator/delay", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    Fields f(req.body);
    std::string method = f.str("method", false);  // absent or "": every method
    auto ms = f.integer("ms", std::nullopt, 0, 600000);
    if (!f.error().empty()) return bad_request(f.error());
    ws.set_response_delay(method, std::chrono::milliseconds(ms));
    return answer(200, {});
  });

  route(router, "POST", "/_emulator/duplicates", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    Fields f(req.body);
    bool on = f.boolean("on");
    if (!f.error().empty()) return bad_request(f.error());
    ws.set_duplicate_deliveries(on);
    return answer(200, {});
  });

  route(router, "GET", "/_emulator/deliveries", slot, [](SlackWorkspace& ws, const ServerRequest&) {
    json::array out;
    for (const auto& d : ws.deliveries()) {
      out.push_back(json::object{{"envelope_id", d.envelope_id},
                                 {"type", d.type},
                                 {"event_id", d.event_id},
                                 {"attempts", d.attempts},
                                 {"acked", d.acked},
                                 {"ack_latency_us", d.acked ? d.ack_latency.count() : 0}});
    }
    return answer(200, {{"deliveries", std::move(out)}});
  });

  route(router, "GET", "/_emulator/calls", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    json::array out;
    for (const auto& c : ws.calls(req.query_param("method").value_or(""))) {
      json::object args;
      for (const auto& [k, v] : c.args) args[k] = v;
      out.push_back(json::object{{"method", c.method}, {"args", std::move(args)}, {"ok", c.ok}, {"error", c.error}});
    }
    return answer(200, {{"calls", std::move(out)}});
  });

  route(router, "GET", "/_emulator/thread", slot, [](SlackWorkspace& ws, const ServerRequest& req) {
    std::string channel = req.query_param("channel").value_or("");
    std::string ts = req.query_param("ts").value_or("");
    if (channel.empty() || ts.empty()) return bad_request("channel and ts query parameters are required");
    json::array out;
    for (const auto& m : ws.thread(channel, ts)) out.push_back(message_json(m));
    return answer(200, {{"messages", std::move(out)}});
  });

  route(router, "GET", "/_emulator/sockets", slot, [](SlackWorkspace& ws, const ServerRequest&) {
    return answer(200, {{"open", ws.open_sockets()}});
  });
}

}  // namespace alertbot::fakes::detail
