#include "net/json_fields.hpp"

#include <boost/json.hpp>

namespace alertbot {

std::string json_string(const boost::json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

std::int64_t json_int(const boost::json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key)) {
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(v->get_uint64());
  }
  return 0;
}

bool json_bool(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

Result<boost::json::object> parse_json_object(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return fail(Errc::ParseError, std::string(what) + ": not JSON (" + ec.message() + ")");
  if (!v.is_object()) return fail(Errc::ParseError, std::string(what) + ": not a JSON object");
  return std::move(v.as_object());
}

}  // namespace alertbot
