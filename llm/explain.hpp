// explain: the LLM explanation step. Given the alert, the packed evidence and the deterministic
// ranking of candidate causes, asks the model (structured JSON output, kExplainSchema) to reorder,
// explain or drop the candidates, then checks its answer against the evidence: every cited id must
// exist, a suspect must be a deterministic candidate's ref of the same kind or appear in a cited
// evidence summary, kinds come from a fixed set, texts are stripped of control characters and
// capped. Invalid JSON gets one repair request; anything else that goes wrong (timeout, client
// error, refusal, no valid cause) gives used=false with a short reason, and the caller keeps the
// deterministic causes. Every text sent to the model goes through a Redactor first. The whole step
// (first call and repair) is bounded by settings.timeout on the injected clock.
// llm/ sees no investigators/ types: the bot converts its findings into the plain types below.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "llm/context.hpp"
#include "llm/llm_client.hpp"
#include "llm/llm_settings.hpp"
#include "net/asio_fwd.hpp"
#include "net/clock.hpp"
#include "net/result.hpp"

namespace alertbot::llm {

struct EvidenceRef {  // what the model may cite
  std::string id;
  std::string kind;
  std::string summary;
};

struct CandidateCause {  // one cause of the deterministic ranking
  std::string title;
  double confidence = 0;
  std::vector<std::string> evidence;  // evidence ids
  std::string suspect_kind, suspect_ref, fix;
};

struct ExplainInput {
  std::string alert_text;                     // untrusted
  std::vector<ContextItem> context;           // evidence texts, untrusted; redacted here
  std::vector<EvidenceRef> evidence;          // the ids the model may cite
  std::vector<CandidateCause> deterministic;  // the ranking the model starts from
  std::vector<std::string> secrets;           // the config's exact secrets, always redacted
};

struct ExplainedCause {
  std::string title, explanation;
  double confidence = 0;
  std::vector<std::string> evidence;
  std::string suspect_kind, suspect_ref, fix;
};

struct Explanation {
  bool used = false;                    // the model's answer is what the report shows
  std::string fallback_reason;          // when !used: "timeout", "refused", "no valid cause", ...
  std::string summary;                  // 2-4 sentences, plain text
  std::vector<ExplainedCause> causes;   // <= 3, every evidence id exists
  std::vector<std::string> dropped;     // why causes were dropped ("cause 2 cites unknown id m9")
  ChatUsage usage;                      // both calls together when a repair was asked for
  int calls = 0;                        // model calls made (answered or not)
  double cost_usd = 0;
  std::chrono::milliseconds latency{0};  // on the injected clock
  std::size_t redacted = 0;              // distinct values redacted
  std::string context_note;              // pack_context's note: what was left out
};

// Suspect kinds the model may name.
inline constexpr const char* kSuspectKinds[] = {"deploy", "commit", "config", "span", "dependency", "capacity"};
inline constexpr std::size_t kMaxExplainedCauses = 3;

// The JSON Schema sent as ChatRequest::json_schema.
extern const char* const kExplainSchema;

// Suspends. Never fails: trouble becomes used=false with a reason. `client` and `clock` must
// outlive the call. With on_text the first answer is streamed (raw JSON pieces, see LlmClient);
// a repair's answer is not, so the pieces always form one JSON text.
awaitable<Explanation> explain(LlmClient& client, Clock& clock, const LlmSettings& settings, ExplainInput input,
                               TextDelta on_text = {});

namespace detail {
// Checks a model answer against what was sent. Err (ParseError) when it is not JSON or not of
// the schema's shape (that asks for a repair); otherwise the kept causes and the drop reasons.
struct CheckedAnswer {
  std::string summary;
  std::vector<ExplainedCause> causes;
  std::vector<std::string> dropped;
};
Result<CheckedAnswer> check_answer(std::string_view answer, const std::vector<EvidenceRef>& evidence,
                                   const std::vector<CandidateCause>& deterministic);
}  // namespace detail

}  // namespace alertbot::llm
