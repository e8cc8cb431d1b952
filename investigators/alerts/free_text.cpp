#include "investigators/alerts/free_text.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "investigators/alerts/alert_limits.hpp"

namespace alertbot::investigators {
namespace {

using namespace alerts;

struct Token {
  std::string key;  // empty for a bare word
  std::string value;
};

bool key_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '.' || c == '-'; }
bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Reads the token at `i` (not whitespace) and moves `i` past it.
Token next_token(std::string_view s, std::size_t& i, bool& unterminated) {
  std::size_t start = i;
  std::size_t k = i;
  while (k < s.size() && key_char(static_cast<unsigned char>(s[k]))) ++k;
  bool is_pair = k > start && k < s.size() && s[k] == '=' && !std::isdigit(static_cast<unsigned char>(s[start])) &&
                 s[start] != '-' && s[start] != '.';
  Token t;
  if (!is_pair) {
    while (i < s.size() && !space(s[i])) ++i;
    t.value = std::string(s.substr(start, i - start));
    return t;
  }
  t.key = std::string(s.substr(start, k - start));
  i = k + 1;
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
    char quote = s[i++];
    while (i < s.size() && s[i] != quote) {
      if (s[i] == '\\' && quote == '"' && i + 1 < s.size()) ++i;
      t.value += s[i++];
    }
    unterminated = unterminated || i >= s.size();
    if (i < s.size()) ++i;
  } else {
    std::size_t v = i;
    while (i < s.size() && !space(s[i])) ++i;
    t.value = std::string(s.substr(v, i - v));
  }
  return t;
}

bool is_url(std::string_view w) { return w.rfind("http://", 0) == 0 || w.rfind("https://", 0) == 0; }

// What one pass over the text found.
struct Scan {
  std::vector<std::string> bare;  // bare words in order, about kMaxValueBytes of them at most
  std::optional<AlertStatus> status_word;
  bool unterminated = false;
};

// Labels (into a.labels, capped), the first URL (a.links.source) and the bare words.
Scan scan_text(std::string_view text, Alert& a, std::vector<std::string>& warnings) {
  Scan out;
  EntryCaps caps("text labels");
  std::size_t bare_bytes = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (space(text[i])) {
      ++i;
      continue;
    }
    Token t = next_token(text, i, out.unterminated);
    std::string lower = out.bare.empty() && !out.status_word && t.value.size() <= 10 ? to_lower(t.value) : "";
    if (!t.key.empty()) {
      caps.put(a.labels, t.key, t.value, warnings);
    } else if (is_url(t.value) && a.links.source.empty()) {
      a.links.source = capped(t.value, "text link", warnings);
    } else if (a.labels.empty() && (lower == "firing" || lower == "[firing]")) {
      out.status_word = AlertStatus::Firing;
    } else if (a.labels.empty() && (lower == "resolved" || lower == "[resolved]")) {
      out.status_word = AlertStatus::Resolved;
    } else if (bare_bytes <= kMaxValueBytes) {
      bare_bytes += t.value.size() + 1;
      out.bare.push_back(std::move(t.value));
    }
  }
  caps.finish(warnings);
  if (out.unterminated) warn(warnings, "text: a quoted value has no closing quote; read to the end");
  return out;
}

bool configured(const AlertContext& ctx, const std::string& name) {
  return std::find(ctx.services.begin(), ctx.services.end(), name) != ctx.services.end();
}

}  // namespace

Result<AlertBatch> parse_free_text(std::string_view input, const AlertContext& ctx) {
  AlertBatch batch;
  batch.format = AlertFormat::Text;
  std::string text = sanitize_utf8(input);
  if (text != input) warn(batch.warnings, "text: invalid UTF-8 replaced");
  Alert a;
  a.source = "text";
  a.starts_at = ctx.received_at;
  Scan scan = scan_text(text, a, batch.warnings);
  auto alertname = a.labels.find("alertname");
  if (alertname != a.labels.end() && !trim(alertname->second).empty()) {
    a.name = alertname->second;
  } else if (!scan.bare.empty()) {
    a.name = capped(scan.bare.front(), "text name", batch.warnings);
    scan.bare.erase(scan.bare.begin());
  } else {
    return fail(Errc::NotFound, a.labels.empty()
                                    ? "no alert in this text (expected a name and key=value labels)"
                                    : "no alert in this text: labels but no name (add alertname=... or a first word)");
  }
  EntryCaps name_caps("text labels");
  name_caps.put(a.labels, "alertname", a.name, batch.warnings);
  name_caps.finish(batch.warnings);
  std::string summary;
  for (const auto& w : scan.bare) summary += (summary.empty() ? "" : " ") + w;
  a.summary = summary.empty() ? a.name : capped(summary, "text summary", batch.warnings);
  if (auto st = a.labels.find("status"); st != a.labels.end()) {
    scan.status_word = to_lower(st->second) == "resolved" ? AlertStatus::Resolved : AlertStatus::Firing;
  }
  a.status = scan.status_word.value_or(AlertStatus::Firing);
  if (auto it = a.labels.find("severity"); it != a.labels.end()) a.severity = it->second;
  if (auto it = a.labels.find("service"); it != a.labels.end()) a.service = it->second;
  for (const auto& w : scan.bare) {
    if (a.service.empty() && configured(ctx, w)) a.service = w;
  }
  if (a.service.empty() && configured(ctx, a.name)) a.service = a.name;
  a.fingerprint = label_fingerprint(a.name, a.labels);
  a.group_key = "text:" + a.name;
  batch.group_key = a.group_key;
  batch.alerts.push_back(std::move(a));
  return batch;
}

}  // namespace alertbot::investigators
