#include "bot/digest_render.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

#include "net/time_format.hpp"
#include "slack/block_kit.hpp"
#include "slack/mrkdwn.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string money(double usd) { return format("$%.2f", usd); }
std::string percent(double rate) { return format("%.0f%%", rate * 100.0); }
// Rounded to a millionth of a dollar so sums of float costs print cleanly.
double round_cost(double usd) { return std::round(usd * 1e6) / 1e6; }

std::string title(const Digest& d) {
  return d.window.week.empty() ? "Weekly digest" : "Weekly digest " + d.window.week;
}

std::string span(const Digest& d) {
  return d.window.from_local + " to " + d.window.to_local + " " + d.window.timezone;
}

std::string median_text(const std::optional<std::int64_t>& ms, std::int64_t samples) {
  if (!ms) return "n/a";
  return human_duration(*ms) + " (" + std::to_string(samples) + ")";
}

std::string helpfulness_text(const Digest& d) {
  if (!d.helpfulness_rate) return "no verdicts";
  return percent(*d.helpfulness_rate) + " (" + std::to_string(d.helpful) + " helpful, " + std::to_string(d.wrong) +
         " wrong)";
}

std::string llm_text(const Digest& d) {
  return std::to_string(d.llm.calls) + " calls, " + std::to_string(d.llm.prompt_tokens) + " prompt + " +
         std::to_string(d.llm.completion_tokens) + " completion tokens, " + money(d.llm.cost_usd);
}

json::value opt_int(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::array noisy_json(const std::vector<NoisyAlert>& list, bool with_fingerprint, const char* count_key) {
  json::array out;
  for (const auto& a : list) {
    json::object o{{"name", a.name}, {"service", a.service}};
    if (with_fingerprint) o["fingerprint"] = a.fingerprint;
    o[count_key] = a.count;
    o["suggestion"] = a.suggestion.empty() ? json::value(nullptr) : json::value(a.suggestion);
    out.push_back(std::move(o));
  }
  return out;
}

// Slack lines of one noisiest list, every untrusted piece escaped.
std::string noisy_mrkdwn(const std::vector<NoisyAlert>& list, const char* unit) {
  std::string out;
  for (const auto& a : list) {
    out += "• *" + slack::escape(a.name) + "* (" + slack::escape(a.service) + "): " + std::to_string(a.count) + " " +
           unit;
    if (!a.suggestion.empty()) out += "\n    _" + slack::escape(a.suggestion) + "_";
    out += "\n";
  }
  return out;
}

void noisy_text(std::string& out, const char* heading, const std::vector<NoisyAlert>& list, const char* unit) {
  out += std::string("  ") + heading + ":";
  if (list.empty()) out += " none";
  out += "\n";
  for (const auto& a : list) {
    out += "    " + a.name + " (" + a.service + "): " + std::to_string(a.count) + " " + unit + "\n";
    if (!a.suggestion.empty()) out += "      -> " + a.suggestion + "\n";
  }
}

}  // namespace

std::string human_duration(std::int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms < 10'000) return format("%.1fs", static_cast<double>(ms) / 1000.0);
  const std::int64_t s = ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h " + std::to_string(s / 60 % 60) + "m";
}

std::string digest_text(const Digest& d) {
  std::string out = title(d) + " (" + span(d) + ")\n\n";
  out += "Alerts: " + std::to_string(d.alerts) + " (" + std::to_string(d.notifications) + " notifications)\n";
  for (const auto& s : d.by_service) {
    out += "  " + s.service + " / " + s.severity + ": " + std::to_string(s.alerts) + "\n";
  }
  out += "Investigations: " + std::to_string(d.investigations) + " (" + std::to_string(d.investigations_done) +
         " done, " + std::to_string(d.investigations_failed) + " failed)\n";
  out += "  median time to first reply: " + median_text(d.median_first_reply_ms, d.first_reply_samples) + "\n";
  out += "  median time to full report: " + median_text(d.median_report_ms, d.report_samples) + "\n";
  out += "Noisiest alerts\n";
  noisy_text(out, "most fired", d.most_fired, "alerts");
  noisy_text(out, "most flapping", d.flapping, "flaps");
  noisy_text(out, "never acted on", d.never_acted_on, "alerts");
  out += "Regressions traced to deploys: " + std::to_string(d.regressions.size()) + "\n";
  for (const auto& r : d.regressions) {
    out += "  #" + std::to_string(r.investigation_id) + " " + r.service + " " + r.alert_name + ": " + r.cause + " [" +
           r.suspect_kind + " " + r.suspect_ref + "]\n";
  }
  out += "Helpfulness: " + helpfulness_text(d) + "\n";
  out += "LLM: " + llm_text(d) + "\n";
  return out;
}

