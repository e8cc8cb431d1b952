// Fuzz target "slack": everything Slack sends us, as the bot reads it. Socket Mode frames and the
// envelope id salvaged from a bad one; the events, slash commands, button clicks and App Home
// visits inside payloads; HTTP-mode deliveries on each endpoint (JSON and form bodies); and the
// signature check's inputs ("<timestamp>\n<signature>\n<body>"). The mrkdwn escapers get the
// same bytes, since every outside string ends up in them.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "slack/envelope.hpp"
#include "slack/http_delivery.hpp"
#include "slack/interactions.hpp"
#include "slack/mrkdwn.hpp"
#include "slack/request_signature.hpp"
#include "tests/fuzz/fuzz_cases.hpp"

namespace alertbot::fuzz {
namespace {

using namespace slack;

void socket_frame(std::string_view s) {
  auto frame = parse_socket_frame(s);
  if (!frame) {
    (void)salvage_envelope_id(s);
    return;
  }
  if (const auto* env = std::get_if<Envelope>(&*frame)) {
    (void)parse_message_event(env->payload_json);
    (void)parse_slash_command(env->payload_json);
    (void)parse_block_action(env->payload_json);
    (void)parse_app_home_opened(env->payload_json);
    (void)make_ack(env->envelope_id, env->payload_json);
  }
}

void payloads(std::string_view s) {
  (void)parse_message_event(s);
  (void)parse_slash_command(s);
  (void)parse_block_action(s);
  (void)parse_app_home_opened(s);
}

void delivery(HttpEndpoint endpoint, std::string_view content_type, std::string_view body) {
  const HttpHeaders headers{{"Content-Type", std::string(content_type)},
                            {"X-Slack-Retry-Num", "1"},
                            {"X-Slack-Retry-Reason", "http_timeout"}};
  auto d = parse_http_delivery(endpoint, headers, body);
  (void)is_ssl_check(body);
  if (d) {
    if (const auto* env = std::get_if<Envelope>(&*d)) payloads(env->payload_json);
  }
}

void events_json(std::string_view s) { delivery(HttpEndpoint::Events, "application/json", s); }
void events_form(std::string_view s) { delivery(HttpEndpoint::Events, "application/x-www-form-urlencoded", s); }
void commands(std::string_view s) { delivery(HttpEndpoint::Commands, "application/x-www-form-urlencoded", s); }
void interactive(std::string_view s) { delivery(HttpEndpoint::Interactive, "application/x-www-form-urlencoded", s); }

void signature(std::string_view s) {
  const std::string_view timestamp = take_line(s);
  const std::string_view sig = take_line(s);
  const auto now = Clock::SystemTime(std::chrono::seconds(1714000000));
  (void)verify_signature("8f742231b10e8888abcd99yyyzzz85a5", timestamp, sig, s, now);
  const HttpHeaders headers{{"x-slack-request-timestamp", std::string(timestamp)},
                            {"X-SLACK-SIGNATURE", std::string(sig)}};
  (void)verify_signature("", headers, s, now);
}

void text(std::string_view s) {
  (void)escape(s);
  (void)plain(s);
  const std::string_view url = take_line(s);
  (void)link(url, s);
  (void)truncate_utf8(s, s.size() / 2);
}

constexpr FuzzCase kCases[] = {
    {'f', socket_frame}, {'p', payloads}, {'e', events_json}, {'E', events_form},
    {'c', commands},     {'i', interactive}, {'s', signature}, {'t', text},
};

}  // namespace
}  // namespace alertbot::fuzz

ALERTBOT_FUZZ_TARGET(kCases)
