// HTTP-mode requests from Slack become the Envelope Socket Mode would have produced.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "net/form.hpp"
#include "slack/http_delivery.hpp"

namespace alertbot::slack {
namespace {

namespace json = boost::json;

const HttpHeaders kJson{{"Content-Type", "application/json"}};
const HttpHeaders kForm{{"Content-Type", "application/x-www-form-urlencoded"}};

constexpr std::string_view kEventCallback = R"({"token":"t","team_id":"T0AAA1111","api_app_id":"A0123456789",
  "type":"event_callback","event_id":"Ev0BBB2222","event_time":1714000000,
  "event":{"type":"message","user":"U0HUMAN01","text":"hi","ts":"1714000000.000100","channel":"C0CHAN001"}})";

const FormFields kCommandFields{{"token", "legacyVerifTok"},         {"team_id", "T0AAA1111"},
                                {"team_domain", "acme"},             {"channel_id", "C0CHAN001"},
                                {"channel_name", "ops"},             {"user_id", "U0HUMAN01"},
                                {"user_name", "dana"},               {"command", "/deploy"},
                                {"text", "staging --dry-run & more"}, {"api_app_id", "A0123456789"},
                                {"response_url", "https://hooks.slack.com/commands/T0AAA1111/111/abc"},
                                {"trigger_id", "1111.2222.abcdef"}};

constexpr std::string_view kBlockActions = R"({"type":"block_actions","api_app_id":"A0123456789",
  "trigger_id":"2222.3333.fedcba","user":{"id":"U0HUMAN01"},"channel":{"id":"C0CHAN001"},
  "actions":[{"type":"button","action_id":"approve","block_id":"deploy_q","value":"run-42"}]})";

Envelope envelope_of(const Result<HttpDelivery>& r) {
  EXPECT_TRUE(r) << r.error().describe();
  if (!r) return {};
  EXPECT_TRUE(std::holds_alternative<Envelope>(*r));
  return std::holds_alternative<Envelope>(*r) ? std::get<Envelope>(*r) : Envelope{};
}

json::object object_of(const std::string& text) { return json::parse(text).as_object(); }