std::string digest_json(const Digest& d) {
  json::array by_service;
  for (const auto& s : d.by_service) {
    by_service.push_back(json::object{{"service", s.service}, {"severity", s.severity}, {"count", s.alerts}});
  }
  json::array regressions;
  for (const auto& r : d.regressions) {
    regressions.push_back(json::object{{"investigation_id", r.investigation_id},
                                       {"service", r.service},
                                       {"alert", r.alert_name},
                                       {"cause", r.cause},
                                       {"suspect", {{"kind", r.suspect_kind}, {"ref", r.suspect_ref}}},
                                       {"at", format_rfc3339(r.at)}});
  }
  json::object o;
  o["week"] = d.window.week.empty() ? json::value(nullptr) : json::value(d.window.week);
  o["window"] = {{"from", format_rfc3339(d.window.from)},
                 {"to", format_rfc3339(d.window.to)},
                 {"timezone", d.window.timezone},
                 {"from_local", d.window.from_local},
                 {"to_local", d.window.to_local}};
  o["alerts"] = {{"total", d.alerts}, {"notifications", d.notifications}, {"by_service", by_service}};
  o["investigations"] = {{"total", d.investigations},
                         {"done", d.investigations_done},
                         {"failed", d.investigations_failed},
                         {"median_first_reply_ms", opt_int(d.median_first_reply_ms)},
                         {"first_reply_samples", d.first_reply_samples},
                         {"median_report_ms", opt_int(d.median_report_ms)},
                         {"report_samples", d.report_samples}};
  o["noisiest"] = {{"most_fired", noisy_json(d.most_fired, false, "count")},
                   {"flapping", noisy_json(d.flapping, true, "flaps")},
                   {"never_acted_on", noisy_json(d.never_acted_on, false, "count")}};
  o["regressions"] = std::move(regressions);
  o["feedback"] = {{"helpful", d.helpful},
                   {"wrong", d.wrong},
                   {"helpfulness_rate", d.helpfulness_rate ? json::value(*d.helpfulness_rate) : json::value(nullptr)}};
  o["llm"] = {{"calls", d.llm.calls},
              {"prompt_tokens", d.llm.prompt_tokens},
              {"completion_tokens", d.llm.completion_tokens},
              {"cost_usd", round_cost(d.llm.cost_usd)},
              {"latency_ms", d.llm.latency_ms}};
  return json::serialize(o);
}

slack::MessageContent digest_message(const Digest& d) {
  slack::BlockKit kit;
  kit.header(title(d));
  kit.context({slack::escape(span(d))});
  std::string alerts = "*Alerts:* " + std::to_string(d.alerts) + " (" + std::to_string(d.notifications) +
                       " notifications)\n";
  for (const auto& s : d.by_service) {
    alerts += "• " + slack::escape(s.service) + " / " + slack::escape(s.severity) + ": " + std::to_string(s.alerts) + "\n";
  }
  kit.section(alerts);
  kit.fields({"*Investigations*\n" + std::to_string(d.investigations) + " (" + std::to_string(d.investigations_done) +
                  " done, " + std::to_string(d.investigations_failed) + " failed)",
              "*Helpfulness*\n" + helpfulness_text(d),
              "*Median time to first reply*\n" + median_text(d.median_first_reply_ms, d.first_reply_samples),
              "*Median time to full report*\n" + median_text(d.median_report_ms, d.report_samples),
              "*LLM*\n" + llm_text(d)});
  kit.divider();
  if (!d.most_fired.empty()) kit.section("*Most fired*\n" + noisy_mrkdwn(d.most_fired, "alerts"));
  if (!d.flapping.empty()) kit.section("*Most flapping*\n" + noisy_mrkdwn(d.flapping, "flaps"));
  if (!d.never_acted_on.empty()) kit.section("*Never acted on*\n" + noisy_mrkdwn(d.never_acted_on, "alerts"));
  if (!d.regressions.empty()) {
    std::string text = "*Regressions traced to deploys*\n";
    for (const auto& r : d.regressions) {
      text += "• " + slack::escape(r.service) + " *" + slack::escape(r.alert_name) + "*: " + slack::escape(r.cause) +
              " (" + slack::escape(r.suspect_kind) + " `" + slack::escape(r.suspect_ref) + "`)\n";
    }
    kit.section(text);
  }
  std::string fallback = title(d) + ": " + std::to_string(d.alerts) + " alerts, " + std::to_string(d.investigations) +
                         " investigations, helpfulness " + helpfulness_text(d);
  return slack::MessageContent{slack::escape(fallback), kit.json()};
}

}  // namespace alertbot::bot
