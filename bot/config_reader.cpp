#include "bot/config_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "net/duration.hpp"

namespace alertbot::bot::config_detail {
namespace {

// Secret files hold a token or a password; anything bigger is the wrong file.
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "an empty value";
    case YAML::NodeType::Scalar:
      return "a string";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "nothing";
  }
}

bool is_var_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Levenshtein distance, for "did you mean" on unknown keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

Result<std::string> read_text_file(const std::string& path, std::size_t max_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return fail(Errc::NotFound, std::error_code(errno, std::generic_category()).message());
  std::string content(max_bytes + 1, '\0');
  const std::size_t n = std::fread(content.data(), 1, content.size(), f);
  const int read_errno = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (read_errno != 0) return fail(Errc::InvalidArgument, std::error_code(read_errno, std::generic_category()).message());
  if (n > max_bytes) return fail(Errc::TooLarge, "larger than " + std::to_string(max_bytes / 1024) + " KiB");
  content.resize(n);
  return content;
}

int line_of(const YAML::Mark& mark) { return mark.line >= 0 ? mark.line + 1 : 0; }

namespace {

// One pass over `text`'s substitution syntax: literal text (with $$ read as '$') is appended to the
// result, and each ${NAME} or ${NAME:-default} goes to `substitute(out, inner, name, fallback)`,
// which appends what stands for it (or fails). An unterminated '${' fails.
template <class Substitute>
Result<std::string> substitute_each(std::string_view text, Substitute substitute) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 >= text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      out += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return fail(Errc::InvalidArgument, "unterminated '${' (write $$ for a literal $)");
    }
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    const std::size_t sep = inner.find(":-");
    const std::optional<std::string_view> fallback =
        sep == std::string_view::npos ? std::nullopt : std::optional<std::string_view>(inner.substr(sep + 2));
    if (auto r = substitute(out, inner, inner.substr(0, sep), fallback); !r) return r.error();
    i = close + 1;
  }
  return out;
}

}  // namespace

Result<std::string> expand_env(std::string_view text) {
  return substitute_each(text, [](std::string& out, std::string_view inner, std::string_view var,
                                  std::optional<std::string_view> fallback) -> Result<void> {
    const std::string name(var);
    if (!is_var_name(name)) {
      return fail(Errc::InvalidArgument,
                  "bad substitution '${" + std::string(inner) + "}' (use ${VAR} or ${VAR:-default})");
    }
    const char* value = std::getenv(name.c_str());
    if (fallback) {
      out += (value && *value) ? std::string_view(value) : *fallback;
    } else if (value) {
      out += value;
    } else {
      return fail(Errc::NotFound, "environment variable " + name + " is not set");
    }
    return {};
  });
}

std::string written_part(std::string_view text) {
  auto written = substitute_each(text, [](std::string& out, std::string_view, std::string_view,
                                          std::optional<std::string_view> fallback) -> Result<void> {
    if (fallback) out += *fallback;  // a default is written in the file
    return {};
  });
  return written ? *written : std::string(text);  // not expected: expand_env checked the syntax
}

