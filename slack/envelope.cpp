#include "slack/envelope.hpp"

#include <boost/json.hpp>

#include "net/json_fields.hpp"

namespace alertbot::slack {
namespace {

namespace json = boost::json;

}  // namespace

Result<SocketFrame> parse_socket_frame(std::string_view text) {
  auto obj = parse_json_object(text, "socket frame");
  if (!obj) return obj.error();
  auto* type_v = obj->if_contains("type");
  if (!type_v || !type_v->is_string()) return fail(Errc::ParseError, "socket frame: missing string field 'type'");
  std::string type(type_v->get_string());
  if (type == "hello") {
    Hello h;
    h.num_connections = static_cast<int>(json_int(*obj, "num_connections"));
    if (auto* d = obj->if_contains("debug_info"); d && d->is_object()) {
      h.approximate_connection_time_s = static_cast<int>(json_int(d->as_object(), "approximate_connection_time"));
    }
    return SocketFrame{h};
  }
  if (type == "disconnect") return SocketFrame{Disconnect{json_string(*obj, "reason")}};
  if (type != "events_api" && type != "slash_commands" && type != "interactive") {
    return fail(Errc::ParseError, "socket frame: unknown type '" + type + "'");
  }
  Envelope env;
  env.type = type;
  env.envelope_id = json_string(*obj, "envelope_id");
  if (env.envelope_id.empty()) return fail(Errc::ParseError, "envelope: missing string field 'envelope_id'");
  auto* payload = obj->if_contains("payload");
  if (!payload || !payload->is_object()) return fail(Errc::ParseError, "envelope " + env.envelope_id + ": missing object 'payload'");
  env.payload_json = json::serialize(*payload);
  if (auto* a = obj->if_contains("accepts_response_payload"); a && a->is_bool()) env.accepts_response_payload = a->get_bool();
  env.retry_attempt = static_cast<int>(json_int(*obj, "retry_attempt"));
  env.retry_reason = json_string(*obj, "retry_reason");
  env.dedupe_key = json_string(payload->as_object(), "event_id");
  if (env.dedupe_key.empty()) env.dedupe_key = env.envelope_id;
  return SocketFrame{std::move(env)};
}

std::string make_ack(std::string_view envelope_id, std::string_view payload_json) {
  json::object o;
  o["envelope_id"] = envelope_id;
  if (!payload_json.empty()) {
    boost::system::error_code ec;
    json::value p = json::parse(payload_json, ec);
    if (!ec && p.is_object()) o["payload"] = std::move(p);
  }
  std::string ack = json::serialize(o);
  if (ack.size() >= 20480) return make_ack(envelope_id);
  return ack;
}

std::string salvage_envelope_id(std::string_view text) {
  auto obj = parse_json_object(text, "frame");
  if (!obj) return {};
  return json_string(*obj, "envelope_id");
}

Result<MessageEvent> parse_message_event(std::string_view payload_json) {
  auto obj = parse_json_object(payload_json, "events_api payload");
  if (!obj) return obj.error();
  if (json_string(*obj, "type") != "event_callback") return fail(Errc::NotFound, "payload is not an event_callback");
  auto* ev_v = obj->if_contains("event");
  if (!ev_v || !ev_v->is_object()) return fail(Errc::ParseError, "event_callback: missing object 'event'");
  const auto& ev = ev_v->as_object();
  MessageEvent m;
  m.type = json_string(ev, "type");
  if (m.type != "message" && m.type != "app_mention") return fail(Errc::NotFound, "event type '" + m.type + "' is not a message");
  m.subtype = json_string(ev, "subtype");
  m.channel = json_string(ev, "channel");
  m.user = json_string(ev, "user");
  m.bot_id = json_string(ev, "bot_id");
  m.username = json_string(ev, "username");
  m.text = json_string(ev, "text");
  m.ts = json_string(ev, "ts");
  m.thread_ts = json_string(ev, "thread_ts");
  m.event_id = json_string(*obj, "event_id");
  m.event_json = json::serialize(ev);
  if (m.channel.empty() || m.ts.empty()) return fail(Errc::ParseError, "event: missing 'channel' or 'ts'");
  return m;
}

}  // namespace alertbot::slack
