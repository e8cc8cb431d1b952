// Fuzz target "llm": what comes back from a model, read by the real clients over a canned HTTP
// answer: OpenAI-compatible chat completions and Anthropic messages, plain and streamed (the
// stream reaches the live-text path in small pieces), and error answers ("<status>\n<body>").
// Also the server-sent-events parser whole and piece by piece, the partial-JSON reader behind the
// growing summary, the check of a structured answer against the evidence sent, and redaction of
// outside text before it is sent.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llm/explain.hpp"
#include "llm/llm_client.hpp"
#include "llm/llm_settings.hpp"
#include "llm/partial_json.hpp"
#include "llm/redact.hpp"
#include "llm/sse.hpp"
#include "tests/fuzz/canned_http.hpp"
#include "tests/fuzz/fuzz_cases.hpp"

namespace alertbot::fuzz {
namespace {

using namespace llm;

awaitable<void> ask(LlmClient& client, bool stream) {
  ChatRequest req;
  req.messages.push_back(ChatMessage{.role = "user", .content = "why is checkout slow?"});
  req.json_schema = kExplainSchema;
  req.stream = stream;
  std::size_t shown = 0;
  TextDelta on_text = [&shown](std::string_view piece) { shown += piece.size(); };
  auto r = co_await client.chat(std::move(req), std::move(on_text));
  (void)r;
}

void chat(LlmProvider provider, int status, std::string_view body, bool stream) {
  LlmSettings settings;
  settings.provider = provider;
  settings.base_url = "http://llm.invalid/v1";
  settings.model = "m";
  settings.api_key = "sk-fuzz-secret-key";
  HttpResponse answer;
  answer.status = status;
  answer.headers = {{"content-type", stream ? "text/event-stream" : "application/json"}};
  answer.body = std::string(body);
  CannedHttp http(std::move(answer));
  StillClock clock;
  auto client = provider == LlmProvider::OpenAi ? make_openai_client(http, clock, settings)
                                                : make_anthropic_client(http, clock, settings);
  run_to_end(ask(*client, stream));
}

void openai(std::string_view s) { chat(LlmProvider::OpenAi, 200, s, false); }
void openai_stream(std::string_view s) { chat(LlmProvider::OpenAi, 200, s, true); }
void anthropic(std::string_view s) { chat(LlmProvider::Anthropic, 200, s, false); }
void anthropic_stream(std::string_view s) { chat(LlmProvider::Anthropic, 200, s, true); }

void error_answer(std::string_view s) {
  const std::string_view line = take_line(s);
  int status = 500;
  std::from_chars(line.data(), line.data() + line.size(), status);
  if (status < 100 || status > 599) status = 500;
  chat(LlmProvider::OpenAi, status, s, false);
  chat(LlmProvider::Anthropic, status, s, false);
}

void sse(std::string_view s) {
  (void)parse_sse(s);
  SseStream stream;
  for (std::size_t i = 0, n = 1; i < s.size(); i += n, n = n % 7 + 1) (void)stream.feed(s.substr(i, n));
}

void partial_json(std::string_view s) {
  for (std::string_view key : {"summary", "causes", "title", ""}) {
    (void)partial_string_member(s, key);
    (void)partial_string_member(s.substr(0, s.size() / 2), key);
  }
}

void checked_answer(std::string_view s) {
  static const std::vector<EvidenceRef> kEvidence = {
      {"m1", "metric", "p99 of checkout rose from 180 ms to 2.3 s at 14:02"},
      {"d1", "deploy", "checkout v2.14.0 deployed at 14:00"},
      {"t1", "trace", "db.query self time +1.9 s"},
  };
  static const std::vector<CandidateCause> kRanking = {
      {.title = "deploy checkout v2.14.0", .confidence = 0.8, .evidence = {"m1", "d1"}, .suspect_kind = "deploy"},
  };
  (void)detail::check_answer(s, kEvidence, kRanking);
}

void redact(std::string_view s) {
  RedactionRules rules;
  rules.patterns = {"CUST-[0-9]{6}", "employee_id=(E[0-9]{5})"};
  rules.secrets = {"sk-fuzz-secret-key", "xoxb-1111-fuzz"};
  auto redactor = Redactor::create(std::move(rules));
  if (redactor) (void)redactor->redact(s);
}

constexpr FuzzCase kCases[] = {
    {'o', openai},       {'O', openai_stream}, {'a', anthropic},      {'A', anthropic_stream}, {'e', error_answer},
    {'s', sse},          {'p', partial_json},  {'c', checked_answer}, {'r', redact},
};

}  // namespace
}  // namespace alertbot::fuzz

ALERTBOT_FUZZ_TARGET(kCases)
