#include "slack/web_api.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <spdlog/spdlog.h>

#include "net/form.hpp"
#include "net/http_client.hpp"
#include "net/json_fields.hpp"
#include "slack/rate_limiter.hpp"

namespace alertbot::slack {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

// Attempts of one call: a 429 keeps its place in the lane and waits out Retry-After this often;
// a 5xx or a lost connection is retried (only when the call is safe to repeat) this often.
constexpr int kMaxRateLimitedAttempts = 8;
constexpr int kMaxFailedAttempts = 3;
// Retry-After that Slack forgot to send: wait this long rather than hammering.
constexpr milliseconds kDefaultRetryAfter{5000};

Errc errc_for(std::string_view code) {
  static const std::set<std::string_view> kNotFound = {"channel_not_found", "message_not_found", "thread_not_found",
                                                        "user_not_found",    "file_not_found",    "not_found",
                                                        "view_not_found",    "no_such_subteam"};
  static const std::set<std::string_view> kInvalid = {
      "invalid_blocks",     "invalid_blocks_format", "msg_too_long",      "msg_blocks_too_long", "no_text",
      "invalid_arguments",  "invalid_form_data",     "too_many_attachments", "markdown_text_conflict",
      "invalid_name",       "bad_timestamp",         "invalid_ts_latest", "invalid_ts_oldest",   "invalid_cursor",
      "expired_trigger_id", "invalid_trigger_id",    "invalid_chunks",    "alt_txt_too_large",   "invalid_attachments",
      "missing_recipient_user_id", "missing_recipient_team_id", "cant_update_message", "edit_window_closed"};
  static const std::set<std::string_view> kUnavailable = {"internal_error", "fatal_error", "request_timeout",
                                                          "service_unavailable"};
  if (kNotFound.count(code)) return Errc::NotFound;
  if (kInvalid.count(code)) return Errc::InvalidArgument;
  if (kUnavailable.count(code)) return Errc::Unavailable;
  if (code == "ratelimited" || code == "rate_limited") return Errc::RateLimited;
  return Errc::ProtocolError;
}

// Retry-After in seconds (Slack sends whole seconds).
milliseconds retry_after(const HttpResponse& r) {
  auto v = r.header("retry-after");
  if (!v || v->empty()) return kDefaultRetryAfter;
  try {
    return milliseconds(static_cast<long long>(std::stod(std::string(*v)) * 1000));
  } catch (const std::exception&) {
    return kDefaultRetryAfter;
  }
}

// Methods whose repetition cannot post twice (reads, updates, idempotent writes).
bool safe_to_repeat(std::string_view method) {
  return method != "chat.postMessage" && method != "chat.postEphemeral" && method != "chat.startStream" &&
         method != "chat.appendStream" && method != "files.completeUploadExternal";
}

MessageInfo message_info(const json::value& v) {
  MessageInfo m;
  if (!v.is_object()) return m;
  const auto& o = v.as_object();
  m.ts = json_string(o, "ts");
  m.thread_ts = json_string(o, "thread_ts");
  m.user = json_string(o, "user");
  m.bot_id = json_string(o, "bot_id");
  m.subtype = json_string(o, "subtype");
  m.text = json_string(o, "text");
  m.reply_count = static_cast<int>(json_int(o, "reply_count"));
  m.json = json::serialize(o);
  return m;
}

MessagePage message_page(const json::object& body) {
  MessagePage page;
  if (auto* msgs = body.if_contains("messages"); msgs && msgs->is_array()) {
    for (const auto& m : msgs->as_array()) page.messages.push_back(message_info(m));
  }
  if (auto* meta = body.if_contains("response_metadata"); meta && meta->is_object()) {
    page.next_cursor = json_string(meta->as_object(), "next_cursor");
  }
  return page;
}

// Adds `key=value` when the value is not empty.
void put(FormFields& f, std::string key, std::string value) {
  if (!value.empty()) f.emplace_back(std::move(key), std::move(value));
}

void put_page(FormFields& f, const PageQuery& q) {
  put(f, "limit", std::to_string(std::clamp(q.limit, 1, 999)));
  put(f, "cursor", q.cursor);
  put(f, "oldest", q.oldest);
  put(f, "latest", q.latest);
}

class SlackWebApi final : public WebApi {
 public:
  SlackWebApi(HttpClient& http, RateLimiter& limiter, const SlackSettings& settings)
      : http_(http), limiter_(limiter), settings_(settings) {
    if (!settings_.api_url.empty() && settings_.api_url.back() != '/') settings_.api_url += '/';
  }

