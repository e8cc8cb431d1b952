#include "llm/partial_json.hpp"

#include <cstdint>

#include "net/encoding.hpp"

namespace alertbot::llm {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at s[i..i+4) or -1.
long hex4(std::string_view s, std::size_t i) {
  if (i + 4 > s.size()) return -1;
  long v = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    int d = hex_digit(s[i + k]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Decodes the string starting after its opening quote at `i`, up to its closing quote or as far
// as complete.
std::string decode_from(std::string_view s, std::size_t i) {
  std::string out;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') break;
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) break;
    char e = s[i + 1];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case '/': out += '/'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'u': {
        long hi = hex4(s, i + 2);
        if (hi < 0) return out;
        if (hi >= 0xD800 && hi <= 0xDBFF) {
          if (i + 8 > s.size()) return out;  // the low half has not arrived
          long lo = s[i + 6] == '\\' && s[i + 7] == 'u' ? hex4(s, i + 8) : -1;
          if (lo < 0 && i + 12 > s.size()) return out;
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            append_utf8(out, 0x10000 + ((static_cast<std::uint32_t>(hi) - 0xD800) << 10) + (static_cast<std::uint32_t>(lo) - 0xDC00));
            i += 12;
            continue;
          }
          append_utf8(out, 0xFFFD);
          i += 6;
          continue;
        }
        append_utf8(out, (hi >= 0xDC00 && hi <= 0xDFFF) ? 0xFFFD : static_cast<std::uint32_t>(hi));
        i += 6;
        continue;
      }
      default: out += e; break;
    }
    i += 2;
  }
  return out;
}

// `s` without a multi-byte UTF-8 sequence cut at its end (the rest of it has not arrived).
std::string drop_unfinished_utf8(std::string s) {
  std::size_t n = s.size(), back = 0;
  while (back < 4 && back < n && (static_cast<unsigned char>(s[n - 1 - back]) & 0xC0) == 0x80) ++back;
  if (back == n) return s;
  const auto lead = static_cast<unsigned char>(s[n - 1 - back]);
  std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (lead >= 0xC0 && back + 1 < need) s.resize(n - 1 - back);
  return s;
}

}  // namespace

std::string partial_string_member(std::string_view prefix, std::string_view key) {
  const std::string_view s = prefix;
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  };
  skip_ws();
  if (i >= s.size() || s[i] != '{') return {};
  ++i;
  int depth = 1;
  bool expect_key = true;  // at depth 1: the next string is a member name
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      std::size_t start = ++i;
      while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
      if (i >= s.size()) return {};
      std::string_view text = s.substr(start, i - start);
      ++i;
      if (depth == 1 && expect_key) {
        expect_key = false;
        skip_ws();
        if (i >= s.size() || s[i] != ':') return {};
        ++i;
        skip_ws();
        if (text == key) {
          if (i >= s.size() || s[i] != '"') return {};
          return drop_unfinished_utf8(decode_from(s, i + 1));
        }
      }
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return {};
    } else if (c == ',' && depth == 1) {
      expect_key = true;
    }
    ++i;
  }
  return {};
}

}  // namespace alertbot::llm
