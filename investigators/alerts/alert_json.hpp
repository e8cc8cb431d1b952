// Reading untrusted alert JSON with errors that say where: parse_json_payload() reports the field
// path and byte offset of a syntax error or a cut-off body, and Fields reads one object's members,
// naming "<format>: <path>.<key>: <reason>" on a wrong type. Absent and null members read as empty
// (every format adds fields over time, and senders leave optional ones out). No exceptions escape.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"

namespace alertbot::investigators::alerts {

// `body` as one JSON value (nesting up to 64 levels). Errors: ParseError
// "<format>: <path>: <reason> at byte N of M (line L, column C)", e.g.
// "alertmanager: alerts[1].labels: the JSON ends early at byte 812 of 812 (line 1, column 813)".
Result<boost::json::value> parse_json_payload(std::string_view body, std::string_view format);

// The field path of the byte at `offset` in JSON `text` ("alerts[1].labels.pod"; "body" at the
// top level). Linear; meant for error messages on text that failed to parse.
std::string json_path_at(std::string_view text, std::size_t offset);

// ParseError "<format>: <path>: <reason>".
Error field_error(std::string_view format, std::string_view path, std::string_view reason);
// For error messages: `"abc"` (cut to 40 bytes), `a number (3)`, `an object`, `null`, ...
std::string describe_value(const boost::json::value& v);
// A number or bool as text ("2.31", "12", "true"); "" for other types.
std::string scalar_text(const boost::json::value& v);

// Typed reads of one object's members. `path` is the object's own path ("" for the top level).
class Fields {
 public:
  Fields(const boost::json::object& obj, std::string_view format, std::string path)
      : obj_(obj), format_(format), path_(std::move(path)) {}

  // The string member, or "" when absent or null. Errors: any other type.
  Result<std::string_view> string(std::string_view key) const;
  // Like string(), but absent, null or "" is an error ("missing").
  Result<std::string_view> required_string(std::string_view key) const;
  // A string, number or bool member as text ("" when absent or null). Errors: object or array.
  Result<std::string> scalar(std::string_view key) const;
  // An integer member (or a string of digits), nullopt when absent or null.
  Result<std::optional<std::int64_t>> integer(std::string_view key) const;
  // The object or array member, nullptr when absent or null. Errors: any other type.
  Result<const boost::json::object*> object(std::string_view key) const;
  Result<const boost::json::array*> array(std::string_view key) const;
  // The raw member, nullptr when absent or null.
  const boost::json::value* value(std::string_view key) const;

  // Reads a string -> string map into `out` within the caps of alert_limits.hpp. With `strict`
  // every value must be a string; otherwise numbers and bools are kept as text. Null values are
  // skipped. Errors: the member is not an object, or (strict) a value is not a string.
  Result<void> string_map(std::string_view key, std::map<std::string, std::string>& out, bool strict,
                          std::vector<std::string>& warnings) const;

  const boost::json::object& obj() const { return obj_; }
  std::string_view format() const { return format_; }
  const std::string& path() const { return path_; }
  std::string at(std::string_view key) const;
  Error error(std::string_view key, std::string_view reason) const;

 private:
  const boost::json::object& obj_;
  std::string_view format_;
  std::string path_;
};

}  // namespace alertbot::investigators::alerts