  awaitable<Result<Identity>> auth_test() override {
    auto body = co_await bot("auth.test", FormFields{});
    if (!body) co_return body.error();
    co_return Identity{json_string(*body, "team_id"), json_string(*body, "team"), json_string(*body, "user_id"),
                       json_string(*body, "bot_id"), json_string(*body, "url")};
  }

  awaitable<Result<std::string>> open_socket_url() override {
    FormFields none;
    auto body = co_await call("apps.connections.open", settings_.app_token, std::move(none), {});
    if (!body) co_return body.error();
    std::string url = json_string(*body, "url");
    if (url.empty()) co_return fail(Errc::ProtocolError, "apps.connections.open: no url in the answer");
    co_return url;
  }

  awaitable<Result<PostedMessage>> post_message(std::string channel, MessageContent content,
                                                std::string thread_ts) override {
    FormFields f{{"channel", channel}, {"unfurl_links", "false"}, {"unfurl_media", "false"}};
    put(f, "text", content.text);
    put(f, "blocks", content.blocks_json);
    put(f, "thread_ts", thread_ts);
    auto body = co_await bot("chat.postMessage", std::move(f), channel);
    if (!body) co_return body.error();
    co_return PostedMessage{json_string(*body, "channel"), json_string(*body, "ts")};
  }

  awaitable<Result<PostedMessage>> update_message(std::string channel, std::string ts, MessageContent content) override {
    FormFields f{{"channel", channel}, {"ts", ts}, {"text", content.text}};
    f.emplace_back("blocks", content.blocks_json.empty() ? "[]" : content.blocks_json);  // [] clears old blocks
    auto body = co_await bot("chat.update", std::move(f));
    if (!body) co_return body.error();
    co_return PostedMessage{json_string(*body, "channel"), json_string(*body, "ts")};
  }

  awaitable<Result<std::string>> post_ephemeral(std::string channel, std::string user, MessageContent content,
                                                std::string thread_ts) override {
    FormFields f{{"channel", channel}, {"user", user}};
    put(f, "text", content.text);
    put(f, "blocks", content.blocks_json);
    put(f, "thread_ts", thread_ts);
    auto body = co_await bot("chat.postEphemeral", std::move(f));
    if (!body) co_return body.error();
    co_return json_string(*body, "message_ts");
  }

  awaitable<Result<std::string>> permalink(std::string channel, std::string ts) override {
    FormFields f{{"channel", channel}, {"message_ts", ts}};
    auto body = co_await bot("chat.getPermalink", std::move(f));
    if (!body) co_return body.error();
    co_return json_string(*body, "permalink");
  }

  awaitable<Result<void>> add_reaction(std::string channel, std::string ts, std::string name) override {
    co_return co_await reaction("reactions.add", std::move(channel), std::move(ts), std::move(name), "already_reacted");
  }
  awaitable<Result<void>> remove_reaction(std::string channel, std::string ts, std::string name) override {
    co_return co_await reaction("reactions.remove", std::move(channel), std::move(ts), std::move(name), "no_reaction");
  }

  awaitable<Result<MessagePage>> history(std::string channel, PageQuery q) override {
    FormFields f{{"channel", channel}};
    put_page(f, q);
    auto body = co_await bot("conversations.history", std::move(f));
    if (!body) co_return body.error();
    co_return message_page(*body);
  }

  awaitable<Result<MessagePage>> replies(std::string channel, std::string ts, PageQuery q) override {
    FormFields f{{"channel", channel}, {"ts", ts}};
    put_page(f, q);
    auto body = co_await bot("conversations.replies", std::move(f));
    if (!body) co_return body.error();
    co_return message_page(*body);
  }

  awaitable<Result<ChannelInfo>> channel_info(std::string channel) override {
    FormFields f{{"channel", channel}};
    auto body = co_await bot("conversations.info", std::move(f));
    if (!body) co_return body.error();
    auto* c = body->if_contains("channel");
    if (!c || !c->is_object()) co_return fail(Errc::ProtocolError, "conversations.info: no channel in the answer");
    const auto& o = c->as_object();
    co_return ChannelInfo{json_string(o, "id"), json_string(o, "name"), json_bool(o, "is_private"), json_bool(o, "is_member"),
                          json_bool(o, "is_archived")};
  }

  awaitable<Result<UserInfo>> user_info(std::string user) override {
    FormFields f{{"user", user}};
    auto body = co_await bot("users.info", std::move(f));
    if (!body) co_return body.error();
    auto* u = body->if_contains("user");
    if (!u || !u->is_object()) co_return fail(Errc::ProtocolError, "users.info: no user in the answer");
    const auto& o = u->as_object();
    co_return UserInfo{json_string(o, "id"), json_string(o, "name"), json_string(o, "real_name"), json_string(o, "tz"),
                       json_bool(o, "is_bot"), json_bool(o, "deleted")};
  }

