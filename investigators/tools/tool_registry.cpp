#include "investigators/tools/tool_registry.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdio>
#include <exception>
#include <optional>

#include "investigators/tools/tool_json.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(c >= 'a' && c <= 'z') && c != '_') return false;
  }
  return true;
}

std::string number_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// The value as a double when it is a JSON number.
std::optional<double> number_of(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

bool is_integer(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.get_double()) && std::floor(v.get_double()) == v.get_double();
}

// Code points in valid UTF-8 (continuation bytes are not counted).
std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string bad(std::string_view name, std::string_view rule) {
  return "argument " + std::string(name) + ": " + std::string(rule);
}

Result<void> check_type(std::string_view name, std::string_view type, const json::value& v) {
  bool ok = true;
  if (type == "string") ok = v.is_string();
  else if (type == "integer") ok = is_integer(v);
  else if (type == "number") ok = number_of(v).has_value();
  else if (type == "boolean") ok = v.is_bool();
  else if (type == "object") ok = v.is_object();
  else if (type == "array") ok = v.is_array();
  if (ok) return {};
  std::string article = type == "integer" || type == "object" || type == "array" ? "an " : "a ";
  return fail(Errc::InvalidArgument, bad(name, "must be " + article + std::string(type)));
}

Result<void> check_enum(std::string_view name, const json::array& allowed, const json::value& v) {
  std::string list;
  for (const auto& a : allowed) {
    if (a == v) return {};
    if (!list.empty()) list += ", ";
    list += json::serialize(a);
  }
  return fail(Errc::InvalidArgument, bad(name, "must be one of " + list));
}

Result<void> check_bounds(std::string_view name, const json::object& rules, const json::value& v) {
  if (auto x = number_of(v)) {
    if (auto* p = rules.if_contains("minimum"); p && number_of(*p) && *x < *number_of(*p)) {
      return fail(Errc::InvalidArgument, bad(name, "must be at least " + number_text(*number_of(*p))));
    }
    if (auto* p = rules.if_contains("maximum"); p && number_of(*p) && *x > *number_of(*p)) {
      return fail(Errc::InvalidArgument, bad(name, "must be at most " + number_text(*number_of(*p))));
    }
  }
  if (v.is_string()) {
    std::size_t n = code_points(v.get_string());
    if (auto* p = rules.if_contains("minLength"); p && number_of(*p) && static_cast<double>(n) < *number_of(*p)) {
      return fail(Errc::InvalidArgument, bad(name, "must be at least " + number_text(*number_of(*p)) + " characters long"));
    }
    if (auto* p = rules.if_contains("maxLength"); p && number_of(*p) && static_cast<double>(n) > *number_of(*p)) {
      return fail(Errc::InvalidArgument, bad(name, "must be at most " + number_text(*number_of(*p)) + " characters long"));
    }
  }
  return {};
}

Result<void> check_one(std::string_view name, const json::object& rules, const json::value& v) {
  if (auto* t = rules.if_contains("type"); t && t->is_string()) {
    if (auto r = check_type(name, t->get_string(), v); !r) return r;
  }
  if (auto* e = rules.if_contains("enum"); e && e->is_array()) {
    if (auto r = check_enum(name, e->get_array(), v); !r) return r;
  }
  return check_bounds(name, rules, v);
}

// Bytes `c` takes inside a JSON string as serialized: quote and backslash escaped, control
// characters as \n-style or \u00XX escapes, everything else (UTF-8 included) as is.
std::size_t quoted_size(unsigned char c) {
  if (c == '"' || c == '\\') return 2;
  if (c >= 0x20) return 1;
  return c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ? 2 : 6;
}

// `{"truncated":true,"note":...,"text":<the start of `answer`>}` within `limit` bytes.
std::string cut_answer(const std::string& answer, std::size_t limit) {
  std::string note = "the answer had " + std::to_string(answer.size()) + " bytes and was cut to fit " +
                     std::to_string(limit) + "; ask for less (a shorter window or a narrower query)";
  json::object wrapper;
  wrapper["truncated"] = true;
  wrapper["note"] = note;
  wrapper["text"] = "";
  const std::size_t overhead = json::serialize(wrapper).size();
  const std::size_t budget = limit > overhead ? limit - overhead : 0;
  // Valid UTF-8 first, then whole characters while their quoted form fits.
  std::string text = tools::clip(answer, answer.size() * 3, "");
  std::size_t used = 0, end = 0;
  while (end < text.size()) {
    auto lead = static_cast<unsigned char>(text[end]);
    std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    std::size_t cost = n == 1 ? quoted_size(lead) : n;
    if (used + cost > budget) break;
    used += cost;
    end += n;
  }
  text.resize(end);
  wrapper["text"] = text;
  return json::serialize(wrapper);
}

}  // namespace

