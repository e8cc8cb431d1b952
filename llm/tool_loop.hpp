// The tool-calling loop behind follow-up questions: the model is asked, may call tools, sees their
// (redacted) answers and is asked again, until it answers in text or a budget runs out. Budgets:
// model calls (steps), tool calls, tokens (prompt + completion over every step) and wall time on
// the injected clock. When a budget is about to run out the model gets one last call without tools
// and is told to answer from what it has, so a question rarely ends without an answer. Tool
// answers go through the Redactor before the model sees them; the tools' arguments are the
// model's (untrusted): the runner must check them. The answer is untrusted model text: the
// caller neutralises it before showing it anywhere.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "llm/llm_client.hpp"
#include "llm/llm_settings.hpp"
#include "llm/redact.hpp"
#include "net/asio_fwd.hpp"
#include "net/clock.hpp"

namespace alertbot::llm {

struct ToolLoopLimits {
  int max_steps = 6;        // model calls, the final one included
  int max_tool_calls = 10;  // tool runs over the whole loop
  long max_tokens = 80000;  // prompt + completion tokens over every step
  std::chrono::milliseconds time{90000};
};

// Runs one tool call; answers with the text the model will read (a failure is said in the text,
// e.g. "error: ..."). Must not throw.
using ToolRunner = std::function<awaitable<std::string>(ToolCall call)>;

struct ToolLoopResult {
  bool answered = false;
  std::string answer;        // the model's final text (untrusted)
  std::string stopped;       // when !answered: "time budget", "refused", "rate limited", ...
  std::vector<ToolCall> calls;  // every tool call run, in order
  int steps = 0;                // model calls made
  ChatUsage usage;              // over every step
  double cost_usd = 0;
  std::chrono::milliseconds latency{0};  // the whole loop, on the injected clock
};

// `messages` (already redacted by the caller: system prompt, context, the question) start the
// conversation. Never fails: trouble is `stopped` with a reason. `client`, `clock` and `redactor`
// must outlive the call.
awaitable<ToolLoopResult> run_tool_loop(LlmClient& client, Clock& clock, const LlmSettings& settings,
                                        std::vector<ChatMessage> messages, std::vector<ToolSpec> tools,
                                        ToolRunner run, Redactor& redactor, ToolLoopLimits limits = {});

}  // namespace alertbot::llm
