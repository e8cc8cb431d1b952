// What people do with the app, parsed from untrusted payloads: slash commands, button clicks
// (block_actions) and App Home visits. Parsing never throws: a malformed payload gives ParseError
// naming the field; a payload of another kind gives NotFound.
#pragma once

#include <string>
#include <string_view>

#include "net/result.hpp"

namespace alertbot::slack {

struct SlashCommand {
  std::string command;  // "/investigate"
  std::string text;     // everything after the command, as typed
  std::string user_id;
  std::string channel_id;
  std::string team_id;
  std::string response_url;
  std::string trigger_id;
};

// A slash_commands payload (Socket Mode, or HTTP mode's form turned into an object).
Result<SlashCommand> parse_slash_command(std::string_view payload_json);

// One click of a button (the first action of a block_actions payload).
struct BlockAction {
  std::string user_id;
  std::string channel_id;
  std::string message_ts;  // the message holding the button
  std::string thread_ts;   // that message's thread, if it is a reply
  std::string action_id;
  std::string value;
  std::string trigger_id;
  std::string response_url;
};

// Errors: NotFound when the payload is another interactive type (view_submission, ...).
Result<BlockAction> parse_block_action(std::string_view payload_json);

// app_home_opened from an events_api payload.
struct AppHomeOpened {
  std::string user;
  std::string tab;  // home | messages
};
Result<AppHomeOpened> parse_app_home_opened(std::string_view payload_json);

}  // namespace alertbot::slack
