// The workspace emulator's Web API, incoming webhooks and lifecycle.
#include "tests/fakes/slack_workspace.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "net/form.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/slack_workspace_state.hpp"

namespace alertbot::fakes {
namespace detail {
namespace {

namespace json = boost::json;
using Args = std::map<std::string, std::string>;

ServerResponse ok_json(json::object o) {
  o["ok"] = true;
  return ServerResponse::json(200, json::serialize(o));
}

ServerResponse error_json(const std::string& code) {
  return ServerResponse::json(200, json::serialize(json::object{{"ok", false}, {"error", code}}));
}

// Arguments from a JSON, form or query body, every value as a string (JSON values serialised).
Result<Args> parse_args(const ServerRequest& req) {
  Args args;
  std::string_view ct = req.header("content-type").value_or("");
  if (ct.substr(0, 16) == "application/json") {
    boost::system::error_code ec;
    json::value v = json::parse(req.body, ec);
    if (ec || !v.is_object()) return fail(Errc::ParseError, "invalid_json");
    for (const auto& [k, val] : v.as_object()) {
      args[std::string(k)] = val.is_string() ? std::string(val.get_string()) : json::serialize(val);
    }
    return args;
  }
  for (std::string_view part : {std::string_view(req.query), std::string_view(req.body)}) {
    auto fields = form_decode(part);
    if (!fields) return fail(Errc::ParseError, "invalid_form_data");
    for (auto& [k, v] : *fields) args[k] = v;
  }
  return args;
}

std::string arg(const Args& a, const std::string& key) {
  auto it = a.find(key);
  return it == a.end() ? std::string() : it->second;
}

std::size_t text_length(const json::value* t) {
  if (!t || !t->is_object()) return 0;
  auto* s = t->as_object().if_contains("text");
  return s && s->is_string() ? s->get_string().size() : 0;
}

// Block Kit limits Slack enforces (spec/slack.md section 6): returns a Slack error code or "".
std::string check_blocks(const std::string& blocks_text) {
  boost::system::error_code ec;
  json::value v = json::parse(blocks_text, ec);
  if (ec || !v.is_array()) return "invalid_blocks_format";
  const auto& blocks = v.as_array();
  if (blocks.size() > 50) return "invalid_blocks";
  std::size_t total = 0;
  std::set<std::string> block_ids;
  for (const auto& b : blocks) {
    if (!b.is_object() || !b.as_object().if_contains("type")) return "invalid_blocks";
    const auto& o = b.as_object();
    std::string type(o.at("type").as_string());
    if (auto* id = o.if_contains("block_id"); id && id->is_string()) {
      if (id->get_string().size() > 255 || !block_ids.insert(std::string(id->get_string())).second) return "invalid_blocks";
    }
    std::size_t n = text_length(o.if_contains("text"));
    total += n;
    if (type == "header" && (n == 0 || n > 150)) return "invalid_blocks";
    if (type == "section") {
      if (n > 3000) return "invalid_blocks";
      if (auto* f = o.if_contains("fields"); f && f->is_array()) {
        if (f->as_array().size() > 10) return "invalid_blocks";
        for (const auto& field : f->as_array()) {
          std::size_t fl = field.is_object() && field.as_object().if_contains("text") ? field.as_object().at("text").as_string().size() : 0;
          if (fl > 2000) return "invalid_blocks";
          total += fl;
        }
      }
      if (n == 0 && !o.if_contains("fields")) return "invalid_blocks";
    }
    auto* el = o.if_contains("elements");
    if (type == "context" && el && el->is_array()) {
      if (el->as_array().size() > 10) return "invalid_blocks";
      for (const auto& e : el->as_array()) total += e.is_object() && e.as_object().if_contains("text") ? e.as_object().at("text").as_string().size() : 0;
    }
    if (type == "actions" && el && el->is_array()) {
      if (el->as_array().size() > 25) return "invalid_blocks";
      for (const auto& e : el->as_array()) {
        if (text_length(e.is_object() ? e.as_object().if_contains("text") : nullptr) > 75) return "invalid_blocks";
        if (auto* val = e.is_object() ? e.as_object().if_contains("value") : nullptr; val && val->is_string() && val->get_string().size() > 2000) return "invalid_blocks";
      }
    }
  }
  // Slack refuses messages whose blocks carry about 13k characters in all, even when every block
  // is within its own limit (bolt-js #2509).
  if (total > 13000) return "msg_blocks_too_long";
  return {};
}

// chat.postMessage and chat.update share their content checks.
std::string check_content(const Args& a, bool require_content) {
  std::string blocks = arg(a, "blocks");
  if (!blocks.empty()) {
    if (auto err = check_blocks(blocks); !err.empty()) return err;
  }
  std::string attachments = arg(a, "attachments");
  if (!attachments.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(attachments, ec);
    if (ec || !v.is_array()) return "invalid_attachments";
    if (v.as_array().size() > 100) return "too_many_attachments";
  }
  if (require_content && arg(a, "text").empty() && blocks.empty() && attachments.empty()) return "no_text";
  return {};
}

ServerResponse post_message(WorkspaceState& st, const Args& a, std::vector<std::function<void()>>& after) {
  std::string channel = arg(a, "channel");
  if (channel.empty()) return error_json("channel_not_found");
  if (auto err = check_content(a, true); !err.empty()) return error_json(err);
  std::string thread_ts = arg(a, "thread_ts");
  if (!thread_ts.empty()) {
    auto* parent = st.find_message(channel, thread_ts);
    if (!parent) return error_json("thread_not_found");
    if (!parent->thread_ts.empty() && parent->thread_ts != parent->ts) thread_ts = parent->thread_ts;
  }
  SlackMessage m;
  m.channel = channel;
  m.ts = st.next_ts(channel);
  m.thread_ts = thread_ts;
  m.user = st.settings.bot_user_id;
  m.bot_id = st.settings.bot_id;
  m.text = arg(a, "text");
  m.blocks_json = arg(a, "blocks");
  m.attachments_json = arg(a, "attachments");
  st.channels[channel].push_back(m);
  json::object event = st.message_event(m);
  after.push_back([&st, event] { st.deliver("events_api", event, {}); });
  return ok_json({{"channel", channel}, {"ts", m.ts}, {"message", message_object(m)}});
}

ServerResponse update_message(WorkspaceState& st, const Args& a, std::vector<std::function<void()>>& after) {
  std::string channel = arg(a, "channel");
  auto* m = st.find_message(channel, arg(a, "ts"));
  if (!m) return error_json("message_not_found");
  if (m->bot_id != st.settings.bot_id) return error_json("cant_update_message");
  if (auto err = check_content(a, false); !err.empty()) return error_json(err);
  if (a.count("text")) m->text = arg(a, "text");
  if (a.count("blocks")) m->blocks_json = arg(a, "blocks") == "[]" ? "" : arg(a, "blocks");
  ++m->edits;
  json::object changed = st.message_event(*m);
  json::object event{{"type", "message"}, {"subtype", "message_changed"}, {"hidden", true}, {"channel", channel},
                     {"ts", m->ts}, {"message", message_object(*m)}};
  after.push_back([&st, event] { st.deliver("events_api", event, {}); });
  return ok_json({{"channel", channel}, {"ts", m->ts}, {"text", m->text}, {"message", message_object(*m)}});
}

ServerResponse replies(WorkspaceState& st, const Args& a) {
  std::string channel = arg(a, "channel");
  std::string ts = arg(a, "ts");
  auto it = st.channels.find(channel);
  if (it == st.channels.end()) return error_json("channel_not_found");
  json::array out;
  for (const auto& m : it->second) {
    if (m.ts == ts || m.thread_ts == ts) out.push_back(message_object(m));
  }
  if (out.empty()) return error_json("thread_not_found");
  return ok_json({{"messages", out}, {"has_more", false}, {"response_metadata", {{"next_cursor", ""}}}});
}

ServerResponse history(WorkspaceState& st, const Args& a) {
  auto it = st.channels.find(arg(a, "channel"));
  if (it == st.channels.end()) return error_json("channel_not_found");
  json::array out;
  for (auto m = it->second.rbegin(); m != it->second.rend(); ++m) {
    if (m->thread_ts.empty() || m->thread_ts == m->ts) out.push_back(message_object(*m));
  }
  return ok_json({{"messages", out}, {"has_more", false}, {"response_metadata", {{"next_cursor", ""}}}});
}

}  // namespace

ServerResponse handle_api(WorkspaceState& st, const std::string& method, const ServerRequest& req) {
  auto args = parse_args(req);
  std::string token;
  if (auto auth = req.header("authorization"); auth && auth->substr(0, 7) == "Bearer ") token = std::string(auth->substr(7));
  if (token.empty() && args) token = arg(*args, "token");

  std::vector<std::function<void()>> after;  // deliveries to start once the lock is released
  ServerResponse resp;
  {
    std::lock_guard lock(st.mutex);
    RecordedCall call{method, args ? *args : Args{}, token, false, {}, ++st.seq};
    auto limited = st.rate_limits.find(method);
    if (limited != st.rate_limits.end() && limited->second.first > 0) {
      --limited->second.first;
      resp = ServerResponse::json(429, "{\"ok\":false,\"error\":\"ratelimited\"}");
      resp.headers.emplace_back("Retry-After", std::to_string(limited->second.second));
      call.error = "ratelimited";
      st.calls.push_back(std::move(call));
      return resp;
    }
    auto broken = st.http_errors.find(method);
    if (broken != st.http_errors.end() && broken->second.first > 0) {
      --broken->second.first;
      resp = ServerResponse::text(broken->second.second, "upstream trouble (injected)\n");
      call.error = "http_" + std::to_string(broken->second.second);
      st.calls.push_back(std::move(call));
      return resp;
    }
    const bool app_method = method == "apps.connections.open";
    const std::string& expected = app_method ? st.settings.app_token : st.settings.bot_token;
    if (!args) {
      resp = error_json(args.error().message);
    } else if (token.empty()) {
      resp = error_json("not_authed");
    } else if (token != expected) {
      resp = error_json(app_method && token == st.settings.bot_token ? "not_allowed_token_type" : "invalid_auth");
    } else if (method == "auth.test") {
      resp = ok_json({{"url", "https://emulated.slack.test/"}, {"team", st.settings.team}, {"user", st.settings.bot_name},
                      {"team_id", st.settings.team_id}, {"user_id", st.settings.bot_user_id}, {"bot_id", st.settings.bot_id},
                      {"is_enterprise_install", false}});
    } else if (app_method) {
      std::string ticket = st.new_id("ticket");
      st.tickets.insert(ticket);
      resp = ok_json({{"url", "ws://127.0.0.1:" + std::to_string(st.port) + "/link/?ticket=" + ticket + "&app_id=" + st.settings.app_id}});
    } else if (method == "chat.postMessage") {
      resp = post_message(st, *args, after);
    } else if (method == "chat.update") {
      resp = update_message(st, *args, after);
    } else if (method == "conversations.replies") {
      resp = replies(st, *args);
    } else if (method == "conversations.history") {
      resp = history(st, *args);
    } else {
      resp = error_json("unknown_method");
    }
    boost::system::error_code ec;
    auto body = json::parse(resp.body, ec);
    call.ok = !ec && body.is_object() && body.as_object().at("ok").as_bool();
    if (!call.ok && !ec && body.is_object()) call.error = std::string(body.as_object().at("error").as_string());
    st.calls.push_back(std::move(call));
  }
  for (auto& f : after) f();
  return resp;
}

namespace {

class Workspace final : public SlackWorkspace {
 public:
  Workspace(std::shared_ptr<WorkspaceState> st, std::unique_ptr<HttpServer> server, std::shared_ptr<SlackWorkspace*> self)
      : st_(std::move(st)), server_(std::move(server)), self_(std::move(self)) {
    *self_ = this;
  }
  ~Workspace() override { *self_ = nullptr; }

