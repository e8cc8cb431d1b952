#include "slack/interactions.hpp"

#include <boost/json.hpp>

namespace alertbot::slack {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxField = 8192;  // any one string we keep

Result<json::object> object_of(std::string_view text, const char* what) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(Errc::ParseError, std::string(what) + ": payload is not a JSON object");
  return std::move(v.as_object());
}

// The string at `key` of `o` (absent or null: ""); ParseError for another type.
Result<std::string> text(const json::object& o, std::string_view key, const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return fail(Errc::ParseError, path + "." + std::string(key) + ": expected a string");
  if (v->get_string().size() > kMaxField) return fail(Errc::ParseError, path + "." + std::string(key) + ": too long");
  return std::string(v->get_string());
}

// The object at `key`, or nullptr.
const json::object* child(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

}  // namespace

Result<SlashCommand> parse_slash_command(std::string_view payload_json) {
  auto o = object_of(payload_json, "slash command");
  if (!o) return o.error();
  SlashCommand c;
  const std::pair<const char*, std::string*> fields[] = {{"command", &c.command},       {"text", &c.text},
                                                         {"user_id", &c.user_id},       {"channel_id", &c.channel_id},
                                                         {"team_id", &c.team_id},       {"response_url", &c.response_url},
                                                         {"trigger_id", &c.trigger_id}};
  for (const auto& [key, out] : fields) {
    auto v = text(*o, key, "slash command");
    if (!v) return v.error();
    *out = std::move(*v);
  }
  if (c.command.empty() || c.command.front() != '/') return fail(Errc::ParseError, "slash command.command: expected /name");
  if (c.user_id.empty() || c.channel_id.empty()) return fail(Errc::ParseError, "slash command: user_id and channel_id are required");
  return c;
}

Result<BlockAction> parse_block_action(std::string_view payload_json) {
  auto o = object_of(payload_json, "interaction");
  if (!o) return o.error();
  auto type = text(*o, "type", "interaction");
  if (!type) return type.error();
  if (*type != "block_actions") return fail(Errc::NotFound, "interaction type '" + *type + "' is not block_actions");
  BlockAction a;
  if (const auto* user = child(*o, "user")) {
    auto id = text(*user, "id", "block_actions.user");
    if (!id) return id.error();
    a.user_id = std::move(*id);
  }
  if (const auto* channel = child(*o, "channel")) {
    auto id = text(*channel, "id", "block_actions.channel");
    if (!id) return id.error();
    a.channel_id = std::move(*id);
  }
  if (const auto* container = child(*o, "container")) {
    auto ts = text(*container, "message_ts", "block_actions.container");
    if (!ts) return ts.error();
    a.message_ts = std::move(*ts);
    if (a.channel_id.empty()) {
      auto ch = text(*container, "channel_id", "block_actions.container");
      if (!ch) return ch.error();
      a.channel_id = std::move(*ch);
    }
  }
  if (const auto* message = child(*o, "message")) {
    auto thread = text(*message, "thread_ts", "block_actions.message");
    if (!thread) return thread.error();
    a.thread_ts = std::move(*thread);
    if (a.message_ts.empty()) {
      auto ts = text(*message, "ts", "block_actions.message");
      if (!ts) return ts.error();
      a.message_ts = std::move(*ts);
    }
  }
  for (auto [key, out] : {std::pair{"trigger_id", &a.trigger_id}, std::pair{"response_url", &a.response_url}}) {
    auto v = text(*o, key, "block_actions");
    if (!v) return v.error();
    *out = std::move(*v);
  }
  const json::value* actions = o->if_contains("actions");
  if (!actions || !actions->is_array() || actions->get_array().empty() || !actions->get_array()[0].is_object()) {
    return fail(Errc::ParseError, "block_actions.actions: expected a non-empty array of objects");
  }
  const auto& first = actions->get_array()[0].get_object();
  auto id = text(first, "action_id", "block_actions.actions[0]");
  if (!id) return id.error();
  auto value = text(first, "value", "block_actions.actions[0]");
  if (!value) return value.error();
  a.action_id = std::move(*id);
  a.value = std::move(*value);
  if (a.user_id.empty() || a.action_id.empty()) return fail(Errc::ParseError, "block_actions: user.id and action_id are required");
  return a;
}

Result<AppHomeOpened> parse_app_home_opened(std::string_view payload_json) {
  auto o = object_of(payload_json, "event");
  if (!o) return o.error();
  const json::object* ev = child(*o, "event");
  if (!ev) return fail(Errc::NotFound, "payload carries no event");
  auto type = text(*ev, "type", "event");
  if (!type) return type.error();
  if (*type != "app_home_opened") return fail(Errc::NotFound, "event type '" + *type + "' is not app_home_opened");
  AppHomeOpened h;
  auto user = text(*ev, "user", "event");
  if (!user) return user.error();
  auto tab = text(*ev, "tab", "event");
  if (!tab) return tab.error();
  h.user = std::move(*user);
  h.tab = tab->empty() ? "home" : std::move(*tab);
  if (h.user.empty()) return fail(Errc::ParseError, "app_home_opened.user: required");
  return h;
}

}  // namespace alertbot::slack
