// The workspace emulator's Web API, incoming webhooks and lifecycle.
#include "tests/fakes/slack_workspace.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "net/form.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/slack_workspace_methods.hpp"
#include "tests/fakes/slack_workspace_state.hpp"

namespace alertbot::fakes {
namespace detail {
namespace {

namespace json = boost::json;

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
    RecordedCall call{method, args ? *args : Args{}, token, false, {}, ++st.seq, st.clock.system_now(), 200};
    auto limited = st.rate_limits.find(method);
    if (limited != st.rate_limits.end() && limited->second.first > 0) {
      --limited->second.first;
      resp = ServerResponse::json(429, "{\"ok\":false,\"error\":\"ratelimited\"}");
      resp.headers.emplace_back("Retry-After", std::to_string(limited->second.second));
      call.error = "ratelimited";
      call.http_status = 429;
      st.calls.push_back(std::move(call));
      return resp;
    }
    auto broken = st.http_errors.find(method);
    if (broken != st.http_errors.end() && broken->second.first > 0) {
      --broken->second.first;
      resp = ServerResponse::text(broken->second.second, "upstream trouble (injected)\n");
      call.error = "http_" + std::to_string(broken->second.second);
      call.http_status = broken->second.second;
      st.calls.push_back(std::move(call));
      return resp;
    }
    const bool app_method = method == "apps.connections.open";
    const std::string& expected = app_method ? st.settings.app_token : st.settings.bot_token;
    if (!args) {
      resp = error_answer(args.error().message);
    } else if (token.empty()) {
      resp = error_answer("not_authed");
    } else if (token != expected) {
      resp = error_answer(app_method && token == st.settings.bot_token ? "not_allowed_token_type" : "invalid_auth");
    } else if (method == "auth.test") {
      resp = ok_answer({{"url", "https://emulated.slack.test/"}, {"team", st.settings.team}, {"user", st.settings.bot_name},
                      {"team_id", st.settings.team_id}, {"user_id", st.settings.bot_user_id}, {"bot_id", st.settings.bot_id},
                      {"is_enterprise_install", false}});
    } else if (app_method) {
      std::string ticket = st.new_id("ticket");
      st.tickets.insert(ticket);
      resp = ok_answer({{"url", "ws://127.0.0.1:" + std::to_string(st.port) + "/link/?ticket=" + ticket + "&app_id=" + st.settings.app_id}});
    } else if (Method m = find_method(method)) {
      MethodCall call_ctx{st, *args, after};
      resp = m(call_ctx);
    } else {
      resp = error_answer("unknown_method");
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
    json::object event, mention;
    std::string ts;
    {
      std::lock_guard lock(st_->mutex);
      SlackMessage m{channel, st_->next_ts(channel), thread_ts, user, {}, {}, {}, text, {}, {}, 0};
      ts = m.ts;
      st_->channels[channel].push_back(m);
      event = st_->message_event(m);
      // Mentioning the app also sends app_mention (its own event id), as Slack does for apps
      // subscribed to both.
      if (text.find("<@" + st_->settings.bot_user_id + ">") != std::string::npos) {
        mention = event;
        mention["type"] = "app_mention";
        mention.erase("channel_type");
      }
    }
    st_->deliver("events_api", std::move(event), {});
    if (!mention.empty()) st_->deliver("events_api", std::move(mention), {});
    return ts;
  }

  void open_app_home(const std::string& user) override {
    json::object event{{"type", "app_home_opened"}, {"user", user}, {"channel", "D0HOME" + user}, {"tab", "home"},
                       {"event_ts", format_slack_ts(st_->clock.system_now())}};
    st_->deliver("events_api", std::move(event), {});
  }

  std::string run_slash_command(const std::string& channel, const std::string& user, const std::string& command,
                                const std::string& text) override {
    json::object payload;
    std::string trigger;
    {
      std::lock_guard lock(st_->mutex);
      trigger = st_->new_id("trigger");
      payload = {{"token", "emulator-verification-token"}, {"team_id", st_->settings.team_id}, {"team_domain", "emulated"},
                 {"channel_id", channel}, {"channel_name", channel}, {"user_id", user}, {"user_name", "user-" + user},
                 {"command", command}, {"text", text}, {"api_app_id", st_->settings.app_id},
                 {"response_url", base() + "/response/" + trigger}, {"trigger_id", trigger}};
    }
    st_->deliver("slash_commands", std::move(payload), {});
    return trigger;
  }

