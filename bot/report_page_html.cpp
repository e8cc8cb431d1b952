#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cctype>
#include <cstdio>

#include "bot/report_page_html.hpp"
#include "net/time_format.hpp"

namespace alertbot::bot::page {

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') break;
        if (c == 0x7f) break;
        out += c;
    }
  }
  return out;
}

std::string safe_url(std::string_view url) {
  auto starts = [&](std::string_view prefix) {
    if (url.size() <= prefix.size()) return false;
    return std::equal(prefix.begin(), prefix.end(), url.begin(),
                      [](char p, char u) { return std::tolower(static_cast<unsigned char>(u)) == p; });
  };
  if (!starts("http://") && !starts("https://")) return "";
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\') return "";
  }
  return std::string(url);
}

std::string anchor(std::string_view finding_id) {
  std::string out = "finding-";
  for (char c : finding_id.substr(0, 64)) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out;
}

std::string link(std::string_view url, std::string_view text) {
  std::string safe = safe_url(url);
  if (safe.empty()) return esc(text);
  return "<a href=\"" + esc(safe) + "\" rel=\"noopener noreferrer\">" + esc(text) + "</a>";
}

const json::object* as_obj(const json::value* v) { return v ? v->if_object() : nullptr; }
const json::array* as_arr(const json::value* v) { return v ? v->if_array() : nullptr; }
const json::value* field(const json::object* o, std::string_view key) { return o ? o->if_contains(key) : nullptr; }
const json::object* obj_at(const json::object* o, std::string_view key) { return as_obj(field(o, key)); }
const json::array* arr_at(const json::object* o, std::string_view key) { return as_arr(field(o, key)); }

std::string str_at(const json::object* o, std::string_view key) {
  const json::value* v = field(o, key);
  if (!v) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "true" : "false";
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  if (v->is_double()) return fmt(v->get_double());
  return "";
}

std::optional<double> num(const json::value* v) {
  if (!v || !v->is_number()) return std::nullopt;
  double d = v->to_number<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<double> num_at(const json::object* o, std::string_view key) { return num(field(o, key)); }

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string fmt_ms(double ms) {
  char buf[32];
  if (std::fabs(ms) >= 1000) std::snprintf(buf, sizeof buf, "%.3g s", ms / 1000);
  else if (std::fabs(ms) >= 10 || ms == 0) std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  else std::snprintf(buf, sizeof buf, "%.2g ms", ms);
  return buf;
}

std::string fmt_pct(double ratio) {
  char buf[32];
  const double p = ratio * 100;
  std::snprintf(buf, sizeof buf, std::fabs(p) >= 10 || p == 0 ? "%.0f%%" : "%.1f%%", p);
  return buf;
}

std::string fmt_time(std::string_view t) {
  if (t.size() >= 19 && t[4] == '-' && t[10] == 'T' && t.back() == 'Z') return std::string(t.substr(0, 10)) + " " + std::string(t.substr(11, 8)) + " UTC";
  return std::string(t);
}

std::optional<double> unix_time(std::string_view rfc3339) {
  if (rfc3339.empty()) return std::nullopt;
  auto t = parse_rfc3339(rfc3339);
  if (!t) return std::nullopt;
  return to_unix_seconds(*t);
}

}  // namespace alertbot::bot::page
