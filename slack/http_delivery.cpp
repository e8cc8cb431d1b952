#include "slack/http_delivery.hpp"

#include <openssl/sha.h>

#include <boost/json.hpp>
#include <charconv>

#include "net/encoding.hpp"
#include "net/form.hpp"
#include "net/json_fields.hpp"

namespace alertbot::slack {
namespace {

namespace json = boost::json;

bool is_form(const HttpHeaders& headers) {
  std::string_view ct = find_header(headers, "content-type").value_or("");
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  return ct.size() >= kForm.size() && iequals(ct.substr(0, kForm.size()), kForm);
}

// X-Slack-Retry-Num / -Reason. A retry header that is present but not a number still marks a
// retry (1): the count is only informative, and refusing the delivery over it would lose the event.
void read_retry(const HttpHeaders& headers, Envelope& env) {
  if (auto num = find_header(headers, "X-Slack-Retry-Num")) {
    int n = 0;
    auto [end, ec] = std::from_chars(num->data(), num->data() + num->size(), n);
    env.retry_attempt = (ec == std::errc() && end == num->data() + num->size() && n > 0) ? n : 1;
  }
  if (auto reason = find_header(headers, "X-Slack-Retry-Reason")) env.retry_reason = std::string(*reason);
}

Envelope make_envelope(std::string type, const json::object& payload, std::string key, bool accepts_response) {
  Envelope env;
  env.type = std::move(type);
  env.payload_json = json::serialize(payload);
  env.accepts_response_payload = accepts_response;
  env.dedupe_key = std::move(key);
  env.envelope_id = env.dedupe_key;
  return env;
}

Result<HttpDelivery> parse_event(std::string_view body) {
  auto obj = parse_json_object(body, "events request");
  if (!obj) return obj.error();
  auto* type_v = obj->if_contains("type");
  if (!type_v || !type_v->is_string()) return fail(Errc::ParseError, "events request: missing string field 'type'");
  if (type_v->get_string() == "url_verification") {
    std::string challenge = json_string(*obj, "challenge");
    if (challenge.empty()) return fail(Errc::ParseError, "url_verification: missing string field 'challenge'");
    return HttpDelivery{UrlVerification{std::move(challenge)}};
  }
  std::string key = json_string(*obj, "event_id");
  if (key.empty()) {
    if (type_v->get_string() == "event_callback") {
      return fail(Errc::ParseError, "event_callback: missing string field 'event_id'");
    }
    key = body_key(body);  // app_rate_limited and other notices without an event id
  }
  return HttpDelivery{make_envelope("events_api", *obj, std::move(key), false)};
}

// The form fields as a JSON object of strings: the payload Socket Mode would carry.
Result<HttpDelivery> parse_command(const FormFields& fields, std::string_view body) {
  if (auto* ssl = form_get(fields, "ssl_check"); ssl && *ssl == "1") return HttpDelivery{SslCheck{}};
  json::object payload;
  for (const auto& [k, v] : fields) {
    if (!payload.contains(k)) payload[k] = v;  // the first value of a repeated field, as form_get reads it
  }
  const std::string* trigger = form_get(fields, "trigger_id");
  std::string key = trigger && !trigger->empty() ? *trigger : body_key(body);
  return HttpDelivery{make_envelope("slash_commands", payload, std::move(key), true)};
}

Result<HttpDelivery> parse_interaction(const FormFields& fields, std::string_view body) {
  const std::string* text = form_get(fields, "payload");
  if (!text) return fail(Errc::ParseError, "interactive request: missing form field 'payload'");
  auto payload = parse_json_object(*text, "interactive payload");
  if (!payload) return payload.error();
  std::string key = json_string(*payload, "trigger_id");
  if (key.empty()) key = body_key(body);
  return HttpDelivery{make_envelope("interactive", *payload, std::move(key), true)};
}

}  // namespace

Result<HttpDelivery> parse_http_delivery(HttpEndpoint endpoint, const HttpHeaders& headers, std::string_view body) {
  Result<HttpDelivery> out = fail(Errc::Internal, "unreachable");
  if (endpoint == HttpEndpoint::Events && !is_form(headers)) {
    out = parse_event(body);
  } else {
    auto fields = form_decode(body);
    if (!fields) return fail(Errc::ParseError, "form body: " + fields.error().message);
    bool interactive = endpoint == HttpEndpoint::Interactive ||
                       (endpoint == HttpEndpoint::Events && form_get(*fields, "payload") != nullptr);
    out = interactive ? parse_interaction(*fields, body) : parse_command(*fields, body);
  }
  if (out) {
    if (auto* env = std::get_if<Envelope>(&*out)) read_retry(headers, *env);
  }
  return out;
}

bool is_ssl_check(std::string_view body) {
  auto fields = form_decode(body);
  if (!fields) return false;
  const std::string* ssl = form_get(*fields, "ssl_check");
  return ssl && *ssl == "1";
}

std::string body_key(std::string_view body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  return "body:" + to_hex(std::string_view(reinterpret_cast<const char*>(digest), 16));
}

}  // namespace alertbot::slack
