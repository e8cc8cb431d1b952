// Slack v0 request signatures: the spec's worked vector, and every way a request is refused.
#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "slack/request_signature.hpp"
#include "tests/support/fake_clock.hpp"

namespace alertbot::slack {
namespace {

using namespace std::chrono_literals;

// spec/slack.md section 7 (Slack's documented example).
constexpr std::string_view kSecret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr std::string_view kTimestamp = "1531420618";
constexpr std::string_view kBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar"
    "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com"
    "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
constexpr std::string_view kSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

const Clock::SystemTime kSent{std::chrono::seconds(1531420618)};

SignatureVerdict check(std::string_view secret, std::string_view body, Clock::SystemTime now,
                       std::optional<std::string_view> ts = kTimestamp,
                       std::optional<std::string_view> sig = kSignature) {
  return verify_signature(secret, ts, sig, body, now);
}

TEST(SlackRequestSignature, WorkedVectorComputesTheDocumentedSignature) {
  EXPECT_EQ(compute_signature(kSecret, kTimestamp, kBody), kSignature);
}

TEST(SlackRequestSignature, WorkedVectorPassesWithinFiveMinutes) {
  EXPECT_EQ(check(kSecret, kBody, kSent), SignatureVerdict::Valid);
  EXPECT_EQ(check(kSecret, kBody, kSent + 4min + 59s), SignatureVerdict::Valid);
  EXPECT_EQ(check(kSecret, kBody, kSent + 5min), SignatureVerdict::Valid) << "the window is inclusive";
  EXPECT_EQ(check(kSecret, kBody, kSent - 2min), SignatureVerdict::Valid) << "a clock slightly behind Slack's";
}

TEST(SlackRequestSignature, TamperedBodyIsRejected) {
  std::string body(kBody);
  body.replace(body.find("text="), 5, "text=rm");
  EXPECT_EQ(check(kSecret, body, kSent), SignatureVerdict::Mismatch);
  EXPECT_EQ(check(kSecret, std::string(kBody) + "&x=1", kSent), SignatureVerdict::Mismatch);
}

TEST(SlackRequestSignature, WrongSecretIsRejected) {
  EXPECT_EQ(check("8f742231b10e8888abcd99yyyzzz85a6", kBody, kSent), SignatureVerdict::Mismatch);
}

TEST(SlackRequestSignature, TimestampSixMinutesOldIsRejected) {
  // Correctly signed, but replayed six minutes later.
  EXPECT_EQ(check(kSecret, kBody, kSent + 6min), SignatureVerdict::Stale);
  EXPECT_EQ(check(kSecret, kBody, kSent + 5min + 1s), SignatureVerdict::Stale);
}

TEST(SlackRequestSignature, TimestampSixMinutesInTheFutureIsRejected) {
  EXPECT_EQ(check(kSecret, kBody, kSent - 6min), SignatureVerdict::Stale);
}

TEST(SlackRequestSignature, MissingHeadersAreRejectedEachWithItsOwnReason) {
  EXPECT_EQ(check(kSecret, kBody, kSent, std::nullopt), SignatureVerdict::MissingTimestamp);
  EXPECT_EQ(check(kSecret, kBody, kSent, kTimestamp, std::nullopt), SignatureVerdict::MissingSignature);
  EXPECT_EQ(verify_signature(kSecret, HttpHeaders{}, kBody, kSent), SignatureVerdict::MissingTimestamp);
}

TEST(SlackRequestSignature, MalformedSignatureIsRejected) {
  const std::string hex(kSignature.substr(3));
  for (std::string bad : {hex, "v1=" + hex, "v0=" + hex.substr(1), "v0=" + hex + "0", "v0=" + hex.substr(1) + "g",
                          std::string("v0="), std::string()}) {
    EXPECT_EQ(check(kSecret, kBody, kSent, kTimestamp, bad), SignatureVerdict::MalformedSignature) << bad;
  }
}

TEST(SlackRequestSignature, MalformedTimestampIsRejected) {
  for (std::string_view bad : {"", "abc", "1531420618.5", "-1531420618", "+1531420618", " 1531420618",
                               "99999999999999999999"}) {
    EXPECT_EQ(check(kSecret, kBody, kSent, bad), SignatureVerdict::MalformedTimestamp) << bad;
  }
}

TEST(SlackRequestSignature, UppercaseHexIsTheSameSignature) {
  std::string upper(kSignature);
  for (std::size_t i = 3; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(check(kSecret, kBody, kSent, kTimestamp, upper), SignatureVerdict::Valid);
}

TEST(SlackRequestSignature, NoSecretRefusesEverything) {
  EXPECT_EQ(check("", kBody, kSent), SignatureVerdict::NoSecret);
}

TEST(SlackRequestSignature, ReasonsAreDistinct) {
  std::set<std::string_view> seen;
  for (auto v : {SignatureVerdict::Valid, SignatureVerdict::NoSecret, SignatureVerdict::MissingTimestamp,
                 SignatureVerdict::MissingSignature, SignatureVerdict::MalformedTimestamp,
                 SignatureVerdict::MalformedSignature, SignatureVerdict::Stale, SignatureVerdict::Mismatch}) {
    EXPECT_TRUE(seen.insert(to_string(v)).second) << to_string(v);
  }
}

TEST(SlackRequestSignature, SignedRequestRoundTripsThroughTheHeadersOnTheInjectedClock) {
  testing::FakeClock clock;
  const std::string body = R"({"type":"event_callback","event_id":"Ev1"})";
  HttpHeaders headers = sign_request("s3cret", clock.system_now(), body);
  headers.emplace_back("Content-Type", "application/json");
  // Header names are case-insensitive.
  for (auto& [name, value] : headers) {
    for (char& c : name) c = static_cast<char>(std::tolower(c));
  }
  EXPECT_EQ(verify_signature("s3cret", headers, body, clock), SignatureVerdict::Valid);
  clock.advance(6min);
  EXPECT_EQ(verify_signature("s3cret", headers, body, clock), SignatureVerdict::Stale);
}

}  // namespace
}  // namespace alertbot::slack
