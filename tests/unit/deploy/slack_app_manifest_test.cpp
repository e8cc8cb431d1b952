// deploy/slack-app-manifest.yaml against the code: the slash commands the bot parses, the events
// it handles and the scopes of the Web API methods it calls. The tables below are the knowledge
// the code does not hold (which scope a method or an event needs); a method or an event type the
// code starts using without an entry here fails, so the tables and the manifest stay complete.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/deploy/source_tree.hpp"

namespace alertbot::deploy_test {
namespace {

const char* const kManifest = "deploy/slack-app-manifest.yaml";

// One Slack method behind a WebApi member function, and the bot scopes it needs (any one of them
// for the conversations.* readers, which need the scope of the channel's type: both are listed).
struct MethodScope {
  std::string member;  // WebApi member function (slack/web_api.hpp)
  std::string method;  // Slack Web API method
  std::set<std::string> scopes;
};

const std::vector<MethodScope>& method_scopes() {
  static const std::vector<MethodScope> kTable = {
      {"auth_test", "auth.test", {}},
      {"open_socket_url", "apps.connections.open", {}},  // app-level token (connections:write), not a bot scope
      {"post_message", "chat.postMessage", {"chat:write"}},
      {"update_message", "chat.update", {"chat:write"}},
      {"post_ephemeral", "chat.postEphemeral", {"chat:write"}},
      {"permalink", "chat.getPermalink", {}},
      {"add_reaction", "reactions.add", {"reactions:write"}},
      {"remove_reaction", "reactions.remove", {"reactions:write"}},
      {"history", "conversations.history", {"channels:history", "groups:history"}},
      {"replies", "conversations.replies", {"channels:history", "groups:history"}},
      {"channel_info", "conversations.info", {"channels:read", "groups:read"}},
      {"user_info", "users.info", {"users:read"}},
      {"upload_file", "files.getUploadURLExternal", {"files:write"}},
      {"upload_file", "files.completeUploadExternal", {"files:write"}},
      {"open_view", "views.open", {}},
      {"publish_view", "views.publish", {}},
      {"set_thread_status", "assistant.threads.setStatus", {"assistant:write"}},
      {"start_stream", "chat.startStream", {"chat:write"}},
      {"append_stream", "chat.appendStream", {"chat:write"}},
      {"stop_stream", "chat.stopStream", {"chat:write"}},
  };
  return kTable;
}

// Event or interaction types the parsers in slack/ accept -> the manifest's bot events that deliver
// them and the scope each of those events needs ("" for none). block_actions comes through
// interactivity, not an event subscription.
struct EventDelivery {
  std::string bot_event;
  std::string scope;
};
const std::map<std::string, std::vector<EventDelivery>>& event_deliveries() {
  static const std::map<std::string, std::vector<EventDelivery>> kTable = {
      {"message", {{"message.channels", "channels:history"}, {"message.groups", "groups:history"}}},
      {"app_mention", {{"app_mention", "app_mentions:read"}}},
      {"app_home_opened", {{"app_home_opened", ""}}},
      {"block_actions", {}},
  };
  return kTable;
}

// The event and interaction types slack/'s parsers accept ("type != \"message\"" and the like),
// without the kinds of envelope (Socket Mode's own types, which every app receives).
std::set<std::string> handled_types() {
  const std::set<std::string> envelope_kinds = {"events_api", "slash_commands", "interactive"};
  std::set<std::string> out;
  for (const char* file : {"slack/envelope.cpp", "slack/interactions.cpp"}) {
    for (const auto& t : captures(read_source(file), R"(type != \"([a-z_]+)\")")) {
      if (!envelope_kinds.count(t)) out.insert(t);
    }
  }
  return out;
}

// WebApi member functions called anywhere in bot/ and slack/ (outside the WebApi itself).
std::set<std::string> called_members() {
  std::set<std::string> members;
  for (const auto& m : method_scopes()) members.insert(m.member);
  std::string alternatives;
  for (const auto& m : members) alternatives += (alternatives.empty() ? "" : "|") + m;
  const std::string call = "(?:\\.|->)(" + alternatives + ")\\(";
  std::set<std::string> called;
  for (const char* dir : {"bot", "slack"}) {
    for (const auto& entry : std::filesystem::directory_iterator(source_path(dir))) {
      const auto name = entry.path().filename().string();
      if (name.starts_with("web_api.")) continue;
      for (const auto& m : captures(read_source(std::string(dir) + "/" + name), call)) called.insert(m);
    }
  }
  return called;
}

std::set<std::string> manifest_scopes() { return string_set(load_yaml(kManifest)["oauth_config"]["scopes"]["bot"]); }
std::set<std::string> manifest_events() {
  return string_set(load_yaml(kManifest)["settings"]["event_subscriptions"]["bot_events"]);
}

TEST(SlackAppManifest, ListsExactlyTheSlashCommandsTheBotParses) {
  // Command names as the code spells them: "/investigate" in parse_command, `/alertbot ...` in
  // the help and usage texts.
  std::set<std::string> in_code;
  for (const char* file : {"bot/command_parse.cpp", "bot/commands.cpp", "bot/command_parse.hpp"}) {
    for (const auto& c : captures(read_source(file), R"([`"](/[a-z][a-z0-9_-]*)(?=[\s`"]))")) in_code.insert(c);
  }
  ASSERT_FALSE(in_code.empty()) << "no slash command found in bot/command_parse.cpp: has the parser moved?";
  std::set<std::string> in_manifest;
  for (const auto& c : load_yaml(kManifest)["features"]["slash_commands"]) {
    in_manifest.insert(c["command"].as<std::string>());
    EXPECT_FALSE(c["description"].as<std::string>("").empty()) << c["command"].as<std::string>();
  }
  EXPECT_EQ(in_code, in_manifest) << "code: " << joined(in_code) << "; manifest: " << joined(in_manifest);
}

TEST(SlackAppManifest, SubscribesToEveryEventTheBotHandlesAndNoOther) {
  const YAML::Node manifest = load_yaml(kManifest);
  const std::set<std::string> subscribed = manifest_events();
  std::set<std::string> delivering;
  for (const auto& type : handled_types()) {
    auto it = event_deliveries().find(type);
    ASSERT_NE(it, event_deliveries().end())
        << "slack/ now parses '" << type << "': add the events delivering it (and their scopes) to this test and the manifest";
    for (const auto& d : it->second) {
      delivering.insert(d.bot_event);
      EXPECT_TRUE(subscribed.count(d.bot_event)) << type << " arrives through " << d.bot_event << ", missing from bot_events";
      if (!d.scope.empty()) {
        EXPECT_TRUE(manifest_scopes().count(d.scope)) << d.bot_event << " needs scope " << d.scope;
      }
    }
  }
  for (const auto& e : subscribed) EXPECT_TRUE(delivering.count(e)) << "bot_events has " << e << ", which the bot does not handle";
  ASSERT_TRUE(handled_types().count("block_actions"));
  EXPECT_TRUE(manifest["settings"]["interactivity"]["is_enabled"].as<bool>(false)) << "report buttons need interactivity";
  ASSERT_TRUE(handled_types().count("app_home_opened"));
  EXPECT_TRUE(manifest["features"]["app_home"]["home_tab_enabled"].as<bool>(false)) << "the bot publishes a Home tab";
}

TEST(SlackAppManifest, MapsTheScopeOfEveryWebApiMethod) {
  std::set<std::string> mapped;
  for (const auto& m : method_scopes()) mapped.insert(m.method);
  const auto called = captures(read_source("slack/web_api.cpp"), R"((?:bot|call|reaction)\(\"([a-zA-Z]+\.[a-zA-Z.]+)\")");
  ASSERT_GE(called.size(), 10u) << "the method calls in slack/web_api.cpp are no longer recognised";
  for (const auto& method : called) {
    EXPECT_TRUE(mapped.count(method)) << "slack/web_api.cpp calls " << method << ": add it and its scope to method_scopes()";
  }
}

TEST(SlackAppManifest, GrantsTheScopesTheBotNeedsAndNoMore) {
  const std::set<std::string> granted = manifest_scopes();
  const std::set<std::string> called = called_members();
  ASSERT_TRUE(called.count("post_message")) << "no WebApi call found in bot/: has the code moved?";
  std::set<std::string> needed = {"commands"};  // the slash commands
  for (const auto& m : method_scopes()) {
    if (!called.count(m.member)) continue;
    for (const auto& s : m.scopes) {
      needed.insert(s);
      EXPECT_TRUE(granted.count(s)) << m.member << " (" << m.method << ") needs " << s;
    }
  }
  for (const auto& type : handled_types()) {
    auto it = event_deliveries().find(type);
    if (it == event_deliveries().end()) continue;  // reported by the events test
    for (const auto& d : it->second) {
      if (!d.scope.empty()) needed.insert(d.scope);
    }
  }
  for (const auto& s : granted) EXPECT_TRUE(needed.count(s)) << "scope " << s << " is granted but nothing uses it";
}

TEST(SlackAppManifest, UsesSocketModeAndDocumentsTheHttpModeUrls) {
  const YAML::Node manifest = load_yaml(kManifest);
  EXPECT_TRUE(manifest["settings"]["socket_mode_enabled"].as<bool>(false));
  EXPECT_FALSE(manifest["display_information"]["name"].as<std::string>("").empty());
  EXPECT_FALSE(manifest["features"]["bot_user"]["display_name"].as<std::string>("").empty());
  // The request URLs of HTTP mode are the bot's routes: named in the manifest's notes and the docs.
  const auto paths = captures(read_source("slack/http_delivery.hpp"), R"(k[A-Za-z]+Path = \"(/slack/[a-z]+)\")");
  ASSERT_EQ(paths.size(), 3u);
  const std::string manifest_text = read_source(kManifest);
  const std::string docs = read_source("docs/deployment.md");
  for (const auto& p : paths) {
    EXPECT_NE(manifest_text.find(p), std::string::npos) << p << " missing from the manifest's HTTP mode notes";
    EXPECT_NE(docs.find(p), std::string::npos) << p << " missing from docs/deployment.md";
  }
}

}  // namespace
}  // namespace alertbot::deploy_test
