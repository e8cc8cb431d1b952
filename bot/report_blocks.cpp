#include "bot/report_blocks.hpp"

#include "bot/commands.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "net/duration.hpp"
#include "net/time_format.hpp"
#include "slack/block_kit.hpp"
#include "slack/mrkdwn.hpp"

namespace alertbot::bot {
namespace {

using namespace investigators;
using slack::escape;

// Findings not cited by a cause that the Slack report lists (the full report has them all).
constexpr int kMaxOtherFindings = 6;

std::string severity_badge(const std::string& severity) {
  if (severity == "critical" || severity == "page" || severity == "p1" || severity == "error") return ":red_circle:";
  if (severity == "warning" || severity == "warn" || severity == "p2" || severity == "high") return ":large_orange_circle:";
  return ":large_blue_circle:";
}

std::string percent(double x) { return std::to_string(static_cast<int>(std::lround(x * 100))) + "%"; }

std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() < 1000) return std::to_string(d.count()) + " ms";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string alert_name(const Report& r) {
  return r.result.alert ? r.result.alert->name : "on-demand investigation";
}

void add_cause(slack::BlockKit& b, const Cause& c, const std::vector<Finding>& findings) {
  // Titles, explanations and fixes may be the model's words: verbatim (no auto-links).
  b.verbatim_section("*Likely cause* (" + percent(c.confidence) + " confidence)\n" + escape(c.title) +
            (c.explanation.empty() ? "" : "\n" + escape(c.explanation)));
  if (c.suspect.kind != "unknown" && !c.suspect.ref.empty()) {
    b.section("*Suspect:* " + escape(c.suspect.kind) + " `" + escape(c.suspect.ref) + "` " + escape(c.suspect.title));
  }
  if (!c.fix.empty()) b.verbatim_section("*Proposed fix:* " + escape(c.fix));
  std::string evidence = "*Evidence*";
  for (const auto& id : c.evidence) {
    for (const auto& f : findings) {
      if (f.id != id) continue;
      evidence += "\n• `" + escape(f.id) + "` " + escape(f.title);
      if (f.kind == "deploy" && !f.detail.empty()) evidence += ": _" + escape(f.detail) + "_";
      if (!f.link.empty()) evidence += " " + slack::link(f.link, "graph");
    }
  }
  b.section(evidence);
}

std::string checked_line(const InvestigationResult& r) {
  std::string line = "*Checked:* ";
  bool first = true;
  for (const auto& s : r.sources) {
    if (!first) line += " · ";
    first = false;
    line += escape(s.source) + " ";
    switch (s.status) {
      case SourceStatus::Ok: line += ":white_check_mark: " + std::to_string(s.duration.count()) + " ms"; break;
      case SourceStatus::Failed: line += ":x: " + escape(s.message); break;
      case SourceStatus::TimedOut: line += ":hourglass: " + escape(s.message); break;
      case SourceStatus::Skipped: line += "_skipped (not configured)_"; break;
    }
  }
  if (first) line += "_no source is configured for this service_";
  return line;
}

}  // namespace

slack::MessageContent placeholder_message(const Alert& alert, const std::string& service,
                                          const std::vector<std::string>& sources) {
  std::string what = sources.empty() ? std::string("what I can") : "";
  for (std::size_t i = 0; i < sources.size(); ++i) what += (i ? ", " : "") + escape(sources[i]);
  std::string text = ":mag: Investigating *" + escape(alert.name) + "*" +
                     (service.empty() ? "" : " on *" + escape(service) + "*") + ": checking " + what + "…";
  slack::BlockKit b;
  b.section(text);
  return {text, b.json()};
}