  std::string click_button(const std::string& channel, const std::string& message_ts, const std::string& user,
                           const std::string& action_id, const std::string& value) override {
    json::object payload;
    std::string trigger;
    {
      std::lock_guard lock(st_->mutex);
      trigger = st_->new_id("trigger");
      json::object message = {{"type", "message"}, {"ts", message_ts}};
      if (auto* m = st_->find_message(channel, message_ts)) message = message_object(*m);
      std::string action_ts = format_slack_ts(st_->clock.system_now());
      payload = {{"type", "block_actions"}, {"api_app_id", st_->settings.app_id}, {"trigger_id", trigger},
                 {"team", {{"id", st_->settings.team_id}, {"domain", "emulated"}}},
                 {"user", {{"id", user}, {"username", "user-" + user}, {"team_id", st_->settings.team_id}}},
                 {"container", {{"type", "message"}, {"message_ts", message_ts}, {"channel_id", channel}, {"is_ephemeral", false}}},
                 {"channel", {{"id", channel}, {"name", channel}}},
                 {"message", message},
                 {"response_url", base() + "/response/" + trigger},
                 {"actions", json::array{json::object{{"type", "button"}, {"action_id", action_id}, {"block_id", "actions"},
                                                      {"value", value}, {"action_ts", action_ts}}}}};
    }
    st_->deliver("interactive", std::move(payload), {});
    return trigger;
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

  void freeze_sockets(int socket) override {
    std::lock_guard lock(st_->mutex);
    for (auto& s : st_->sockets) {
      if (socket < 0 || (static_cast<std::size_t>(socket) < st_->sockets.size() && s == st_->sockets[static_cast<std::size_t>(socket)])) {
        s->frozen = true;
      }
    }
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

  std::size_t unacked_deliveries() const override {
    std::lock_guard lock(st_->mutex);
    return static_cast<std::size_t>(
        std::count_if(st_->deliveries.begin(), st_->deliveries.end(), [](const Delivery& d) { return !d.acked; }));
  }

  int open_sockets() const override {
    std::lock_guard lock(st_->mutex);
    return static_cast<int>(st_->sockets.size());
  }

  std::vector<SlackFile> files() const override {
    std::lock_guard lock(st_->mutex);
    std::vector<SlackFile> out;
    for (const auto& [id, f] : st_->files) out.push_back(f);
    return out;
  }

  std::vector<SlackMessage> ephemerals() const override {
    std::lock_guard lock(st_->mutex);
    return st_->ephemerals;
  }

  std::string home_view(const std::string& user) const override {
    std::lock_guard lock(st_->mutex);
    auto it = st_->home_views.find(user);
    return it == st_->home_views.end() ? std::string() : it->second;
  }

  std::vector<std::string> opened_views() const override {
    std::lock_guard lock(st_->mutex);
    return st_->opened_views;
  }

  std::string thread_status(const std::string& channel, const std::string& thread_ts) const override {
    std::lock_guard lock(st_->mutex);
    auto it = st_->thread_statuses.find(channel + ":" + thread_ts);
    return it == st_->thread_statuses.end() ? std::string() : it->second;
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
  auto st = std::make_shared<WorkspaceState>(executor, clock, std::move(settings));
  Router router;
  for (const char* verb : {"POST", "GET"}) {
    router.add(verb, "/api/*", [st](ServerRequest req) -> awaitable<ServerResponse> {
      std::string method = req.path.substr(5);
      if (auto d = st->delay_for(method); d.count() > 0) co_await st->sleep(d);
      co_return handle_api(*st, method, req);
    });
  }
  // The upload_url files.getUploadURLExternal hands out: raw bytes or multipart, as the SDKs send.
  router.add("POST", "/upload/*", [st](ServerRequest req) -> awaitable<ServerResponse> {
    std::lock_guard lock(st->mutex);
    auto it = st->files.find(req.path.substr(8));
    if (it == st->files.end()) co_return ServerResponse::text(404, "no such upload\n");
    it->second.bytes = req.body;
    co_return ServerResponse::text(200, "OK - " + std::to_string(req.body.size()));
  });
  router.add("POST", "/hooks/incoming/*", [st](ServerRequest req) -> awaitable<ServerResponse> {
    auto ts = Workspace::incoming_webhook(*st, req.path.substr(16), req.body);
    co_return ts ? ServerResponse::text(200, "ok") : ServerResponse::text(400, ts.error().message);
  });
  router.add_websocket("/link/*", [st](ServerRequest req, std::unique_ptr<WebSocket> ws) -> awaitable<void> {
    co_await st->socket_session(std::move(req), std::move(ws));
  });
  auto self = std::make_shared<SlackWorkspace*>(nullptr);
  if (st->settings.control_api) add_control_routes(router, st, self);
  HttpServerSettings hs;
  hs.listen = st->settings.listen;
  hs.shutdown_grace = std::chrono::milliseconds(500);
  hs.ws_idle_timeout = std::chrono::minutes(10);  // the emulator pings on its own clock
  auto server = start_http_server(executor, hs, std::move(router));
  if (!server) return server.error();
  st->port = (*server)->port();
  return std::unique_ptr<SlackWorkspace>(std::make_unique<Workspace>(st, std::move(*server), self));
}

}  // namespace alertbot::fakes
