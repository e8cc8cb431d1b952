// Internal to bot/config*.cpp: the machinery that turns YAML nodes into settings fields.
// MapReader reads one YAML map: each accessor names an allowed key, substitutes ${VAR} in the
// value, converts and range-checks it, and stores it; finish() rejects the keys nobody asked for.
// Every problem throws ConfigError with the file, the 1-based line, the key path and the reason.
// Not thread-safe; a reader lives for one load_config() call.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bot/config.hpp"
#include "net/result.hpp"

namespace alertbot::bot::config_detail {

// Where the YAML came from: the name used in messages and the folder that relative `*_file`
// paths are resolved against ("" = the working directory).
// `literal_secrets`, when set, is where secret() notes secrets written in the file itself.
struct Source {
  std::string name;
  std::string dir;
  std::vector<LiteralSecret>* literal_secrets = nullptr;
};

// Which part of a secret value is the secret: all of it, or the password of a URL (store.url).
enum class SecretPart { Whole, UrlPassword };

// One spelling of an enum value in the config.
template <class E>
struct Choice {
  std::string_view name;
  E value;
};

// The whole file, at most `max_bytes`. Errors (message = the OS reason): NotFound (cannot open),
// InvalidArgument (cannot read, e.g. a directory), TooLarge.
Result<std::string> read_text_file(const std::string& path, std::size_t max_bytes);

// The 1-based line of a mark, 0 when yaml-cpp has none.
int line_of(const YAML::Mark& mark);

// "${VAR}" -> getenv or an error, "${VAR:-default}" -> default when VAR is unset or empty,
// "$$" -> "$"; any other '$' is kept. Errors: InvalidArgument (bad syntax), NotFound (unset).
Result<std::string> expand_env(std::string_view text);
// What of `text` the file itself spells out: `text` with every ${VAR} removed and every
// ${VAR:-default} replaced by its default (as if no variable were set). "" when all of it comes
// from the environment. Requires: `text` passed expand_env's syntax checks.
std::string written_part(std::string_view text);

// The password of a URL's userinfo ("postgresql://u:PASS@h/db"), or "" when it has none.
std::string_view url_password(std::string_view url);
// The URL with the password part of its userinfo replaced by "***".
std::string mask_url_password(std::string_view url);
// The shortest spelling that reads back as the same double ("2", "0.1").
std::string format_number(double value);
// A header whose name says it carries credentials (authorization, cookie, *key*, *token*, ...).
bool is_sensitive_header(std::string_view name);

class MapReader {
 public:
  // Throws "expected a map, got ..." unless node is a map or null (null reads as an empty map).
  // `line` (the line of the map's key, or of its list item) is where errors about the map as a
  // whole and about missing keys point.
  MapReader(const Source& source, const YAML::Node& node, std::string path, int line);

  const std::string& path() const { return path_; }
  int line() const { return line_; }
  std::string key_path(std::string_view key) const;
  bool has(std::string_view key) const;

  // Each leaves `out` unchanged when the key is absent. A null value reads as "" for strings
  // and is an error for the other types.
  void string(std::string_view key, std::string& out);
  // `key` or `key_file` (the file's contents, trailing whitespace removed); both -> error.
  // A `key` whose `part` the file spells out (not ${VAR}) is noted in Source::literal_secrets.
  void secret(std::string_view key, std::string& out, SecretPart part = SecretPart::Whole);
  void integer(std::string_view key, int& out, int min, int max);
  void number(std::string_view key, double& out, double min, double max);
  void boolean(std::string_view key, bool& out);
  void duration(std::string_view key, std::chrono::milliseconds& out);
  template <class E>
  void choice(std::string_view key, E& out, std::span<const Choice<E>> choices);
  void string_map(std::string_view key, std::map<std::string, std::string>& out);
  void string_list(std::string_view key, std::vector<std::string>& out);
  // A nested map; nullopt when the key is absent.
  std::optional<MapReader> map(std::string_view key);
  // A list of maps ("services[0]", ...); empty when the key is absent or null.
  std::vector<MapReader> map_list(std::string_view key);

  // Throws for the first key (in file order) that no accessor asked for.
  void finish() const;

  // Errors about one key: at the key's line when present, else at this map's line.
  [[noreturn]] void fail(std::string_view key, std::string reason) const;
  // "missing required key", at this map's line.
  [[noreturn]] void fail_missing(std::string_view key) const;
  // A problem with the map as a whole, at its line ("services[0].traces: needs jaeger or tempo").
  [[noreturn]] void fail_here(std::string reason) const;

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    int line;  // the key's line
  };
  const Entry* find(std::string_view key);  // also records the key as allowed
  // Notes `e` in source_->literal_secrets when the file spells out its secret `part`.
  void note_literal(const Entry& e, SecretPart part);
  // The entry's scalar after substitution. A null value is "" when `null_is_empty`, else an
  // error like any other non-scalar ("expected <expected>, got an empty value").
  std::string scalar(const Entry& e, std::string_view expected, bool null_is_empty = false);

  const Source* source_;
  std::string path_;
  int line_;
  std::vector<Entry> entries_;
  std::vector<std::string> allowed_;  // keys asked for, in the order asked
};

template <class E>
void MapReader::choice(std::string_view key, E& out, std::span<const Choice<E>> choices) {
  const Entry* e = find(key);
  if (!e) return;
  std::string expected = "one of: ";
  for (const auto& c : choices) expected += std::string(c.name) + (&c == &choices.back() ? "" : ", ");
  const std::string got = scalar(*e, expected);
  for (const auto& c : choices) {
    if (c.name == got) {
      out = c.value;
      return;
    }
  }
  fail(key, "expected " + expected + "; got '" + got + "'");
}

// The spelling of `value` in `choices` ("" when it has none).
template <class E>
std::string_view name_of(std::span<const Choice<E>> choices, E value) {
  for (const auto& c : choices) {
    if (c.value == value) return c.name;
  }
  return {};
}

}  // namespace alertbot::bot::config_detail