  const SlackWorkspaceSettings& settings() const override { return st_->settings; }
  std::string api_url() const override { return base() + "/api/"; }
  std::string incoming_webhook_url(const std::string& channel) const override { return base() + "/hooks/incoming/" + channel; }

  std::string post_user_message(const std::string& channel, const std::string& user, const std::string& text,
                                const std::string& thread_ts) override {
    json::object event;
    std::string ts;
    {
      std::lock_guard lock(st_->mutex);
      SlackMessage m{channel, st_->next_ts(channel), thread_ts, user, {}, {}, {}, text, {}, {}, 0};
      ts = m.ts;
      st_->channels[channel].push_back(m);
      event = st_->message_event(m);
    }
    st_->deliver("events_api", std::move(event), {});
    return ts;
  }

  Result<std::string> post_webhook_message(const std::string& channel, const std::string& body_json) override {
    return incoming_webhook(*st_, channel, body_json);
  }

  void send_disconnect(const std::string& reason, int socket) override {
    for (auto& s : st_->pick_sockets(socket)) st_->disconnect(s, reason);
  }

  void drop_sockets(int socket) override {
    for (auto& s : st_->pick_sockets(socket)) s->ws->abort();
  }

  void inject_rate_limit(const std::string& method, int count, int retry_after_s) override {
    std::lock_guard lock(st_->mutex);
    st_->rate_limits[method] = {count, retry_after_s};
  }

