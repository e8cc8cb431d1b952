#include "bot/llm_step.hpp"

#include <algorithm>

#include "llm/explain.hpp"
#include "llm/llm_client.hpp"
#include "llm/llm_settings.hpp"
#include "llm/partial_json.hpp"

namespace alertbot::bot {
namespace {

using namespace investigators;

// Sections and priorities of the packed context: metric shifts and deploys first, then the
// behaviour findings, commits, history; within a section the strongest first.
int family_priority(char family) {
  switch (family) {
    case 'm': return 0;
    case 'd': return 1;
    case 'c': return 2;
    case 't': return 3;
    case 'l': return 4;
    case 'p': return 5;
    default: return 6;
  }
}

const char* section_of(char family) {
  switch (family) {
    case 'm': return "metric";
    case 'd': return "deploy";
    case 'c': return "diff";
    case 't': return "trace";
    case 'l': return "log";
    case 'p': return "profile";
    case 'h': return "history";
    default: return "finding";
  }
}

llm::ExplainInput input_of(const Report& r, std::vector<std::string> secrets) {
  llm::ExplainInput in;
  const auto& res = r.result;
  if (res.alert) in.alert_text = res.alert->name + " (" + to_string(res.alert->status) + "): " + res.alert->summary;
  for (const auto& f : res.findings) {
    if (f.id.empty()) continue;
    in.evidence.push_back(llm::EvidenceRef{f.id, f.kind, f.title});
    std::string text = f.title + (f.detail.empty() ? "" : ". " + f.detail);
    for (const auto& [k, v] : f.attributes) {
      if (!v.empty()) text += "\n  " + k + ": " + v;
    }
    const int priority = family_priority(f.id[0]) * 1000 + static_cast<int>(1000 * (1.0 - std::clamp(f.score, 0.0, 1.0)));
    in.context.push_back(llm::ContextItem{f.id, section_of(f.id[0]), priority, text});
  }
  auto add = [&](const Cause& c) {
    in.deterministic.push_back(llm::CandidateCause{c.title, c.confidence, c.evidence, c.suspect.kind, c.suspect.ref, c.fix});
  };
  for (const auto& c : res.causes) add(c);
  for (const auto& c : res.leads) add(c);
  in.secrets = std::move(secrets);
  return in;
}

}  // namespace

awaitable<void> run_llm_step(llm::LlmClient* client, Clock& clock, const llm::LlmSettings& settings,
                             std::vector<std::string> secrets, Report& report,
                             std::function<void(const std::string&)> on_summary) {
  if (!client) co_return;  // provider none: the defaults say so
  report.llm.provider = settings.provider == llm::LlmProvider::Anthropic ? "anthropic" : "openai";
  report.llm.model = settings.model;
  auto input = input_of(report, std::move(secrets));
  llm::TextDelta on_text;
  std::string raw, shown;
  if (on_summary) {
    on_text = [&raw, &shown, &on_summary](std::string_view piece) {
      raw.append(piece);
      std::string summary = llm::partial_string_member(raw, "summary");
      if (summary.size() <= shown.size()) return;
      shown = std::move(summary);
      on_summary(shown);
    };
  }
  llm::Explanation e = co_await llm::explain(*client, clock, settings, std::move(input), std::move(on_text));
  report.llm.used = e.used;
  report.llm.fallback_reason = e.used ? std::nullopt : std::optional<std::string>(e.fallback_reason + ": causes ranked deterministically");
  report.llm.calls = e.calls;
  report.llm.prompt_tokens = e.usage.prompt_tokens;
  report.llm.completion_tokens = e.usage.completion_tokens;
  report.llm.cost_usd = e.cost_usd;
  report.llm.latency = e.latency;
  if (!e.used) co_return;
  report.summary = e.summary;
  std::vector<Cause> causes;
  for (const auto& c : e.causes) {
    Cause out;
    out.title = c.title;
    out.confidence = c.confidence;
    out.evidence = c.evidence;
    out.suspect = Suspect{c.suspect_kind, c.suspect_ref, c.suspect_ref};
    out.fix = c.fix;
    out.explanation = c.explanation;
    causes.push_back(std::move(out));
  }
  report.result.causes = std::move(causes);
  report.result.abstained = report.result.causes.empty();
}

}  // namespace alertbot::bot