Result<void> ToolRegistry::add(ToolInfo info, ToolHandler handler) {
  if (!valid_name(info.name)) {
    return fail(Errc::InvalidArgument, "tool name \"" + tools::clip(info.name, 80) + "\" must be 1-64 of [a-z_]");
  }
  if (has(info.name)) return fail(Errc::Conflict, "tool " + info.name + " is already registered");
  if (!handler) return fail(Errc::InvalidArgument, "tool " + info.name + ": no handler");
  boost::system::error_code ec;
  json::value schema = json::parse(info.input_schema_json, ec);
  if (ec || !schema.is_object()) return fail(Errc::InvalidArgument, "tool " + info.name + ": input schema is not a JSON object");
  schemas_.push_back(std::move(schema.get_object()));
  handlers_.push_back(std::move(handler));
  infos_.push_back(std::move(info));
  return {};
}

bool ToolRegistry::has(std::string_view name) const {
  for (const auto& i : infos_) {
    if (i.name == name) return true;
  }
  return false;
}

awaitable<Result<std::string>> ToolRegistry::call(std::string_view name, std::string_view arguments_json) const {
  std::size_t index = infos_.size();
  for (std::size_t i = 0; i < infos_.size(); ++i) {
    if (infos_[i].name == name) index = i;
  }
  if (index == infos_.size()) co_return fail(Errc::NotFound, "no tool named \"" + tools::clip(name, 80) + "\"");
  const std::string& tool = infos_[index].name;
  json::object args;
  if (!arguments_json.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(arguments_json, ec);
    if (ec) co_return fail(Errc::InvalidArgument, tool + ": arguments are not JSON (" + ec.message() + ")");
    if (!parsed.is_object()) co_return fail(Errc::InvalidArgument, tool + ": arguments must be a JSON object");
    args = std::move(parsed.get_object());
  }
  if (auto ok = check_arguments(schemas_[index], args); !ok) {
    co_return fail(Errc::InvalidArgument, tool + ": " + ok.error().message);
  }
  Result<std::string> answer = fail(Errc::Internal, tool + ": no answer");
  try {
    answer = co_await handlers_[index](std::move(args));
  } catch (const std::exception& e) {
    answer = fail(Errc::Internal, tool + ": failed unexpectedly: " + tools::clip(e.what(), 300));
  } catch (...) {
    answer = fail(Errc::Internal, tool + ": failed unexpectedly");
  }
  if (answer && answer->size() > kMaxToolResultBytes) answer = cut_answer(*answer, kMaxToolResultBytes);
  co_return answer;
}

Result<void> check_arguments(const json::object& schema, const json::object& args) {
  static const json::object kNoProperties;
  const json::object* props = &kNoProperties;
  if (auto* p = schema.if_contains("properties"); p && p->is_object()) props = &p->get_object();
  if (auto* req = schema.if_contains("required"); req && req->is_array()) {
    for (const auto& r : req->get_array()) {
      if (r.is_string() && !args.contains(r.get_string())) {
        return fail(Errc::InvalidArgument, bad(r.get_string(), "required"));
      }
    }
  }
  bool closed = false;
  if (auto* ap = schema.if_contains("additionalProperties"); ap && ap->is_bool()) closed = !ap->get_bool();
  for (const auto& [key, value] : args) {
    auto* rules = props->if_contains(key);
    if (!rules) {
      if (closed) return fail(Errc::InvalidArgument, bad(tools::clip(key, 64), "not allowed"));
      continue;
    }
    if (!rules->is_object()) continue;
    if (auto r = check_one(key, rules->get_object(), value); !r) return r;
  }
  return {};
}

}  // namespace alertbot::investigators