std::string_view url_password(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const std::string_view rest = url.substr(scheme + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  const std::string_view userinfo = authority.substr(0, at);
  const std::size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return {};
  return userinfo.substr(colon + 1);
}

std::string mask_url_password(std::string_view url) {
  const std::string_view password = url_password(url);
  if (password.empty()) return std::string(url);
  const std::size_t start = static_cast<std::size_t>(password.data() - url.data());
  return std::string(url.substr(0, start)) + "***" + std::string(url.substr(start + password.size()));
}

std::string format_number(double value) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

bool is_sensitive_header(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view word : {"auth", "key", "token", "secret", "cookie", "pass", "credential", "session"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

MapReader::MapReader(const Source& source, const YAML::Node& node, std::string path, int line)
    : source_(&source), path_(std::move(path)), line_(line) {
  if (node.IsNull() || !node.IsDefined()) return;
  if (!node.IsMap()) {
    if (path_.empty()) {
      throw ConfigError(source.name, line_, "", "expected a map of sections at the top level, got " + kind_of(node));
    }
    throw ConfigError(source.name, line_, path_, "expected a map, got " + kind_of(node));
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const int key_line = line_of(it->first.Mark());
    if (!it->first.IsScalar()) {
      throw ConfigError(source.name, key_line, path_, "keys must be plain strings, got " + kind_of(it->first));
    }
    Entry entry{it->first.Scalar(), it->second, key_line};
    for (const Entry& seen : entries_) {
      if (seen.key == entry.key) {
        throw ConfigError(source.name, key_line, key_path(entry.key),
                          "duplicate key (first set at line " + std::to_string(seen.line) + ")");
      }
    }
    entries_.push_back(std::move(entry));
  }
}

std::string MapReader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool MapReader::has(std::string_view key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
}

const MapReader::Entry* MapReader::find(std::string_view key) {
  if (std::find(allowed_.begin(), allowed_.end(), key) == allowed_.end()) allowed_.emplace_back(key);
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::string MapReader::scalar(const Entry& e, std::string_view expected, bool null_is_empty) {
  if (e.value.IsNull() && null_is_empty) return {};
  if (!e.value.IsScalar()) fail(e.key, "expected " + std::string(expected) + ", got " + kind_of(e.value));
  auto expanded = expand_env(e.value.Scalar());
  if (!expanded) fail(e.key, expanded.error().message);
  return std::move(*expanded);
}

void MapReader::string(std::string_view key, std::string& out) {
  if (const Entry* e = find(key)) out = scalar(*e, "a string", true);
}

void MapReader::secret(std::string_view key, std::string& out, SecretPart part) {
  const Entry* plain = find(key);
  const std::string file_key = std::string(key) + "_file";
  const Entry* file = find(file_key);
  if (plain && file) fail(file_key, "both " + std::string(key) + " and " + file_key + " are set; use one");
  if (plain) {
    out = scalar(*plain, "a string", true);
    if (source_->literal_secrets && plain->value.IsScalar()) note_literal(*plain, part);
    return;
  }
  if (!file) return;
  const std::string path = scalar(*file, "a file path");
  if (path.empty()) fail(file_key, "empty file path");
  std::filesystem::path full(path);
  if (full.is_relative() && !source_->dir.empty()) full = std::filesystem::path(source_->dir) / full;
  auto content = read_text_file(full.string(), kMaxSecretFileBytes);
  if (!content) fail(file_key, "cannot read " + full.string() + ": " + content.error().message);
  while (!content->empty() && std::isspace(static_cast<unsigned char>(content->back()))) content->pop_back();
  out = std::move(*content);
}

void MapReader::note_literal(const Entry& e, SecretPart part) {
  const std::string written = written_part(e.value.Scalar());
  const bool literal = part == SecretPart::UrlPassword ? !url_password(written).empty() : !written.empty();
  if (!literal) return;
  // SLACK_BOT_TOKEN for slack.bot_token: the key path in upper case.
  std::string var;
  for (char c : key_path(e.key)) {
    const bool word = std::isalnum(static_cast<unsigned char>(c));
    if (word) var += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    else if (!var.empty() && var.back() != '_') var += '_';
  }
  while (!var.empty() && var.back() == '_') var.pop_back();
  std::string fix;
  if (part == SecretPart::UrlPassword) {
    fix = "write the password as ${" + var + "_PASSWORD} inside the URL, or the whole URL as ${" + var + "} or " + e.key +
          "_file: <path>";
  } else {
    fix = "write " + e.key + ": ${" + var + "} or " + e.key + "_file: <path>";
  }
  source_->literal_secrets->push_back(LiteralSecret{key_path(e.key), e.line, std::move(fix)});
}

void MapReader::integer(std::string_view key, int& out, int min, int max) {
  const Entry* e = find(key);
  if (!e) return;
  const std::string text = scalar(*e, "an integer");
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string range = "must be between " + std::to_string(min) + " and " + std::to_string(max);
  if (ec == std::errc::result_out_of_range) fail(key, range + ", got " + text);
  if (ec != std::errc() || end != text.data() + text.size()) fail(key, "expected an integer, got '" + text + "'");
  if (value < min || value > max) fail(key, range + ", got " + text);
  out = static_cast<int>(value);
}

void MapReader::number(std::string_view key, double& out, double min, double max) {
  const Entry* e = find(key);
  if (!e) return;
  const std::string text = scalar(*e, "a number");
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    fail(key, "expected a number, got '" + text + "'");
  }
  if (value < min || value > max) {
    fail(key, "must be between " + format_number(min) + " and " + format_number(max) + ", got " + text);
  }
  out = value;
}

void MapReader::boolean(std::string_view key, bool& out) {
  const Entry* e = find(key);
  if (!e) return;
  const std::string text = scalar(*e, "true or false");
  if (text == "true" || text == "True" || text == "TRUE") {
    out = true;
  } else if (text == "false" || text == "False" || text == "FALSE") {
    out = false;
  } else {
    fail(key, "expected true or false, got '" + text + "'");
  }
}

void MapReader::duration(std::string_view key, std::chrono::milliseconds& out) {
  const Entry* e = find(key);
  if (!e) return;
  const std::string text = scalar(*e, "a duration");
  auto parsed = parse_duration(text);
  if (!parsed) fail(key, "expected a duration like 30s or 5m: " + parsed.error().message);
  out = *parsed;
}

void MapReader::string_map(std::string_view key, std::map<std::string, std::string>& out) {
  const Entry* e = find(key);
  if (!e) return;
  MapReader inner(*source_, e->value, key_path(key), e->line);
  std::map<std::string, std::string> result;
  for (const Entry& item : inner.entries_) result[item.key] = inner.scalar(item, "a string", true);
  out = std::move(result);
}

void MapReader::string_list(std::string_view key, std::vector<std::string>& out) {
  const Entry* e = find(key);
  if (!e) return;
  std::vector<std::string> result;
  if (!e->value.IsNull()) {
    if (!e->value.IsSequence()) fail(key, "expected a list, got " + kind_of(e->value));
    for (std::size_t i = 0; i < e->value.size(); ++i) {
      const YAML::Node item = e->value[i];
      const int line = item.IsNull() ? e->line : line_of(item.Mark());
      const std::string item_path = key_path(key) + "[" + std::to_string(i) + "]";
      if (!item.IsScalar()) throw ConfigError(source_->name, line, item_path, "expected a string, got " + kind_of(item));
      auto expanded = expand_env(item.Scalar());
      if (!expanded) throw ConfigError(source_->name, line, item_path, expanded.error().message);
      result.push_back(std::move(*expanded));
    }
  }
  out = std::move(result);
}

std::optional<MapReader> MapReader::map(std::string_view key) {
  const Entry* e = find(key);
  if (!e) return std::nullopt;
  return MapReader(*source_, e->value, key_path(key), e->line);
}

std::vector<MapReader> MapReader::map_list(std::string_view key) {
  const Entry* e = find(key);
  std::vector<MapReader> items;
  if (!e || e->value.IsNull()) return items;
  if (!e->value.IsSequence()) fail(key, "expected a list, got " + kind_of(e->value));
  for (std::size_t i = 0; i < e->value.size(); ++i) {
    const YAML::Node item = e->value[i];
    const int line = item.IsNull() ? e->line : line_of(item.Mark());
    const std::string item_path = key_path(key) + "[" + std::to_string(i) + "]";
    if (!item.IsMap()) throw ConfigError(source_->name, line, item_path, "expected a map, got " + kind_of(item));
    items.emplace_back(*source_, item, item_path, line);
  }
  return items;
}

void MapReader::finish() const {
  for (const Entry& e : entries_) {
    if (std::find(allowed_.begin(), allowed_.end(), e.key) != allowed_.end()) continue;
    std::string expected;
    std::string_view suggestion;
    std::size_t best = 3;  // suggest only close spellings
    for (const std::string& a : allowed_) {
      expected += (expected.empty() ? "" : ", ") + a;
      if (const std::size_t d = edit_distance(e.key, a); d < best) {
        best = d;
        suggestion = a;
      }
    }
    std::string reason = "unknown key";
    if (!suggestion.empty()) reason += "; did you mean '" + std::string(suggestion) + "'?";
    throw ConfigError(source_->name, e.line, key_path(e.key), reason + " (expected one of: " + expected + ")");
  }
}

void MapReader::fail(std::string_view key, std::string reason) const {
  int line = line_;
  for (const Entry& e : entries_) {
    if (e.key == key) line = e.line;
  }
  throw ConfigError(source_->name, line, key_path(key), std::move(reason));
}

void MapReader::fail_missing(std::string_view key) const {
  throw ConfigError(source_->name, line_, key_path(key), "missing required key");
}

void MapReader::fail_here(std::string reason) const {
  throw ConfigError(source_->name, line_, path_, std::move(reason));
}

}  // namespace alertbot::bot::config_detail