  void inject_http_errors(const std::string& method, int count, int status) override {
    std::lock_guard lock(st_->mutex);
    st_->http_errors[method] = {count, status};
  }

  void set_response_delay(const std::string& method, std::chrono::milliseconds delay) override {
    std::lock_guard lock(st_->mutex);
    st_->delays[method] = delay;
  }

  void set_duplicate_deliveries(bool on) override {
    std::lock_guard lock(st_->mutex);
    st_->duplicate_deliveries = on;
  }

  void set_max_sockets(int max) override {
    std::lock_guard lock(st_->mutex);
    st_->max_sockets = max;
  }

  std::optional<SlackMessage> message(const std::string& channel, const std::string& ts) const override {
    std::lock_guard lock(st_->mutex);
    auto* m = st_->find_message(channel, ts);
    return m ? std::optional(*m) : std::nullopt;
  }

  std::vector<SlackMessage> thread(const std::string& channel, const std::string& ts) const override {
    std::lock_guard lock(st_->mutex);
    std::vector<SlackMessage> out;
    auto it = st_->channels.find(channel);
    if (it == st_->channels.end()) return out;
    for (const auto& m : it->second) {
      if (m.ts == ts) out.insert(out.begin(), m);
      else if (m.thread_ts == ts) out.push_back(m);
    }
    return out;
  }

