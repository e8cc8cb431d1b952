// Socket Mode frames (hello, disconnect, envelopes) and the events inside them, parsed from
// untrusted JSON. Parsing never throws: a malformed frame gives an Error naming the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "net/result.hpp"

namespace alertbot::slack {

struct Hello {
  int num_connections = 0;
  int approximate_connection_time_s = 0;
};

struct Disconnect {
  std::string reason;  // warning | refresh_requested | link_disabled | too_many_websockets | ...
};

// One delivery to acknowledge: events_api, slash_commands or interactive.
struct Envelope {
  std::string envelope_id;
  std::string type;
  std::string payload_json;  // the payload object, re-serialised
  bool accepts_response_payload = false;
  int retry_attempt = 0;
  std::string retry_reason;
  // The Events API dedupe key: payload.event_id for events_api, else the envelope id.
  std::string dedupe_key;
};

using SocketFrame = std::variant<Hello, Disconnect, Envelope>;

// Errors: ParseError (not JSON, not an object, missing/mistyped envelope_id or type, unknown type).
Result<SocketFrame> parse_socket_frame(std::string_view text);

// The ack for `envelope_id`: {"envelope_id":"..."}, with "payload" when `payload_json` (a JSON
// object) is given. Slack drops frames of 20 KiB or more: a payload that would make the ack that
// large is left out (the bare ack still goes).
std::string make_ack(std::string_view envelope_id, std::string_view payload_json = {});

// The envelope_id of a frame that failed to parse as an envelope, if it has one.
std::string salvage_envelope_id(std::string_view text);

// A message or app_mention event from an events_api payload (event_callback).
struct MessageEvent {
  std::string type;      // message | app_mention
  std::string subtype;   // empty for plain messages
  std::string channel;
  std::string user;
  std::string bot_id;
  std::string username;  // legacy integrations (bot_message)
  std::string text;
  std::string ts;
  std::string thread_ts;
  std::string event_id;
  std::string event_json;  // the inner event object, for parsers that need attachments or blocks
};

// Errors: ParseError (malformed), NotFound (a valid payload that is not a message-like event).
Result<MessageEvent> parse_message_event(std::string_view payload_json);

}  // namespace alertbot::slack
