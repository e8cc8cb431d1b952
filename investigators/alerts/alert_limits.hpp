// Caps and string helpers shared by the alert parsers. Payloads are untrusted: every string kept
// in an Alert goes through capped() or put_entry(), which cut on a UTF-8 boundary and leave a
// warning, so a hostile sender cannot make one alert cost more than a few megabytes. Pure
// functions; no state.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/alert.hpp"

namespace alertbot::investigators::alerts {

inline constexpr std::size_t kMaxAlertsPerPayload = 1000;
inline constexpr std::size_t kMaxEntries = 128;       // labels, and annotations, per alert
inline constexpr std::size_t kMaxKeyBytes = 256;      // a longer label or annotation name is dropped
inline constexpr std::size_t kMaxValueBytes = 8192;   // a longer value is cut
inline constexpr std::size_t kMaxWarnings = 50;       // then one "more warnings dropped" line
inline constexpr std::size_t kMaxBodyBytes = 32u << 20;

// The longest prefix of `s` of at most `max` bytes that does not split a UTF-8 sequence.
std::string_view cut_utf8(std::string_view s, std::size_t max);
// `s` with each invalid UTF-8 byte replaced by U+FFFD. Linear.
std::string sanitize_utf8(std::string_view s);
bool is_valid_utf8(std::string_view s);

// Adds a warning, keeping at most kMaxWarnings (then a single note that more were dropped).
void warn(std::vector<std::string>& warnings, const std::string& message);

// `value` cut to kMaxValueBytes; warns "<path>: value of N bytes cut to 8192" when cut.
std::string capped(std::string_view value, std::string_view path, std::vector<std::string>& warnings);

// Tracks one label or annotation map while it is filled, so the caps warn once per map.
class EntryCaps {
 public:
  explicit EntryCaps(std::string path) : path_(std::move(path)) {}
  // Inserts (or overwrites) key=value within the caps. Returns false when the entry was dropped.
  bool put(std::map<std::string, std::string>& m, std::string_view key, std::string_view value,
           std::vector<std::string>& warnings);
  // Call once when done: warns about dropped entries.
  void finish(std::vector<std::string>& warnings) const;

 private:
  std::string path_;
  std::size_t over_count_ = 0;
  std::size_t long_keys_ = 0;
};

// FNV-1a, 64 bits, as 16 hex digits: stable across builds, unlike std::hash (it is stored).
std::string fnv1a_hex(std::string_view s);
// A fingerprint of name + sorted labels, for formats that do not send one.
std::string label_fingerprint(std::string_view name, const std::map<std::string, std::string>& labels);

std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
// "a.b" for identifier-like keys, else a["quoted, cut to 64 bytes"] (error paths carry untrusted keys).
std::string path_key(std::string_view base, std::string_view key);
std::string path_index(std::string_view base, std::size_t i);

// The first non-empty annotation among `keys`, or "".
std::string first_annotation(const Alert& a, std::initializer_list<const char*> keys);
// Fills runbook and dashboard links from the usual annotations when not already set.
void links_from_annotations(Alert& a);

}  // namespace alertbot::investigators::alerts