  std::vector<SlackMessage> channel_history(const std::string& channel) const override {
    std::lock_guard lock(st_->mutex);
    auto it = st_->channels.find(channel);
    return it == st_->channels.end() ? std::vector<SlackMessage>{} : it->second;
  }

  std::vector<RecordedCall> calls(const std::string& method) const override {
    std::lock_guard lock(st_->mutex);
    std::vector<RecordedCall> out;
    for (const auto& c : st_->calls) {
      if (method.empty() || c.method == method) out.push_back(c);
    }
    return out;
  }

  std::vector<Delivery> deliveries() const override {
    std::lock_guard lock(st_->mutex);
    return st_->deliveries;
  }

  int open_sockets() const override {
    std::lock_guard lock(st_->mutex);
    return static_cast<int>(st_->sockets.size());
  }

  std::vector<std::string> rejected_frames() const override {
    std::lock_guard lock(st_->mutex);
    return st_->rejected_frames;
  }

  awaitable<void> stop() override {
    st_->stopped.cancel();
    co_await server_->stop();
  }

  static Result<std::string> incoming_webhook(WorkspaceState& st, const std::string& channel, const std::string& body) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return fail(Errc::ParseError, "invalid_payload");
    auto& o = v.as_object();
    auto str = [&](const char* k) { auto* x = o.if_contains(k); return x && x->is_string() ? std::string(x->get_string()) : std::string(); };
    SlackMessage m;
    m.channel = channel;
    m.subtype = "bot_message";
    m.bot_id = "B0WEBHOOK1";
    m.username = str("username").empty() ? "incoming-webhook" : str("username");
    m.text = str("text");
    if (auto* a = o.if_contains("attachments"); a && a->is_array()) m.attachments_json = json::serialize(*a);
    if (auto* b = o.if_contains("blocks"); b && b->is_array()) m.blocks_json = json::serialize(*b);
    if (m.text.empty() && m.attachments_json.empty() && m.blocks_json.empty()) return fail(Errc::ParseError, "no_text");
    json::object event;
    {
      std::lock_guard lock(st.mutex);
      m.ts = st.next_ts(channel);
      st.channels[channel].push_back(m);
      event = st.message_event(m);
    }
    st.deliver("events_api", std::move(event), {});
    return m.ts;
  }

 private:
  std::string base() const { return "http://127.0.0.1:" + std::to_string(st_->port); }

  std::shared_ptr<WorkspaceState> st_;
  std::unique_ptr<HttpServer> server_;
  std::shared_ptr<SlackWorkspace*> self_;  // the control routes' way to this object
};

}  // namespace
}  // namespace detail

Result<std::unique_ptr<SlackWorkspace>> SlackWorkspace::start(asio::any_io_executor executor, Clock& clock,
                                                              SlackWorkspaceSettings settings) {
  using namespace detail;
  auto st = std::make_shared<WorkspaceState>(executor, clock, settings);
  Router router;
  for (const char* verb : {"POST", "GET"}) {
    router.add(verb, "/api/*", [st](ServerRequest req) -> awaitable<ServerResponse> {
      std::string method = req.path.substr(5);
      if (auto d = st->delay_for(method); d.count() > 0) co_await st->sleep(d);
      co_return handle_api(*st, method, req);
    });
  }
  router.add("POST", "/hooks/incoming/*", [st](ServerRequest req) -> awaitable<ServerResponse> {
    auto ts = Workspace::incoming_webhook(*st, req.path.substr(16), req.body);
    co_return ts ? ServerResponse::text(200, "ok") : ServerResponse::text(400, ts.error().message);
  });
  router.add_websocket("/link/*", [st](ServerRequest req, std::unique_ptr<WebSocket> ws) -> awaitable<void> {
    co_await st->socket_session(std::move(req), std::move(ws));
  });
  auto self = std::make_shared<SlackWorkspace*>(nullptr);
  if (settings.control_api) add_control_routes(router, st, self);
  HttpServerSettings hs;
  hs.listen = settings.listen;
  hs.shutdown_grace = std::chrono::milliseconds(500);
  hs.ws_idle_timeout = std::chrono::minutes(10);  // the emulator pings on its own clock
  auto server = start_http_server(executor, hs, std::move(router));
  if (!server) return server.error();
  st->port = (*server)->port();
  return std::unique_ptr<SlackWorkspace>(std::make_unique<Workspace>(st, std::move(*server), self));
}

}  // namespace alertbot::fakes
