// Report: one finished (or failed) investigation as every renderer sees it: the pipeline's
// result plus what the bot adds (investigation id, timings, the LLM step's outcome).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "investigators/pipeline.hpp"

namespace alertbot::bot {

// The LLM step (contract.md "llm"). With provider none: used=false and a fallback reason.
struct LlmOutcome {
  std::string provider = "none";
  std::string model;
  bool used = false;
  std::optional<std::string> fallback_reason = "no LLM configured (llm.provider: none): causes ranked deterministically";
  int calls = 0;  // model calls made (a repair makes two)
  long prompt_tokens = 0;
  long completion_tokens = 0;
  double cost_usd = 0;
  std::chrono::milliseconds latency{0};
};

struct Report {
  std::int64_t id = 0;  // investigation id (0 for a CLI run with no store)
  investigators::InvestigationResult result;
  LlmOutcome llm;
  std::string summary;  // the model's two to four sentences, when it was used (untrusted text)
  std::string full_report_url;  // the signed link to the full report page ("" when not served)
  std::chrono::milliseconds total{0};  // from the alert reaching the bot (or the command) to the report
};

}  // namespace alertbot::bot
