#include "slack/web_api.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "net/form.hpp"
#include "net/http_client.hpp"

namespace alertbot::slack {
namespace {

namespace json = boost::json;

// Form body with the non-empty fields of `fields` (Slack treats an empty value as given).
std::string form_body(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  FormFields out;
  for (const auto& [k, v] : fields) {
    if (!v.empty()) out.emplace_back(std::string(k), std::string(v));
  }
  return form_encode(out);
}

std::string str_field(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

class SlackWebApi final : public WebApi {
 public:
  SlackWebApi(HttpClient& http, const SlackSettings& settings) : http_(http), settings_(settings) {
    if (!settings_.api_url.empty() && settings_.api_url.back() != '/') settings_.api_url += '/';
  }

  awaitable<Result<Identity>> auth_test() override {
    auto body = co_await call("auth.test", settings_.bot_token, std::string());
    if (!body) co_return body.error();
    Identity id;
    id.team_id = str_field(*body, "team_id");
    id.team = str_field(*body, "team");
    id.user_id = str_field(*body, "user_id");
    id.bot_id = str_field(*body, "bot_id");
    id.url = str_field(*body, "url");
    co_return id;
  }

  awaitable<Result<PostedMessage>> post_message(std::string channel, MessageContent content,
                                                std::string thread_ts) override {
    // Built before the co_await: GCC 12 miscompiles braced temporaries inside co_await operands.
    std::string form = form_body({{"channel", channel},
                                  {"text", content.text},
                                  {"blocks", content.blocks_json},
                                  {"thread_ts", thread_ts},
                                  {"unfurl_links", "false"},
                                  {"unfurl_media", "false"}});
    auto body = co_await call("chat.postMessage", settings_.bot_token, std::move(form));
    if (!body) co_return body.error();
    co_return PostedMessage{str_field(*body, "channel"), str_field(*body, "ts")};
  }

  awaitable<Result<PostedMessage>> update_message(std::string channel, std::string ts,
                                                  MessageContent content) override {
    // An empty blocks array replaces earlier blocks; omitting it would keep them.
    std::string blocks = content.blocks_json.empty() ? "[]" : content.blocks_json;
    std::string form = form_body({{"channel", channel}, {"ts", ts}, {"text", content.text}, {"blocks", blocks}});
    auto body = co_await call("chat.update", settings_.bot_token, std::move(form));
    if (!body) co_return body.error();
    co_return PostedMessage{str_field(*body, "channel"), str_field(*body, "ts")};
  }

  awaitable<Result<std::string>> open_socket_url() override {
    auto body = co_await call("apps.connections.open", settings_.app_token, std::string());
    if (!body) co_return body.error();
    std::string url = str_field(*body, "url");
    if (url.empty()) co_return fail(Errc::ProtocolError, "apps.connections.open: no url in the answer");
    co_return url;
  }

 private:
  // POSTs a form-encoded call with the token in the Authorization header and returns the parsed
  // body of an {"ok":true} answer.
  awaitable<Result<json::object>> call(std::string_view method, const std::string& token, std::string form) {
    HttpRequest req;
    req.method = "POST";
    req.url = settings_.api_url + std::string(method);
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Bearer " + token}};
    req.body = std::move(form);
    // Slack calls are safe to retry only where the method is a read; posts are not idempotent.
    req.idempotent = method == "auth.test" || method == "apps.connections.open";
    auto resp = co_await http_.send(std::move(req));
    if (!resp) co_return resp.error();
    if (resp->status == 429) {
      co_return fail(Errc::RateLimited, std::string(method) + ": rate limited (429)");
    }
    if (resp->status != 200) {
      co_return fail(Errc::HttpStatus, std::string(method) + ": HTTP " + std::to_string(resp->status));
    }
    boost::system::error_code ec;
    json::value v = json::parse(resp->body, ec);
    if (ec || !v.is_object()) co_return fail(Errc::ParseError, std::string(method) + ": answer is not a JSON object");
    auto& obj = v.as_object();
    auto* ok = obj.if_contains("ok");
    if (!ok || !ok->is_bool()) co_return fail(Errc::ParseError, std::string(method) + ": answer has no boolean 'ok'");
    if (!ok->get_bool()) {
      std::string code = str_field(obj, "error");
      co_return fail(Errc::ProtocolError, std::string(method) + ": " + (code.empty() ? "unknown_error" : code));
    }
    co_return std::move(obj);
  }

  HttpClient& http_;
  SlackSettings settings_;
};

}  // namespace

std::unique_ptr<WebApi> make_web_api(HttpClient& http, const SlackSettings& settings) {
  return std::make_unique<SlackWebApi>(http, settings);
}

bool is_fatal_auth_error(std::string_view e) {
  return e == "not_authed" || e == "invalid_auth" || e == "account_inactive" || e == "token_revoked" ||
         e == "user_removed_from_team" || e == "team_disabled" || e == "forbidden_team";
}

std::string slack_error_code(const Error& e) {
  if (e.code != Errc::ProtocolError) return {};
  auto pos = e.message.find(": ");
  if (pos == std::string::npos) return {};
  return e.message.substr(pos + 2);
}

}  // namespace alertbot::slack
