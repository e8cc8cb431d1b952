#include "investigators/alerts/alert_limits.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace alertbot::investigators::alerts {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  std::size_t len;
  std::uint32_t cp;
  if ((b & 0xE0) == 0xC0) len = 2, cp = b & 0x1F;
  else if ((b & 0xF0) == 0xE0) len = 3, cp = b & 0x0F;
  else if ((b & 0xF8) == 0xF0) len = 4, cp = b & 0x07;
  else return 0;
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

bool is_identifier(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  for (unsigned char c : key) {
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

std::string_view cut_utf8(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  // Back off over continuation bytes (10xxxxxx) to the start of the sequence that was split.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = utf8_sequence(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = utf8_sequence(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void warn(std::vector<std::string>& warnings, const std::string& message) {
  if (warnings.size() < kMaxWarnings) {
    warnings.emplace_back(cut_utf8(message, 400));
  } else if (warnings.size() == kMaxWarnings) {
    warnings.emplace_back("more warnings dropped");
  }
}

std::string capped(std::string_view value, std::string_view path, std::vector<std::string>& warnings) {
  if (value.size() <= kMaxValueBytes) return std::string(value);
  warn(warnings, std::string(path) + ": value of " + std::to_string(value.size()) + " bytes cut to " +
                     std::to_string(kMaxValueBytes));
  return std::string(cut_utf8(value, kMaxValueBytes));
}

bool EntryCaps::put(std::map<std::string, std::string>& m, std::string_view key, std::string_view value,
                    std::vector<std::string>& warnings) {
  if (key.size() > kMaxKeyBytes) {
    ++long_keys_;
    return false;
  }
  auto it = m.find(std::string(key));
  if (it == m.end() && m.size() >= kMaxEntries) {
    ++over_count_;
    return false;
  }
  std::string v = capped(value, path_key(path_, key), warnings);
  if (it == m.end()) m.emplace(std::string(key), std::move(v));
  else it->second = std::move(v);
  return true;
}

void EntryCaps::finish(std::vector<std::string>& warnings) const {
  if (over_count_ > 0) {
    warn(warnings, path_ + ": " + std::to_string(over_count_) + " entries over the cap of " +
                       std::to_string(kMaxEntries) + " dropped");
  }
  if (long_keys_ > 0) {
    warn(warnings, path_ + ": " + std::to_string(long_keys_) + " entries with names longer than " +
                       std::to_string(kMaxKeyBytes) + " bytes dropped");
  }
}

std::string fnv1a_hex(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string label_fingerprint(std::string_view name, const std::map<std::string, std::string>& labels) {
  std::string identity(name);
  for (const auto& [k, v] : labels) {
    identity += '\x1f';
    identity += k;
    identity += '\x1e';
    identity += v;
  }
  return fnv1a_hex(identity);
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string path_key(std::string_view base, std::string_view key) {
  if (is_identifier(key)) return base.empty() ? std::string(key) : std::string(base) + "." + std::string(key);
  std::string k(cut_utf8(key, 64));
  if (k.size() < key.size()) k += "...";
  return std::string(base) + "[\"" + k + "\"]";
}

std::string path_index(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

std::string first_annotation(const Alert& a, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = a.annotations.find(k);
    if (it != a.annotations.end() && !trim(it->second).empty()) return it->second;
  }
  return {};
}

void links_from_annotations(Alert& a) {
  if (a.links.runbook.empty()) a.links.runbook = first_annotation(a, {"runbook_url", "runbook"});
  if (a.links.dashboard.empty()) a.links.dashboard = first_annotation(a, {"dashboard", "dashboard_url", "grafana"});
}

}  // namespace alertbot::investigators::alerts