  awaitable<Result<std::string>> upload_file(FileUpload file) override;

  awaitable<Result<std::string>> open_view(std::string trigger_id, std::string view_json) override {
    FormFields f{{"trigger_id", trigger_id}, {"view", view_json}};
    auto body = co_await bot("views.open", std::move(f));
    if (!body) co_return body.error();
    auto* v = body->if_contains("view");
    co_return v && v->is_object() ? json_string(v->as_object(), "id") : std::string();
  }

  awaitable<Result<void>> publish_view(std::string user, std::string view_json) override {
    FormFields f{{"user_id", user}, {"view", view_json}};
    auto body = co_await bot("views.publish", std::move(f));
    if (!body) co_return body.error();
    co_return Result<void>();
  }

  awaitable<Result<void>> set_thread_status(std::string channel, std::string thread_ts, std::string status) override {
    FormFields f{{"channel_id", channel}, {"thread_ts", thread_ts}, {"status", status}};
    auto body = co_await bot("assistant.threads.setStatus", std::move(f));
    if (!body) co_return body.error();
    co_return Result<void>();
  }

  awaitable<Result<PostedMessage>> start_stream(StreamStart s) override {
    FormFields f{{"channel", s.channel}};
    put(f, "thread_ts", s.thread_ts);
    put(f, "recipient_user_id", s.recipient_user_id);
    put(f, "recipient_team_id", s.recipient_team_id);
    put(f, "markdown_text", s.markdown_text);
    auto body = co_await bot("chat.startStream", std::move(f));
    if (!body) co_return body.error();
    co_return PostedMessage{json_string(*body, "channel"), json_string(*body, "ts")};
  }

  awaitable<Result<void>> append_stream(std::string channel, std::string ts, std::string markdown_text) override {
    FormFields f{{"channel", channel}, {"ts", ts}, {"markdown_text", markdown_text}};
    auto body = co_await bot("chat.appendStream", std::move(f));
    if (!body) co_return body.error();
    co_return Result<void>();
  }

  awaitable<Result<void>> stop_stream(std::string channel, std::string ts, std::string markdown_text,
                                      std::string blocks_json) override {
    FormFields f{{"channel", channel}, {"ts", ts}};
    put(f, "markdown_text", markdown_text);
    put(f, "blocks", blocks_json);
    auto body = co_await bot("chat.stopStream", std::move(f));
    if (!body) co_return body.error();
    co_return Result<void>();
  }

 private:
  awaitable<Result<void>> reaction(std::string method, std::string channel, std::string ts, std::string name,
                                   std::string harmless) {
    FormFields f{{"channel", channel}, {"timestamp", ts}, {"name", name}};
    auto body = co_await bot(method, std::move(f));
    if (!body && slack_error_code(body.error()) != harmless) co_return body.error();
    co_return Result<void>();
  }

  // A call with the bot token; `lane_channel` matters only for chat.postMessage.
  awaitable<Result<json::object>> bot(std::string method, FormFields fields, std::string lane_channel = {}) {
    co_return co_await call(std::move(method), settings_.bot_token, std::move(fields), std::move(lane_channel));
  }

  awaitable<Result<json::object>> call(std::string method, const std::string& token, FormFields fields,
                                       std::string lane_channel);
  Result<json::object> parse_answer(const std::string& method, const HttpResponse& resp);

