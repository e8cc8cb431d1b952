#include "investigators/tools/tool_json.hpp"

#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "net/time_format.hpp"

namespace alertbot::investigators::tools {
namespace {

namespace json = boost::json;

void write_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  // %.4g may print an exponent for large whole numbers (12345 -> 1.234e+04); those read better whole.
  if (std::fabs(v) >= 1e4 && std::fabs(v) < 1e15 && std::string_view(buf).find('e') != std::string_view::npos) {
    double rounded = std::stod(buf);
    std::snprintf(buf, sizeof buf, "%.0f", rounded);
  }
  out += buf;
}

void write(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; return;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case json::kind::int64: out += std::to_string(v.get_int64()); return;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); return;
    case json::kind::double_: write_number(out, v.get_double()); return;
    case json::kind::string: out += json::serialize(v); return;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write(out, e);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::value(json::string(k)));
        out += ':';
        write(out, e);
      }
      out += '}';
      return;
    }
  }
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the byte there starts none.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xC2) return 0;  // overlong
  if (n == 3) {
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;  // overlong, surrogate
  }
  if (n == 4) {
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return 0;
  }
  return n;
}

}  // namespace

std::string to_compact_json(const json::value& v) {
  std::string out;
  write(out, v);
  return out;
}

std::string clip(std::string_view text, std::size_t max, std::string_view mark) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t n = utf8_length(text, i);
    std::string_view piece = n ? text.substr(i, n) : kReplacement;
    if (out.size() + piece.size() > max) break;
    out += piece;
    i += n ? n : 1;
  }
  if (i == text.size()) return out;
  // Cut: make room for the mark, at a character boundary (`out` is valid UTF-8).
  std::size_t keep = std::min(out.size(), max > mark.size() ? max - mark.size() : 0);
  while (keep > 0 && keep < out.size() && (static_cast<unsigned char>(out[keep]) & 0xC0) == 0x80) --keep;
  out.resize(keep);
  if (mark.size() <= max) out += mark;
  return out;
}

bool append_within(json::array& list, json::value item, std::size_t& used, std::size_t budget) {
  std::size_t size = to_compact_json(item).size() + 1;  // and a comma
  if (used + size > budget) return false;
  used += size;
  list.push_back(std::move(item));
  return true;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  bool whole = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000 == 0;
  return format_rfc3339(t, !whole);
}

std::int64_t int_arg(const json::object& args, std::string_view key, std::int64_t fallback) {
  const json::value* v = args.if_contains(key);
  if (!v) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    auto u = v->get_uint64();
    return u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ? std::numeric_limits<std::int64_t>::max()
                                                                                   : static_cast<std::int64_t>(u);
  }
  if (v->is_double() && std::isfinite(v->get_double())) {
    double d = v->get_double();
    if (d >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
    if (d <= -9.2e18) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(d);
  }
  return fallback;
}

std::string string_arg(const json::object& args, std::string_view key, std::string fallback) {
  const json::value* v = args.if_contains(key);
  if (v && v->is_string()) return std::string(v->get_string());
  return fallback;
}

}  // namespace alertbot::investigators::tools
