// The workspace emulator's HTTP-mode delivery (settings.request_url): each envelope is POSTed the
// way Slack does it (spec/slack.md 2.4, 3.1, 4, 7): events as a JSON event_callback, slash
// commands form-encoded, interactions as the form field payload=<json>; every attempt signed (v0)
// with settings.signing_secret and the workspace clock's time. A 2xx answer is the ack. Events
// that get a non-2xx answer or no answer within 3 s (on the workspace clock) are retried up to
// settings.max_redeliveries times, at once, then after 1 and 5 minutes, with X-Slack-Retry-Num and
// X-Slack-Retry-Reason (http_error | http_timeout), unless the app answered X-Slack-No-Retry: 1.
// Slash commands and interactions are not retried: Slack shows the user an error instead.
// Everything goes to the one request_url; the bot's /slack/events tells the kinds apart.
//
// The signature is computed here with OpenSSL directly rather than with slack/request_signature:
// the emulator stands for Slack, so it must not share the code it is there to check.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <iterator>
#include <optional>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json.hpp>

#include "net/form.hpp"
#include "net/http_client.hpp"
#include "tests/fakes/slack_workspace_state.hpp"

namespace alertbot::fakes::detail {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

// Slack waits this long for an answer.
constexpr milliseconds kAnswerWithin{3000};
// A real-time backstop for the transfer itself, in case the workspace clock is never advanced.
constexpr milliseconds kTransferLimit{30000};
// When retries go out after a failed attempt: about immediately, after 1 min, after 5 min.
constexpr milliseconds kRetryDelays[] = {milliseconds(0), milliseconds(60000), milliseconds(300000)};

std::string hmac_sha256_hex(const std::string& key, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

// What Slack sends for one envelope: the body and its content type.
struct Encoded {
  std::string body;
  std::string content_type;
};

// Events as JSON, slash commands as a form of their fields, interactions as payload=<json>.
Encoded encode(const std::string& type, const std::string& payload_json) {
  if (type == "slash_commands") {
    FormFields fields;
    // Named: a temporary in the range expression would die before the loop body reads it.
    const json::value parsed = json::parse(payload_json);
    for (const auto& [k, v] : parsed.as_object()) {
      fields.emplace_back(std::string(k), v.is_string() ? std::string(v.get_string()) : json::serialize(v));
    }
    return {form_encode(fields), "application/x-www-form-urlencoded"};
  }
  if (type == "interactive") return {form_encode({{"payload", payload_json}}), "application/x-www-form-urlencoded"};
  return {payload_json, "application/json"};
}

// Attempt number `attempt` (0 first), signed at the workspace clock's now.
HttpRequest signed_post(const WorkspaceState& st, const Encoded& e, int attempt, const std::string& retry_reason) {
  HttpRequest req;
  req.method = "POST";
  req.url = st.settings.request_url;
  req.body = e.body;
  req.timeout = kTransferLimit;
  req.max_attempts = 1;
  req.idempotent = false;
  const std::string ts =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(st.clock.system_now().time_since_epoch()).count());
  req.headers = {{"Content-Type", e.content_type},
                 {"X-Slack-Request-Timestamp", ts},
                 {"X-Slack-Signature", "v0=" + hmac_sha256_hex(st.settings.signing_secret, "v0:" + ts + ":" + e.body)}};
  if (attempt > 0) {
    req.headers.emplace_back("X-Slack-Retry-Num", std::to_string(attempt));
    req.headers.emplace_back("X-Slack-Retry-Reason", retry_reason);
  }
  return req;
}

// Counts an attempt on the delivery record; false when there is nothing left to send.
bool start_attempt(WorkspaceState& st, const std::string& envelope_id) {
  std::lock_guard lock(st.mutex);
  auto it = std::find_if(st.deliveries.begin(), st.deliveries.end(),
                         [&](const Delivery& d) { return d.envelope_id == envelope_id; });
  if (it == st.deliveries.end() || it->acked) return false;
  if (it->attempts++ == 0) it->first_sent = std::chrono::steady_clock::now();
  return true;
}

// A 2xx answer acks the delivery, as an ack frame does in Socket Mode.
void record_ack(WorkspaceState& st, const std::string& envelope_id, const std::string& answer) {
  std::lock_guard lock(st.mutex);
  for (auto& d : st.deliveries) {
    if (d.envelope_id != envelope_id || d.acked) continue;
    d.acked = true;
    d.ack_frame = answer;  // the app's answer: for a slash command, its response message
    d.ack_seq = ++st.seq;
    d.ack_latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - d.first_sent);
  }
}

// One POST: empty when the delivery is over (acked, refused for good, or the workspace stopped),
// else the X-Slack-Retry-Reason for the next attempt.
awaitable<std::optional<std::string>> post_once(WorkspaceState& st, HttpClient& client, HttpRequest req,
                                                const std::string& envelope_id) {
  using namespace boost::asio::experimental::awaitable_operators;
  auto outcome = co_await (client.send(std::move(req)) || st.sleep(kAnswerWithin));
  if (outcome.index() == 1) {
    if (!std::get<1>(outcome)) co_return std::nullopt;  // the workspace stopped
    co_return std::string("http_timeout");
  }
  auto& response = std::get<0>(outcome);
  if (!response) co_return std::string(response.error().code == Errc::Timeout ? "http_timeout" : "connection_failed");
  if (response->ok()) {
    record_ack(st, envelope_id, response->body);
    co_return std::nullopt;
  }
  if (response->header("x-slack-no-retry").value_or("") == "1") co_return std::nullopt;  // refused for good
  co_return std::string("http_error");
}

}  // namespace

awaitable<void> WorkspaceState::send_http(std::string envelope_id) {
  auto self = shared_from_this();
  std::string type, payload_json;
  {
    std::lock_guard lock(mutex);
    auto it = std::find_if(deliveries.begin(), deliveries.end(), [&](const Delivery& d) { return d.envelope_id == envelope_id; });
    if (it == deliveries.end()) co_return;
    type = it->type;
    payload_json = it->payload_json;
  }
  const Encoded encoded = encode(type, payload_json);
  const int max_attempts = type == "events_api" ? 1 + settings.max_redeliveries : 1;
  // One client per delivery: it lives in this frame, so it outlives every send below.
  HttpClientSettings hcs;
  hcs.default_max_attempts = 1;
  hcs.user_agent = "Slackbot 1.0 (+https://api.slack.com/robots)";
  auto client = make_curl_http_client(executor, clock, hcs);
  std::string retry_reason;
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    if (attempt > 0) {
      auto wait = kRetryDelays[std::min<std::size_t>(static_cast<std::size_t>(attempt - 1), std::size(kRetryDelays) - 1)];
      if (wait.count() > 0 && !co_await sleep(wait)) co_return;
    }
    if (!start_attempt(*this, envelope_id)) co_return;
    HttpRequest req = signed_post(*this, encoded, attempt, retry_reason);  // named: GCC 12 and co_await operands
    auto next = co_await post_once(*this, *client, std::move(req), envelope_id);
    if (!next) co_return;
    retry_reason = std::move(*next);
  }
}

}  // namespace alertbot::fakes::detail