  HttpClient& http_;
  RateLimiter& limiter_;
  SlackSettings settings_;
};

awaitable<Result<json::object>> SlackWebApi::call(std::string method, const std::string& token, FormFields fields,
                                                  std::string lane_channel) {
  auto lane = co_await limiter_.enter(method, lane_channel);
  const std::string body = form_encode(fields);
  const bool repeatable = safe_to_repeat(method);
  int rate_limited = 0;
  int failed = 0;
  for (;;) {
    if (!co_await limiter_.wait_slot(method, lane_channel)) co_return fail(Errc::Cancelled, method + ": cancelled");
    HttpRequest req;
    req.method = "POST";
    req.url = settings_.api_url + method;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Bearer " + token}};
    req.body = body;
    req.max_attempts = 1;  // retries happen here, in the lane, so the order and the pace hold
    auto resp = co_await http_.send(std::move(req));
    if (resp && resp->status == 429) {
      auto wait = retry_after(*resp);
      limiter_.block(method, wait);
      if (limiter_.on_rate_limited) limiter_.on_rate_limited(method);
      spdlog::warn("slack: {} rate limited; waiting {} ms before any other {} call", method, wait.count(), method);
      if (++rate_limited < kMaxRateLimitedAttempts) continue;
      co_return fail(Errc::RateLimited, method + ": ratelimited");
    }
    bool transient = !resp ? resp.error().code == Errc::ConnectFailed || resp.error().code == Errc::Timeout
                           : resp->status >= 500;
    if (transient && repeatable && ++failed < kMaxFailedAttempts) {
      spdlog::warn("slack: {} failed ({}), retrying", method, resp ? "HTTP " + std::to_string(resp->status) : resp.error().describe());
      limiter_.block(method, milliseconds(500 << failed));  // a short pause for this method only
      continue;
    }
    if (!resp) co_return fail(resp.error().code, method + ": " + resp.error().message);
    co_return parse_answer(method, *resp);
  }
}

Result<json::object> SlackWebApi::parse_answer(const std::string& method, const HttpResponse& resp) {
  if (resp.status >= 500) return fail(Errc::Unavailable, method + ": HTTP " + std::to_string(resp.status));
  if (resp.status != 200) return fail(Errc::HttpStatus, method + ": HTTP " + std::to_string(resp.status));
  boost::system::error_code ec;
  json::value v = json::parse(resp.body, ec);
  if (ec || !v.is_object()) return fail(Errc::ParseError, method + ": answer is not a JSON object");
  auto& obj = v.as_object();
  auto* ok = obj.if_contains("ok");
  if (!ok || !ok->is_bool()) return fail(Errc::ParseError, method + ": answer has no boolean 'ok'");
  if (!ok->get_bool()) {
    std::string code = json_string(obj, "error");
    if (code.empty()) code = "unknown_error";
    return fail(errc_for(code), method + ": " + code);
  }
  return std::move(obj);
}

awaitable<Result<std::string>> SlackWebApi::upload_file(FileUpload file) {
  FormFields ask{{"filename", file.filename}, {"length", std::to_string(file.bytes.size())}};
  put(ask, "alt_txt", file.alt_text);
  auto target = co_await bot("files.getUploadURLExternal", std::move(ask));
  if (!target) co_return target.error();
  std::string upload_url = json_string(*target, "upload_url");
  std::string file_id = json_string(*target, "file_id");
  if (upload_url.empty() || file_id.empty()) {
    co_return fail(Errc::ProtocolError, "files.getUploadURLExternal: no upload_url or file_id in the answer");
  }
  HttpRequest put_req;
  put_req.method = "POST";
  put_req.url = upload_url;  // absolute, on Slack's file host; already authorised
  put_req.headers = {{"Content-Type", file.content_type}};
  put_req.body = std::move(file.bytes);
  put_req.idempotent = true;  // the same bytes to the same one-off URL
  auto uploaded = co_await http_.send(std::move(put_req));
  if (!uploaded) co_return fail(uploaded.error().code, "file upload: " + uploaded.error().message);
  if (!uploaded->ok()) co_return fail(Errc::HttpStatus, "file upload: HTTP " + std::to_string(uploaded->status));
  json::array files{json::object{{"id", file_id}, {"title", file.title.empty() ? file.filename : file.title}}};
  FormFields done{{"files", json::serialize(files)}};
  put(done, "channel_id", file.channel);
  put(done, "thread_ts", file.thread_ts);
  put(done, "initial_comment", file.initial_comment);
  auto completed = co_await bot("files.completeUploadExternal", std::move(done));
  if (!completed) co_return completed.error();
  co_return file_id;
}

}  // namespace

std::unique_ptr<WebApi> make_web_api(HttpClient& http, RateLimiter& limiter, const SlackSettings& settings) {
  return std::make_unique<SlackWebApi>(http, limiter, settings);
}

bool is_fatal_auth_error(std::string_view slack_error) {
  const std::string_view e = slack_error;
  return e == "not_authed" || e == "invalid_auth" || e == "account_inactive" || e == "token_revoked" ||
         e == "user_removed_from_team" || e == "team_disabled" || e == "forbidden_team" || e == "not_allowed_token_type";
}

std::string slack_error_code(const Error& e) {
  if (e.code == Errc::Timeout || e.code == Errc::Cancelled || e.code == Errc::ConnectFailed) return {};
  auto pos = e.message.find(": ");
  if (pos == std::string::npos) return {};
  std::string code = e.message.substr(pos + 2);
  bool word = !code.empty() && std::all_of(code.begin(), code.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)) || c == '_'; });
  return word ? code : std::string();
}

}  // namespace alertbot::slack