TEST(SlackHttpDelivery, UrlVerificationGivesTheChallenge) {
  auto r = parse_http_delivery(HttpEndpoint::Events, kJson,
                               R"({"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"})");
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_TRUE(std::holds_alternative<UrlVerification>(*r));
  EXPECT_EQ(std::get<UrlVerification>(*r).challenge, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
}

TEST(SlackHttpDelivery, UrlVerificationWithoutChallengeIsAnError) {
  auto r = parse_http_delivery(HttpEndpoint::Events, kJson, R"({"type":"url_verification"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::ParseError);
  EXPECT_NE(r.error().message.find("challenge"), std::string::npos) << r.error().message;
}

TEST(SlackHttpDelivery, EventCallbackBecomesAnEventsApiEnvelopeKeyedByEventId) {
  Envelope env = envelope_of(parse_http_delivery(HttpEndpoint::Events, kJson, kEventCallback));
  EXPECT_EQ(env.type, "events_api");
  EXPECT_EQ(env.dedupe_key, "Ev0BBB2222");
  EXPECT_EQ(env.envelope_id, "Ev0BBB2222");
  EXPECT_FALSE(env.accepts_response_payload);
  EXPECT_EQ(env.retry_attempt, 0);
  EXPECT_EQ(env.retry_reason, "");
  EXPECT_EQ(object_of(env.payload_json), json::parse(kEventCallback).as_object());
  // The same payload parse_message_event reads for Socket Mode deliveries.
  auto ev = parse_message_event(env.payload_json);
  ASSERT_TRUE(ev) << ev.error().describe();
  EXPECT_EQ(ev->event_id, "Ev0BBB2222");
  EXPECT_EQ(ev->channel, "C0CHAN001");
}

TEST(SlackHttpDelivery, RetryHeadersFillTheRetryFields) {
  HttpHeaders h = kJson;
  h.emplace_back("x-slack-retry-num", "2");
  h.emplace_back("X-Slack-Retry-Reason", "http_timeout");
  Envelope env = envelope_of(parse_http_delivery(HttpEndpoint::Events, h, kEventCallback));
  EXPECT_EQ(env.retry_attempt, 2);
  EXPECT_EQ(env.retry_reason, "http_timeout");
  EXPECT_EQ(env.dedupe_key, "Ev0BBB2222") << "a retry has the first delivery's key";
}

TEST(SlackHttpDelivery, AnUnreadableRetryNumberStillCountsAsARetry) {
  HttpHeaders h = kJson;
  h.emplace_back("X-Slack-Retry-Num", "many");
  EXPECT_EQ(envelope_of(parse_http_delivery(HttpEndpoint::Events, h, kEventCallback)).retry_attempt, 1);
}

TEST(SlackHttpDelivery, EventCallbackWithoutEventIdIsAnError) {
  auto r = parse_http_delivery(HttpEndpoint::Events, kJson, R"({"type":"event_callback","event":{"type":"message"}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("event_id"), std::string::npos) << r.error().message;
}

TEST(SlackHttpDelivery, NoticesWithoutAnEventIdAreKeyedByTheirBody) {
  const std::string body = R"({"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1"})";
  Envelope env = envelope_of(parse_http_delivery(HttpEndpoint::Events, kJson, body));
  EXPECT_EQ(env.type, "events_api");
  EXPECT_EQ(env.dedupe_key, body_key(body));
  EXPECT_EQ(body_key(body).rfind("body:", 0), 0u);
  EXPECT_NE(body_key(body), body_key(body + " "));
}

TEST(SlackHttpDelivery, BadJsonIsAClearError) {
  for (std::string_view body : {R"({"type":"event_callback",)", "[1,2]", R"({"event_id":"Ev1"})", ""}) {
    auto r = parse_http_delivery(HttpEndpoint::Events, kJson, body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, Errc::ParseError);
    EXPECT_EQ(r.error().message.rfind("events request: ", 0), 0u) << r.error().message;
  }
  auto r = parse_http_delivery(HttpEndpoint::Events, kJson, "{oops");
  EXPECT_NE(r.error().message.find("not JSON"), std::string::npos) << r.error().message;
}

TEST(SlackHttpDelivery, SlashCommandFormBecomesAJsonObjectOfStrings) {
  const std::string body = form_encode(kCommandFields);
  Envelope env = envelope_of(parse_http_delivery(HttpEndpoint::Commands, kForm, body));
  EXPECT_EQ(env.type, "slash_commands");
  EXPECT_TRUE(env.accepts_response_payload);
  EXPECT_EQ(env.dedupe_key, "1111.2222.abcdef") << "the trigger id is unique per invocation";
  json::object expected;
  for (const auto& [k, v] : kCommandFields) expected[k] = v;
  EXPECT_EQ(object_of(env.payload_json), expected);
  EXPECT_EQ(object_of(env.payload_json).at("text").as_string(), "staging --dry-run & more");
}

TEST(SlackHttpDelivery, SlashCommandWithEmptyTextAndNoTriggerIdIsKeyedByItsBody) {
  const std::string body = "command=%2Fstatus&text=&user_id=U1";
  Envelope env = envelope_of(parse_http_delivery(HttpEndpoint::Commands, kForm, body));
  EXPECT_EQ(object_of(env.payload_json).at("text").as_string(), "");
  EXPECT_EQ(env.dedupe_key, body_key(body));
}

TEST(SlackHttpDelivery, SslCheckIsRecognised) {
  auto r = parse_http_delivery(HttpEndpoint::Commands, kForm, "ssl_check=1&token=legacyVerifTok");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(std::holds_alternative<SslCheck>(*r));
  EXPECT_TRUE(is_ssl_check("ssl_check=1&token=x"));
  EXPECT_FALSE(is_ssl_check("ssl_check=0"));
  EXPECT_FALSE(is_ssl_check(kEventCallback));
}

TEST(SlackHttpDelivery, InteractivePayloadFieldIsThePayload) {
  const std::string body = form_encode({{"payload", std::string(kBlockActions)}});
  Envelope env = envelope_of(parse_http_delivery(HttpEndpoint::Interactive, kForm, body));
  EXPECT_EQ(env.type, "interactive");
  EXPECT_TRUE(env.accepts_response_payload);
  EXPECT_EQ(env.dedupe_key, "2222.3333.fedcba");
  EXPECT_EQ(object_of(env.payload_json), json::parse(kBlockActions).as_object());
}

TEST(SlackHttpDelivery, InteractiveWithoutAPayloadOrWithBadJsonIsAnError) {
  auto missing = parse_http_delivery(HttpEndpoint::Interactive, kForm, "type=block_actions");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("'payload'"), std::string::npos) << missing.error().message;
  auto bad = parse_http_delivery(HttpEndpoint::Interactive, kForm, form_encode({{"payload", "{\"type\":"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::ParseError);
  EXPECT_EQ(bad.error().message.rfind("interactive payload: not JSON", 0), 0u) << bad.error().message;
  auto escape = parse_http_delivery(HttpEndpoint::Commands, kForm, "text=100%");
  ASSERT_FALSE(escape);
  EXPECT_NE(escape.error().message.find("percent escape"), std::string::npos) << escape.error().message;
}

TEST(SlackHttpDelivery, OneRequestUrlForEverythingTellsTheKindsApartByBody) {
  // Apps often give Slack the same URL for events, commands and interactivity.
  EXPECT_EQ(envelope_of(parse_http_delivery(HttpEndpoint::Events, kForm, form_encode(kCommandFields))).type,
            "slash_commands");
  EXPECT_EQ(envelope_of(parse_http_delivery(HttpEndpoint::Events, kForm,
                                            form_encode({{"payload", std::string(kBlockActions)}})))
                .type,
            "interactive");
  HttpHeaders form_charset{{"content-type", "Application/X-WWW-Form-Urlencoded; charset=utf-8"}};
  EXPECT_EQ(envelope_of(parse_http_delivery(HttpEndpoint::Events, form_charset, form_encode(kCommandFields))).type,
            "slash_commands");
}

}  // namespace
}  // namespace alertbot::slack
