#include "llm/tool_loop.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

namespace alertbot::llm {
namespace {

using namespace boost::asio::experimental::awaitable_operators;

constexpr std::size_t kMaxToolAnswerBytes = 16 * 1024;  // what one tool answer may add to the conversation

const char* const kLastCall =
    "The tool budget is spent. Answer the question now from what you have; say what you could not check.";

std::string reason_of(const Error& e) {
  switch (e.code) {
    case Errc::Timeout: return "time budget";
    case Errc::RateLimited: return "rate limited";
    case Errc::Cancelled: return "cancelled";
    default: break;
  }
  std::string m = std::string(to_string(e.code)) + ": " + e.message;
  if (m.size() > 200) m.resize(200);
  return m;
}

std::string cut(std::string text) {
  if (text.size() <= kMaxToolAnswerBytes) return text;
  std::size_t n = kMaxToolAnswerBytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // a UTF-8 boundary
  text.resize(n);
  return text + "\n[answer cut]";
}

}  // namespace

awaitable<ToolLoopResult> run_tool_loop(LlmClient& client, Clock& clock, const LlmSettings& settings,
                                        std::vector<ChatMessage> messages, std::vector<ToolSpec> tools,
                                        ToolRunner run, Redactor& redactor, ToolLoopLimits limits) {
  ToolLoopResult out;
  const auto t0 = clock.steady_now();
  const auto deadline = t0 + limits.time;
  auto done = [&](std::string stopped) {
    out.stopped = std::move(stopped);
    out.cost_usd = cost_usd(out.usage, settings);
    out.latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady_now() - t0);
  };
  bool last = false;  // this call offers no tools
  for (;;) {
    const auto left = deadline - clock.steady_now();
    if (left <= Clock::Duration::zero()) {
      done("time budget");
      co_return out;
    }
    ChatRequest req;
    req.messages = messages;
    req.tools = tools;
    req.tools_allowed = !last;
    req.max_output_tokens = settings.max_output_tokens;
    req.temperature = settings.temperature;
    ++out.steps;
    auto call = client.chat(std::move(req));
    auto timer = clock.sleep_for(left);
    auto raced = co_await (std::move(call) || std::move(timer));
    if (raced.index() == 1) {
      done("time budget");
      co_return out;
    }
    auto& r = std::get<0>(raced);
    if (!r) {
      done(reason_of(r.error()));
      co_return out;
    }
    out.usage.prompt_tokens += r->usage.prompt_tokens;
    out.usage.completion_tokens += r->usage.completion_tokens;
    if (r->refused) {
      done("refused");
      co_return out;
    }
    if (r->tool_calls.empty() || last) {
      if (r->content.empty()) {
        done(last && !r->tool_calls.empty() ? "the model kept calling tools" : "empty answer");
        co_return out;
      }
      out.answered = true;
      out.answer = std::move(r->content);
      done("");
      co_return out;
    }
    messages.push_back(ChatMessage{"assistant", r->content, r->tool_calls, {}});
    for (auto& tc : r->tool_calls) {
      std::string answer;
      if (static_cast<int>(out.calls.size()) >= limits.max_tool_calls) {
        answer = "error: not run, the tool-call budget is spent";
      } else {
        out.calls.push_back(tc);
        answer = co_await run(tc);
      }
      messages.push_back(ChatMessage{"tool", cut(redactor.redact(answer)), {}, tc.id});
    }
    const long spent = out.usage.prompt_tokens + out.usage.completion_tokens;
    // The next prompt is at least as long as the last one: stop offering tools when another
    // round trip and a final answer would not fit.
    const bool tokens_tight = spent + 2 * r->usage.prompt_tokens > limits.max_tokens;
    const bool steps_tight = out.steps + 1 >= limits.max_steps;
    const bool calls_spent = static_cast<int>(out.calls.size()) >= limits.max_tool_calls;
    if (spent >= limits.max_tokens) {
      done("token budget");
      co_return out;
    }
    if (tokens_tight || steps_tight || calls_spent) {
      last = true;
      messages.push_back(ChatMessage{"user", kLastCall, {}, {}});
    }
  }
}

}  // namespace alertbot::llm
