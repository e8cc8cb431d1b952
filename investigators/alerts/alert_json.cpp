#include "investigators/alerts/alert_json.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "investigators/alerts/alert_limits.hpp"

namespace alertbot::investigators::alerts {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDepth = 64;

// One open container while json_path_at() scans.
struct Frame {
  bool object = false;
  bool expecting_key = true;  // objects: the next string is a key
  std::string key;            // objects: the last complete key
  std::size_t index = 0;      // arrays: the element being read
};

std::string render_path(const std::vector<Frame>& stack) {
  std::string path;
  for (const auto& f : stack) {
    if (f.object && !f.key.empty()) path = path_key(path, f.key);
    else if (!f.object) path = path_index(path, f.index);
  }
  return path.empty() ? "body" : path;
}

std::string location(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line, column = 1;
    else ++column;
  }
  return "at byte " + std::to_string(offset) + " of " + std::to_string(text.size()) + " (line " +
         std::to_string(line) + ", column " + std::to_string(column) + ")";
}

}  // namespace

std::string json_path_at(std::string_view text, std::size_t offset) {
  std::vector<Frame> stack;
  std::size_t depth = 0;  // may exceed stack.size() when the nesting is hostile
  bool in_string = false;
  bool collecting = false;
  std::string buf;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        if (collecting && buf.size() < 80) buf += c;
        if (i + 1 < text.size() && collecting && buf.size() < 80) buf += text[i + 1];
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (collecting) stack.back().key = buf;
      } else if (collecting && buf.size() < 80) {
        buf += c;
      }
      continue;
    }
    bool top = depth > 0 && depth == stack.size();
    switch (c) {
      case '"':
        in_string = true;
        collecting = top && stack.back().object && stack.back().expecting_key;
        buf.clear();
        break;
      case '{':
      case '[':
        if (depth++ < kMaxDepth) stack.push_back(Frame{c == '{', true, {}, 0});
        break;
      case '}':
      case ']':
        if (depth > 0 && depth-- == stack.size()) stack.pop_back();
        break;
      case ':':
        if (top && stack.back().object) stack.back().expecting_key = false;
        break;
      case ',':
        if (top && stack.back().object) stack.back().expecting_key = true, stack.back().key.clear();
        else if (top) ++stack.back().index;
        break;
      default:
        break;
    }
  }
  return render_path(stack);
}

Result<json::value> parse_json_payload(std::string_view body, std::string_view format) {
  json::parse_options opts;
  opts.max_depth = kMaxDepth;
  json::parser p({}, opts);
  boost::system::error_code ec;
  std::size_t n = p.write_some(body.data(), body.size(), ec);
  if (ec) {
    bool at_end = ec == json::error::incomplete || n >= body.size();
    std::string why = at_end ? "the JSON ends early"
                      : ec == json::error::too_deep ? "JSON nested deeper than 64 levels"
                                                    : "not valid JSON (" + ec.message() + ")";
    if (ec == json::error::syntax && !is_valid_utf8(body.substr(n, 4))) why = "not valid JSON (invalid UTF-8)";
    return fail(Errc::ParseError,
                std::string(format) + ": " + json_path_at(body, n) + ": " + why + " " + location(body, n));
  }
  std::size_t rest = n;
  while (rest < body.size() && std::isspace(static_cast<unsigned char>(body[rest]))) ++rest;
  if (rest != body.size()) {
    return fail(Errc::ParseError, std::string(format) + ": body: extra data after the JSON value " + location(body, rest));
  }
  return p.release();
}

Error field_error(std::string_view format, std::string_view path, std::string_view reason) {
  return fail(Errc::ParseError, std::string(format) + ": " + std::string(path.empty() ? "body" : path) + ": " +
                                    std::string(reason));
}

std::string describe_value(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number (" + scalar_text(v) + ")";
    case json::kind::string: {
      std::string_view s = v.get_string();
      std::string cut(cut_utf8(s, 40));
      return "\"" + cut + (cut.size() < s.size() ? "...\"" : "\"");
    }
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

std::string scalar_text(const json::value& v) {
  char buf[40];
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    std::snprintf(buf, sizeof buf, "%.15g", v.get_double());
    return buf;
  }
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return {};
}

std::string Fields::at(std::string_view key) const { return path_key(path_, key); }

Error Fields::error(std::string_view key, std::string_view reason) const {
  return field_error(format_, at(key), reason);
}

const json::value* Fields::value(std::string_view key) const {
  auto* v = obj_.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

Result<std::string_view> Fields::string(std::string_view key) const {
  auto* v = value(key);
  if (!v) return std::string_view{};
  if (!v->is_string()) return error(key, "expected a string, got " + describe_value(*v));
  return std::string_view(v->get_string());
}

Result<std::string_view> Fields::required_string(std::string_view key) const {
  auto s = string(key);
  if (s && trim(*s).empty()) return error(key, value(key) ? "must not be empty" : "missing");
  return s;
}

Result<std::string> Fields::scalar(std::string_view key) const {
  auto* v = value(key);
  if (!v) return std::string();
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_object() || v->is_array()) return error(key, "expected a string or number, got " + describe_value(*v));
  return scalar_text(*v);
}

Result<std::optional<std::int64_t>> Fields::integer(std::string_view key) const {
  auto* v = value(key);
  if (!v) return std::optional<std::int64_t>();
  if (v->is_int64()) return std::optional<std::int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_uint64()));
  }
  if (v->is_double() && std::nearbyint(v->get_double()) == v->get_double() && std::fabs(v->get_double()) < 9e15) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_double()));
  }
  if (v->is_string()) {
    std::string_view s = v->get_string();
    std::int64_t n = 0;
    bool ok = !s.empty() && s.size() <= 18;
    for (std::size_t i = 0; ok && i < s.size(); ++i) {
      ok = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
      n = n * 10 + (s[i] - '0');
    }
    if (ok) return std::optional<std::int64_t>(n);
  }
  return error(key, "expected an integer, got " + describe_value(*v));
}

Result<const json::object*> Fields::object(std::string_view key) const {
  auto* v = value(key);
  if (!v) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return error(key, "expected an object, got " + describe_value(*v));
  return &v->get_object();
}

Result<const json::array*> Fields::array(std::string_view key) const {
  auto* v = value(key);
  if (!v) return static_cast<const json::array*>(nullptr);
  if (!v->is_array()) return error(key, "expected an array, got " + describe_value(*v));
  return &v->get_array();
}

Result<void> Fields::string_map(std::string_view key, std::map<std::string, std::string>& out, bool strict,
                                std::vector<std::string>& warnings) const {
  auto m = object(key);
  if (!m) return m.error();
  if (!*m) return {};
  std::string path = at(key);
  EntryCaps caps(path);
  for (const auto& [k, v] : **m) {
    if (v.is_null()) continue;
    if (v.is_string()) {
      caps.put(out, k, v.get_string(), warnings);
    } else if (!strict && !v.is_object() && !v.is_array()) {
      caps.put(out, k, scalar_text(v), warnings);
    } else {
      return field_error(format_, path_key(path, k),
                         std::string(strict ? "expected a string" : "expected a string or number") + ", got " +
                             describe_value(v));
    }
  }
  caps.finish(warnings);
  return {};
}

}  // namespace alertbot::investigators::alerts