slack::MessageContent progress_message(const Alert& alert, const std::string& service,
                                       const std::vector<SourceOutcome>& sources, const std::vector<Finding>& findings) {
  std::string text = ":mag: Investigating *" + escape(alert.name) + "*" + (service.empty() ? "" : " on *" + escape(service) + "*") +
                     ": " + std::to_string(sources.size()) + " source" + (sources.size() == 1 ? "" : "s") + " in so far…";
  slack::BlockKit b;
  b.section(text);
  std::vector<const Finding*> top;
  for (const auto& f : findings) {
    if (f.score > 0) top.push_back(&f);
  }
  std::stable_sort(top.begin(), top.end(), [](const Finding* a, const Finding* b) { return a->score > b->score; });
  if (!top.empty()) {
    std::string early = "*Early findings*";
    for (std::size_t i = 0; i < top.size() && i < kMaxOtherFindings; ++i) early += "\n• " + escape(top[i]->title);
    b.section(early);
  }
  std::vector<std::string> done;
  done.reserve(sources.size());
  for (const auto& s : sources) {
    done.push_back(escape(s.source) + (s.status == SourceStatus::Ok ? " :white_check_mark:" : " :x:"));
  }
  if (!done.empty()) {
    std::string line;
    for (std::size_t i = 0; i < done.size(); ++i) line += (i ? " · " : "") + done[i];
    b.context({line});
  }
  return {text, b.json()};
}

// "openai gpt-4o · $0.0042 · 3,120 + 410 tokens · 1.8 s", or why no model was used.
std::string llm_footer(const LlmOutcome& llm) {
  auto thousands = [](long n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  };
  if (llm.provider.empty() || llm.provider == "none") return escape(llm.fallback_reason.value_or("no LLM configured"));
  char cost[32];
  std::snprintf(cost, sizeof cost, "$%.4f", llm.cost_usd);
  std::string spent = std::string(cost) + " · " + thousands(llm.prompt_tokens) + " + " + thousands(llm.completion_tokens) +
                      " tokens · " + seconds_text(llm.latency);
  std::string who = escape(llm.provider + " " + llm.model);
  if (llm.used) return who + " · " + spent;
  return who + " not used (" + escape(llm.fallback_reason.value_or("no answer")) + ") · " + spent;
}

slack::MessageContent report_message(const Report& r) {
  const auto& res = r.result;
  std::string severity = res.alert ? res.alert->severity : "";
  slack::BlockKit b;
  b.header((severity.empty() ? "" : severity + " · ") + (res.service.empty() ? "unknown service" : res.service) + " · " +
           alert_name(r));
  std::string text;
  // The model's summary: untrusted text, escaped (no pings, no links) like everything else.
  if (!r.summary.empty()) b.verbatim_section(escape(r.summary));
  if (res.causes.empty()) {
    text = "No strong suspect for " + alert_name(r) + ".";
    b.section(severity_badge(severity) + " *No strong suspect.* " +
              escape(res.abstain_reason.empty() ? "Nothing moved significantly in the data I could read." : res.abstain_reason));
    if (!res.leads.empty()) {
      b.section("*Weak lead* (" + percent(res.leads.front().confidence) + "): " + escape(res.leads.front().title));
    }
  } else {
    text = "Likely cause: " + res.causes.front().title;
    add_cause(b, res.causes.front(), res.findings);
    for (std::size_t i = 1; i < res.causes.size() && i < 3; ++i) {
      b.section("*Also possible* (" + percent(res.causes[i].confidence) + "): " + escape(res.causes[i].title));
    }
  }
  std::string other = "*Other findings*";
  bool any = false;
  int shown = 0;
  for (const auto& f : res.findings) {
    bool cited = false;
    for (const auto& c : res.causes) cited = cited || std::count(c.evidence.begin(), c.evidence.end(), f.id);
    if (cited || f.score <= 0 || f.kind == "no_change") continue;
    if (++shown > kMaxOtherFindings) break;
    other += "\n• `" + escape(f.id) + "` " + escape(f.title);
    any = true;
  }
  if (any) b.section(other);
  b.section(checked_line(res));
  for (const auto& n : res.notes) b.context({":warning: " + escape(n)});
  std::string llm = llm_footer(r.llm);
  if (r.id > 0) {
    const std::string id = std::to_string(r.id);
    std::vector<slack::Button> buttons{{"Helpful", kActionHelpful, id, {}, "primary"},
                                       {"Wrong cause", kActionWrong, id, {}, {}},
                                       {"Re-run with a wider window", kActionRerun, id, {}, {}}};
    if (!r.full_report_url.empty()) buttons.push_back({"Open full report", kActionOpenReport, id, r.full_report_url, {}});
    b.actions(buttons, "report_actions");
  }
  b.context({"Investigation #" + std::to_string(r.id) + " · " + seconds_text(r.total) + " · window " +
                 format_rfc3339(res.window_start, false).substr(11, 5) + "–" + format_rfc3339(res.at, false).substr(11, 5) +
                 " UTC",
             llm});
  return {escape(text), b.json()};
}

