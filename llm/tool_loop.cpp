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
  bool last = limits.max_steps <= 1;  // this call may not call tools
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
    const long spent = out.usage.prompt_tokens + out.usage.completion_tokens;
    if (spent + r->usage.prompt_tokens + settings.max_output_tokens > limits.max_tokens) {
      done("token budget");  // not even one more call fits: the tools are not run for nothing
      co_return out;
    }
    messages.push_back(ChatMessage{"assistant", r->content, r->tool_calls, {}});
    std::size_t added = r->content.size();
    for (auto& tc : r->tool_calls) {
      added += tc.arguments_json.size();
      std::string answer;
      const auto tool_left = deadline - clock.steady_now();
      if (static_cast<int>(out.calls.size()) >= limits.max_tool_calls) {
        answer = "error: not run, the tool-call budget is spent";
      } else if (tool_left <= Clock::Duration::zero()) {
        answer = "error: not run, no time left";
      } else {
        out.calls.push_back(tc);
        auto tool = run(tc);
        auto tool_timer = clock.sleep_for(tool_left);
        auto ran = co_await (std::move(tool) || std::move(tool_timer));
        answer = ran.index() == 0 ? std::move(std::get<0>(ran)) : std::string("error: no answer before the time budget ran out");
      }
      std::string shown = cut(redactor.redact(answer));
      added += shown.size();
      messages.push_back(ChatMessage{"tool", std::move(shown), {}, tc.id});
    }
    // The next prompt is the last one plus what was added (at most one token per 3 bytes, a
    // conservative guess), and its answer up to max_output_tokens: stop offering tools when two
    // more calls would not fit.
    const long next_call = r->usage.prompt_tokens + r->usage.completion_tokens + static_cast<long>(added / 3) +
                           settings.max_output_tokens;
    if (spent + next_call > limits.max_tokens) {
      done("token budget");
      co_return out;
    }
    const bool tokens_tight = spent + 2 * next_call > limits.max_tokens;
    const bool steps_tight = out.steps + 1 >= limits.max_steps;
    const bool calls_spent = static_cast<int>(out.calls.size()) >= limits.max_tool_calls;
    if (tokens_tight || steps_tight || calls_spent) {
      last = true;
      messages.push_back(ChatMessage{"user", kLastCall, {}, {}});
    }
  }
}

}  // namespace alertbot::llm
