// The emulator's Web API methods, with Slack's error names and Block Kit limits.
#include "tests/fakes/slack_workspace_methods.hpp"

#include <boost/json.hpp>
#include <set>

#include "tests/fakes/block_kit_rules.hpp"
#include "tests/fakes/slack_workspace_state.hpp"

namespace alertbot::fakes::detail {
namespace {

namespace json = boost::json;

// Slack truncates message text above 40,000 characters; chat.update refuses it (msg_too_long).
constexpr std::size_t kMaxText = 40000;
constexpr std::size_t kMaxMarkdown = 12000;

// chat.postMessage, chat.update and chat.postEphemeral share their content checks.
std::string check_content(const Args& a, bool require_content) {
  std::string blocks = arg(a, "blocks");
  if (!blocks.empty()) {
    if (auto err = check_block_kit(blocks); !err.empty()) return err;
  }
  std::string attachments = arg(a, "attachments");
  if (!attachments.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(attachments, ec);
    if (ec || !v.is_array()) return "invalid_attachments";
    if (v.as_array().size() > 100) return "too_many_attachments";
  }
  if (!arg(a, "markdown_text").empty() && (!arg(a, "text").empty() || !blocks.empty())) return "markdown_text_conflict";
  if (require_content && arg(a, "text").empty() && blocks.empty() && attachments.empty() && arg(a, "markdown_text").empty()) {
    return "no_text";
  }
  return {};
}

bool known_channel_id(const std::string& c) { return !c.empty() && (c[0] == 'C' || c[0] == 'G' || c[0] == 'D'); }

void echo(MethodCall& c, const SlackMessage& m) {
  json::object event = c.st.message_event(m);
  WorkspaceState* st = &c.st;
  c.after.emplace_back([st, event] { st->deliver("events_api", event, {}); });
}

// A new message by the bot in `channel` (in a thread when thread_ts is set).
Result<SlackMessage*> add_bot_message(MethodCall& c, const std::string& channel, std::string thread_ts) {
  if (!known_channel_id(channel)) return fail(Errc::NotFound, "channel_not_found");
  if (!thread_ts.empty()) {
    auto* parent = c.st.find_message(channel, thread_ts);
    if (!parent) return fail(Errc::NotFound, "thread_not_found");
    if (!parent->thread_ts.empty() && parent->thread_ts != parent->ts) thread_ts = parent->thread_ts;
  }
  SlackMessage m;
  m.channel = channel;
  m.ts = c.st.next_ts(channel);
  m.thread_ts = thread_ts;
  m.user = c.st.settings.bot_user_id;
  m.bot_id = c.st.settings.bot_id;
  auto& list = c.st.channels[channel];
  list.push_back(std::move(m));
  return &list.back();
}

ServerResponse post_message(MethodCall& c) {
  if (auto err = check_content(c.args, true); !err.empty()) return error_answer(err);
  auto m = add_bot_message(c, arg(c.args, "channel"), arg(c.args, "thread_ts"));
  if (!m) return error_answer(m.error().message);
  SlackMessage& msg = **m;
  msg.text = arg(c.args, "text").substr(0, kMaxText);
  if (msg.text.empty()) msg.text = arg(c.args, "markdown_text");
  msg.blocks_json = arg(c.args, "blocks");
  msg.attachments_json = arg(c.args, "attachments");
  echo(c, msg);
  return ok_answer({{"channel", msg.channel}, {"ts", msg.ts}, {"message", message_object(msg)}});
}

ServerResponse update_message(MethodCall& c) {
  std::string channel = arg(c.args, "channel");
  auto* m = c.st.find_message(channel, arg(c.args, "ts"));
  if (!m) return error_answer("message_not_found");
  if (m->bot_id != c.st.settings.bot_id) return error_answer("cant_update_message");
  if (m->streaming_state == "in_progress") return error_answer("streaming_state_conflict");
  if (arg(c.args, "text").size() > kMaxText) return error_answer("msg_too_long");
  if (auto err = check_content(c.args, false); !err.empty()) return error_answer(err);
  if (c.args.count("text")) m->text = arg(c.args, "text");
  if (c.args.count("blocks")) m->blocks_json = arg(c.args, "blocks") == "[]" ? "" : arg(c.args, "blocks");
  ++m->edits;
  json::object event{{"type", "message"}, {"subtype", "message_changed"}, {"hidden", true}, {"channel", channel},
                     {"ts", m->ts}, {"message", message_object(*m)}};
  WorkspaceState* st = &c.st;
  c.after.emplace_back([st, event] { st->deliver("events_api", event, {}); });
  return ok_answer({{"channel", channel}, {"ts", m->ts}, {"text", m->text}, {"message", message_object(*m)}});
}

ServerResponse post_ephemeral(MethodCall& c) {
  std::string channel = arg(c.args, "channel");
  if (!known_channel_id(channel)) return error_answer("channel_not_found");
  if (arg(c.args, "user").empty()) return error_answer("user_not_in_channel");
  if (auto err = check_content(c.args, true); !err.empty()) return error_answer(err);
  SlackMessage m;
  m.channel = channel;
  m.ts = c.st.next_ts(channel);
  m.thread_ts = arg(c.args, "thread_ts");
  m.user = arg(c.args, "user");  // the one person who sees it
  m.bot_id = c.st.settings.bot_id;
  m.text = arg(c.args, "text");
  m.blocks_json = arg(c.args, "blocks");
  c.st.ephemerals.push_back(m);
  return ok_answer({{"message_ts", m.ts}});
}

ServerResponse permalink(MethodCall& c) {
  std::string channel = arg(c.args, "channel");
  std::string ts = arg(c.args, "message_ts");
  if (!c.st.find_message(channel, ts)) return error_answer("message_not_found");
  std::string p = ts;
  p.erase(std::remove(p.begin(), p.end(), '.'), p.end());
  return ok_answer({{"channel", channel}, {"permalink", "https://emulated.slack.test/archives/" + channel + "/p" + p}});
}

ServerResponse reaction(MethodCall& c, bool add) {
  auto* m = c.st.find_message(arg(c.args, "channel"), arg(c.args, "timestamp"));
  if (!m) return error_answer("message_not_found");
  std::string name = arg(c.args, "name");
  if (name.empty() || name.find(':') == 0) return error_answer("invalid_name");
  auto& users = m->reactions[name];
  auto me = std::find(users.begin(), users.end(), c.st.settings.bot_user_id);
  if (add) {
    if (me != users.end()) return error_answer("already_reacted");
    users.push_back(c.st.settings.bot_user_id);
  } else {
    if (me == users.end()) return error_answer("no_reaction");
    users.erase(me);
    if (users.empty()) m->reactions.erase(name);
  }
  return ok_answer({});
}

ServerResponse reactions_add(MethodCall& c) { return reaction(c, true); }
ServerResponse reactions_remove(MethodCall& c) { return reaction(c, false); }

ServerResponse replies(MethodCall& c) {
  auto it = c.st.channels.find(arg(c.args, "channel"));
  if (it == c.st.channels.end()) return error_answer("channel_not_found");
  std::string ts = arg(c.args, "ts");
  json::array out;
  for (const auto& m : it->second) {
    if (m.ts == ts || m.thread_ts == ts) out.push_back(message_object(m));
  }
  if (out.empty()) return error_answer("thread_not_found");
  return ok_answer({{"messages", out}, {"has_more", false}, {"response_metadata", {{"next_cursor", ""}}}});
}

ServerResponse history(MethodCall& c) {
  auto it = c.st.channels.find(arg(c.args, "channel"));
  if (it == c.st.channels.end()) return error_answer("channel_not_found");
  json::array out;
  for (auto m = it->second.rbegin(); m != it->second.rend(); ++m) {
    if (m->thread_ts.empty() || m->thread_ts == m->ts) out.push_back(message_object(*m));
  }
  return ok_answer({{"messages", out}, {"has_more", false}, {"response_metadata", {{"next_cursor", ""}}}});
}

ServerResponse conversation_info(MethodCall& c) {
  std::string id = arg(c.args, "channel");
  if (!known_channel_id(id)) return error_answer("channel_not_found");
  std::string name = id;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return ok_answer({{"channel", {{"id", id}, {"name", name}, {"is_private", id[0] == 'G'}, {"is_member", true},
                                 {"is_archived", false}}}});
}

ServerResponse user_info(MethodCall& c) {
  std::string id = arg(c.args, "user");
  if (id.empty() || (id[0] != 'U' && id[0] != 'W')) return error_answer("user_not_found");
  bool bot = id == c.st.settings.bot_user_id;
  std::string name = bot ? c.st.settings.bot_name : "user-" + id;
  return ok_answer({{"user", {{"id", id}, {"name", name}, {"real_name", name}, {"tz", "Europe/Berlin"}, {"is_bot", bot},
                              {"deleted", false}}}});
}

ServerResponse get_upload_url(MethodCall& c) {
  std::string filename = arg(c.args, "filename");
  std::string length = arg(c.args, "length");
  if (filename.empty() || length.empty()) return error_answer("invalid_arguments");
  SlackFile f;
  f.id = c.st.new_id("F");
  f.filename = filename;
  f.alt_text = arg(c.args, "alt_txt").empty() ? arg(c.args, "alt_text") : arg(c.args, "alt_txt");
  if (f.alt_text.size() > 1000) return error_answer("alt_txt_too_large");
  try {
    f.declared_length = std::stoul(length);
  } catch (const std::exception&) {
    return error_answer("invalid_arguments");
  }
  std::string url = "http://127.0.0.1:" + std::to_string(c.st.port) + "/upload/" + f.id;
  std::string id = f.id;
  c.st.files[id] = std::move(f);
  return ok_answer({{"upload_url", url}, {"file_id", id}});
}

ServerResponse complete_upload(MethodCall& c) {
  boost::system::error_code ec;
  json::value files = json::parse(arg(c.args, "files"), ec);
  if (ec || !files.is_array() || files.as_array().empty()) return error_answer("invalid_arguments");
  std::string channel = arg(c.args, "channel_id");
  if (channel.empty()) channel = arg(c.args, "channels");
  json::array out;
  std::vector<std::string> ids;
  for (const auto& item : files.as_array()) {
    if (!item.is_object()) return error_answer("invalid_arguments");
    std::string id;
    if (auto* x = item.as_object().if_contains("id"); x && x->is_string()) id = std::string(x->get_string());
    auto it = c.st.files.find(id);
    if (it == c.st.files.end() || it->second.bytes.size() != it->second.declared_length) return error_answer("file_not_found");
    if (auto* t = item.as_object().if_contains("title"); t && t->is_string()) it->second.title = std::string(t->get_string());
    it->second.completed = true;
    it->second.channel = channel;
    it->second.thread_ts = arg(c.args, "thread_ts");
    ids.push_back(id);
    out.push_back(json::object{{"id", id}, {"title", it->second.title}});
  }
  if (!channel.empty()) {
    // Sharing shows up as a message carrying the files.
    auto m = add_bot_message(c, channel, arg(c.args, "thread_ts"));
    if (!m) return error_answer(m.error().message);
    (*m)->subtype = "file_share";
    (*m)->text = arg(c.args, "initial_comment");
    (*m)->file_ids = ids;
  }
  return ok_answer({{"files", out}});
}

ServerResponse views_open(MethodCall& c) {
  if (arg(c.args, "trigger_id").empty()) return error_answer("invalid_trigger_id");
  boost::system::error_code ec;
  json::value view = json::parse(arg(c.args, "view"), ec);
  if (ec || !view.is_object()) return error_answer("invalid_arguments");
  c.st.opened_views.push_back(arg(c.args, "view"));
  return ok_answer({{"view", {{"id", c.st.new_id("V")}, {"type", view.as_object().contains("type") ? view.at("type") : "modal"}}}});
}

ServerResponse views_publish(MethodCall& c) {
  std::string user = arg(c.args, "user_id");
  boost::system::error_code ec;
  json::value view = json::parse(arg(c.args, "view"), ec);
  if (user.empty()) return error_answer("invalid_arguments");
  if (ec || !view.is_object() || !view.as_object().contains("type") || view.at("type") != "home") return error_answer("invalid_arguments");
  c.st.home_views[user] = arg(c.args, "view");
  return ok_answer({{"view", {{"id", c.st.new_id("V")}, {"type", "home"}}}});
}

ServerResponse set_status(MethodCall& c) {
  std::string channel = arg(c.args, "channel_id");
  std::string ts = arg(c.args, "thread_ts");
  if (!c.st.find_message(channel, ts)) return error_answer("thread_not_found");
  c.st.thread_statuses[channel + ":" + ts] = arg(c.args, "status");
  return ok_answer({});
}

ServerResponse start_stream(MethodCall& c) {
  std::string channel = arg(c.args, "channel");
  if (!channel.empty() && channel[0] != 'D') {
    if (arg(c.args, "recipient_user_id").empty()) return error_answer("missing_recipient_user_id");
    if (arg(c.args, "recipient_team_id").empty()) return error_answer("missing_recipient_team_id");
  }
  if (arg(c.args, "markdown_text").size() > kMaxMarkdown) return error_answer("msg_too_long");
  auto m = add_bot_message(c, channel, arg(c.args, "thread_ts"));
  if (!m) return error_answer(m.error().message);
  (*m)->text = arg(c.args, "markdown_text");
  (*m)->streaming_state = "in_progress";
  return ok_answer({{"channel", channel}, {"ts", (*m)->ts}});
}

ServerResponse append_stream(MethodCall& c) {
  auto* m = c.st.find_message(arg(c.args, "channel"), arg(c.args, "ts"));
  if (!m) return error_answer("message_not_found");
  if (m->bot_id != c.st.settings.bot_id) return error_answer("message_not_owned_by_app");
  if (m->streaming_state != "in_progress") return error_answer("message_not_in_streaming_state");
  if (m->text.size() + arg(c.args, "markdown_text").size() > kMaxMarkdown) return error_answer("msg_too_long");
  m->text += arg(c.args, "markdown_text");
  return ok_answer({{"channel", m->channel}, {"ts", m->ts}});
}

ServerResponse stop_stream(MethodCall& c) {
  auto* m = c.st.find_message(arg(c.args, "channel"), arg(c.args, "ts"));
  if (!m) return error_answer("message_not_found");
  if (m->streaming_state != "in_progress") return error_answer("message_not_in_streaming_state");
  m->text += arg(c.args, "markdown_text");
  if (!arg(c.args, "blocks").empty()) {
    if (auto err = check_block_kit(arg(c.args, "blocks")); !err.empty()) return error_answer(err);
    m->blocks_json = arg(c.args, "blocks");
  }
  m->streaming_state = "completed";
  echo(c, *m);
  return ok_answer({{"channel", m->channel}, {"ts", m->ts}, {"message", message_object(*m)}});
}

const std::map<std::string_view, Method>& methods() {
  static const std::map<std::string_view, Method> kTable = {
      {"chat.postMessage", post_message},
      {"chat.update", update_message},
      {"chat.postEphemeral", post_ephemeral},
      {"chat.getPermalink", permalink},
      {"reactions.add", reactions_add},
      {"reactions.remove", reactions_remove},
      {"conversations.history", history},
      {"conversations.replies", replies},
      {"conversations.info", conversation_info},
      {"users.info", user_info},
      {"files.getUploadURLExternal", get_upload_url},
      {"files.completeUploadExternal", complete_upload},
      {"views.open", views_open},
      {"views.publish", views_publish},
      {"assistant.threads.setStatus", set_status},
      {"chat.startStream", start_stream},
      {"chat.appendStream", append_stream},
      {"chat.stopStream", stop_stream},
  };
  return kTable;
}

}  // namespace

Method find_method(std::string_view name) {
  auto it = methods().find(name);
  return it == methods().end() ? nullptr : it->second;
}

ServerResponse ok_answer(json::object o) {
  o["ok"] = true;
  return ServerResponse::json(200, json::serialize(o));
}

ServerResponse error_answer(const std::string& code) {
  return ServerResponse::json(200, json::serialize(json::object{{"ok", false}, {"error", code}}));
}

std::string arg(const Args& a, const std::string& key) {
  auto it = a.find(key);
  return it == a.end() ? std::string() : it->second;
}

}  // namespace alertbot::fakes::detail