slack::MessageContent summary_draft_message(const Report& report, const std::string& partial_summary) {
  Report draft = report;
  draft.summary = partial_summary + " …";
  auto content = report_message(draft);
  content.text = ":writing_hand: " + content.text + " (summary being written)";
  return content;
}

slack::MessageContent failed_message(const std::string& service, const std::string& reason) {
  std::string text = ":warning: The investigation of *" + escape(service) + "* could not finish: " + escape(reason);
  slack::BlockKit b;
  b.section(text);
  return {text, b.json()};
}

slack::MessageContent resolved_message(const Alert& alert, std::chrono::minutes open_for) {
  std::string text = ":white_check_mark: *" + escape(alert.name) + "* resolved after " + std::to_string(open_for.count()) + " min.";
  return {text, {}};
}

slack::MessageContent on_demand_message(const std::string& service, std::chrono::milliseconds window,
                                        const std::string& trace_id, const std::string& user) {
  std::string text = ":mag: Investigating *" + escape(service) + "* over the last " + format_duration(window) +
                     (trace_id.empty() ? "" : " around trace `" + escape(trace_id) + "`") + ", as <@" + escape(user) +
                     "> asked. The report follows in this thread.";
  return {text, {}};
}

slack::MessageContent counter_message(const std::vector<std::string>& names, std::int64_t notifications,
                                      std::int64_t still_firing, const std::string& flapping) {
  std::string which;
  constexpr std::size_t kShown = 4;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) which += (i ? ", " : "") + ("*" + escape(names[i]) + "*");
  if (names.size() > kShown) which += " and " + std::to_string(names.size() - kShown) + " more";
  std::string text = ":repeat: " + std::to_string(notifications) + " notification" + (notifications == 1 ? "" : "s") +
                     " in this incident" + (which.empty() ? "" : " (" + which + ")");
  if (still_firing >= 0) text += " · " + std::to_string(still_firing) + " still firing";
  text += ". The investigation above still applies.";
  if (!flapping.empty()) {
    text += "\n:warning: *" + escape(flapping) + "* is flapping: it resolved and fired again within the hour; "
            "consider a longer `for:` or hysteresis on its rule.";
  }
  return {text, {}};
}

slack::MessageContent alert_card_message(const Alert& alert) {
  const bool firing = alert.status == AlertStatus::Firing;
  std::string head = std::string(firing ? "[FIRING" : "[RESOLVED") + (firing ? ":" + std::to_string(alert.count) : "") + "] " +
                     alert.name + (alert.service.empty() ? "" : " · " + alert.service) +
                     (alert.severity.empty() ? "" : " · " + alert.severity);
  std::string text = severity_badge(alert.severity) + " *" + escape(head) + "*";
  if (!alert.summary.empty() && alert.summary != alert.name) text += "\n" + escape(alert.summary);
  std::vector<std::string> links;
  const std::pair<const std::string*, const char*> named[] = {{&alert.links.runbook, "runbook"},
                                                              {&alert.links.dashboard, "dashboard"},
                                                              {&alert.links.generator, "graph"},
                                                              {&alert.links.source, alert.source.c_str()}};
  for (const auto& [url, label] : named) {
    if (!url->empty()) links.push_back(slack::link(*url, label));
  }
  slack::BlockKit b;
  b.section(text);
  if (!links.empty()) b.context(links);
  return {escape(head), b.json()};
}

slack::MessageContent unreadable_alert_message(const std::string& reason) {
  return {":grey_question: I could not read this alert: " + escape(reason), {}};
}

}  // namespace alertbot::bot
