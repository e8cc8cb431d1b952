// The LLM step of an investigation, on the bot's side: the pipeline's findings, alert and ranked
// causes become the plain evidence llm/explain reads (every finding citable by its id, the
// strongest first, with the suspect diffs' commits and the raw series left out), the model's
// checked answer replaces the causes when it was used, and the outcome (provider, model, tokens,
// cost, latency, fallback reason) is recorded for the report. With no client (provider none) or
// on any failure the deterministic causes stay. Suspends on the caller's executor.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bot/report.hpp"
#include "net/asio_fwd.hpp"

namespace alertbot {
class Clock;
}
namespace alertbot::llm {
class LlmClient;
struct LlmSettings;
}  // namespace alertbot::llm

namespace alertbot::bot {

// Fills report.llm and, when the model's answer passed the checks, report.summary and
// report.result.causes. `secrets` (the config's) are redacted from everything sent.
// `on_summary`, when set, is called with the model's summary as far as it has streamed in, each
// time it grew (raw model text: the caller neutralises it before showing it; it is not yet
// checked, and the final report may not use it).
awaitable<void> run_llm_step(llm::LlmClient* client, Clock& clock, const llm::LlmSettings& settings,
                             std::vector<std::string> secrets, Report& report,
                             std::function<void(const std::string&)> on_summary = {});

}  // namespace alertbot::bot
