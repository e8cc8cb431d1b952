#include "investigators/sources/pyroscope_parse.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

namespace alertbot::investigators {
namespace {

namespace json = boost::json;

// Largest tick count accepted: offsets and totals stay exact in a double.
constexpr std::uint64_t kMaxTicks = std::uint64_t(1) << 53;

struct Node {
  std::uint64_t x = 0;
  std::uint64_t total = 0;
  std::uint64_t self = 0;
  std::size_t name = 0;
  std::size_t parent = 0;  // index in the previous level
};

std::string describe(const json::value& v) {
  std::string s = json::serialize(v);
  return s.size() > 40 ? s.substr(0, 40) + "..." : s;
}

std::optional<std::uint64_t> tick(const json::value& v) {
  if (v.is_uint64() && v.get_uint64() <= kMaxTicks) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0 && static_cast<std::uint64_t>(v.get_int64()) <= kMaxTicks) {
    return static_cast<std::uint64_t>(v.get_int64());
  }
  if (v.is_double() && v.get_double() >= 0 && v.get_double() <= static_cast<double>(kMaxTicks) &&
      std::floor(v.get_double()) == v.get_double()) {
    return static_cast<std::uint64_t>(v.get_double());
  }
  return std::nullopt;
}

std::string frame_name(std::string_view s) {
  std::string out(s.substr(0, kMaxFrameName));
  for (char& c : out) {
    if (c == ';') c = ',';  // ';' separates frames in folded stacks
    else if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

Result<std::vector<std::string>> read_names(const json::object& fb) {
  auto* names = fb.if_contains("names");
  if (!names || !names->is_array()) return fail(Errc::ParseError, "pyroscope: flamebearer.names: missing or not an array");
  std::vector<std::string> out;
  out.reserve(names->as_array().size());
  for (std::size_t i = 0; i < names->as_array().size(); ++i) {
    const auto& n = names->as_array()[i];
    if (!n.is_string()) {
      return fail(Errc::ParseError, "pyroscope: flamebearer.names[" + std::to_string(i) + "]: expected a string, got " + describe(n));
    }
    out.push_back(frame_name(n.get_string()));
  }
  return out;
}

// Decodes one level; each node's parent is the node of `above` whose span contains it.
Result<std::vector<Node>> read_level(const json::value& v, std::size_t li, const std::vector<Node>* above,
                                     std::size_t names, std::size_t& nodes_seen) {
  std::string field = "pyroscope: flamebearer.levels[" + std::to_string(li) + "]";
  if (!v.is_array()) return fail(Errc::ParseError, field + ": expected an array, got " + describe(v));
  const auto& a = v.as_array();
  if (a.size() % 4 != 0) return fail(Errc::ParseError, field + ": length " + std::to_string(a.size()) + " is not a multiple of 4");
  nodes_seen += a.size() / 4;
  if (nodes_seen > kMaxProfileNodes) return fail(Errc::TooLarge, "pyroscope: flamebearer has more than " + std::to_string(kMaxProfileNodes) + " nodes");
  std::vector<Node> out;
  std::uint64_t end = 0;  // end of the previous node: offsets are relative to it
  std::size_t p = 0;
  for (std::size_t j = 0; j < a.size(); j += 4) {
    std::uint64_t q[4];
    for (std::size_t k = 0; k < 4; ++k) {
      auto t = tick(a[j + k]);
      if (!t) return fail(Errc::ParseError, field + "[" + std::to_string(j + k) + "]: expected a non-negative integer, got " + describe(a[j + k]));
      q[k] = *t;
    }
    Node n{end + q[0], q[1], q[2], static_cast<std::size_t>(q[3]), 0};
    if (n.x > kMaxTicks || n.total > kMaxTicks - n.x) return fail(Errc::ParseError, field + ": offsets overflow");
    end = n.x + n.total;
    if (n.self > n.total) return fail(Errc::ParseError, field + "[" + std::to_string(j + 2) + "]: self exceeds total");
    if (q[3] >= names) return fail(Errc::ParseError, field + "[" + std::to_string(j + 3) + "]: name index " + std::to_string(q[3]) + " out of range");
    if (n.total == 0) continue;  // no weight: nothing to attribute
    if (above) {
      while (p < above->size() && (*above)[p].x + (*above)[p].total <= n.x) ++p;
      if (p == above->size() || (*above)[p].x > n.x || end > (*above)[p].x + (*above)[p].total) {
        return fail(Errc::ParseError, field + ": node at x=" + std::to_string(n.x) + " lies outside every node of the level above");
      }
      n.parent = p;
    }
    out.push_back(n);
  }
  return out;
}

}  // namespace

Result<FoldedStacks> parse_flamebearer(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return fail(Errc::ParseError, "pyroscope: answer is not JSON (" + ec.message() + ")");
  if (!root.is_object()) return fail(Errc::ParseError, "pyroscope: answer is not a JSON object");
  const json::object* fb = &root.as_object();
  if (auto* inner = fb->if_contains("flamebearer")) {
    if (!inner->is_object()) return fail(Errc::ParseError, "pyroscope: flamebearer: expected an object, got " + describe(*inner));
    if (auto* meta = fb->if_contains("metadata"); meta && meta->is_object()) {
      if (auto* f = meta->as_object().if_contains("format"); f && f->is_string() && f->get_string() != "single") {
        return fail(Errc::ParseError, "pyroscope: metadata.format: '" + std::string(f->get_string()) + "' is not supported (need \"single\")");
      }
    }
    fb = &inner->as_object();
  }
  auto names = read_names(*fb);
  if (!names) return names.error();
  auto* levels = fb->if_contains("levels");
  if (!levels || !levels->is_array()) return fail(Errc::ParseError, "pyroscope: flamebearer.levels: missing or not an array");
  const auto& lv = levels->as_array();
  if (lv.size() > kMaxProfileDepth) return fail(Errc::TooLarge, "pyroscope: flamebearer deeper than " + std::to_string(kMaxProfileDepth) + " levels");
  std::vector<std::vector<Node>> decoded;
  std::size_t nodes_seen = 0;
  for (std::size_t li = 0; li < lv.size(); ++li) {
    auto level = read_level(lv[li], li, li ? &decoded.back() : nullptr, names->size(), nodes_seen);
    if (!level) return level.error();
    decoded.push_back(std::move(*level));
  }
  FoldedStacks out;
  std::size_t bytes = 0;
  std::vector<std::size_t> path;
  for (std::size_t li = 0; li < decoded.size(); ++li) {
    for (std::size_t j = 0; j < decoded[li].size(); ++j) {
      if (decoded[li][j].self == 0) continue;
      path.clear();
      for (std::size_t l = li + 1, idx = j; l-- > 0;) {
        path.push_back(decoded[l][idx].name);
        idx = decoded[l][idx].parent;
      }
      std::string stack;
      for (std::size_t k = path.size(); k-- > 0;) {
        if (k + 1 == path.size() && decoded[0].size() == 1 && (*names)[path[k]] == "total") continue;  // the root
        stack += (stack.empty() ? "" : ";") + (*names)[path[k]];
      }
      if (stack.empty()) continue;
      bytes += stack.size();
      if (bytes > kMaxFoldedBytes) return fail(Errc::TooLarge, "pyroscope: folded stacks exceed " + std::to_string(kMaxFoldedBytes) + " bytes");
      out[stack] += static_cast<double>(decoded[li][j].self);
    }
  }
  return out;
}

Result<FoldedStacks> parse_folded(std::string_view text) {
  FoldedStacks out;
  std::size_t bytes = 0, line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto sp = line.find_last_of(" \t");
    std::string where = "pyroscope: folded line " + std::to_string(line_no);
    if (sp == std::string_view::npos || sp == 0) return fail(Errc::ParseError, where + ": expected '<stack> <weight>'");
    std::string weight(line.substr(sp + 1));
    char* end = nullptr;
    double w = std::strtod(weight.c_str(), &end);
    if (end == weight.c_str() || *end != '\0' || !std::isfinite(w) || w < 0) {
      return fail(Errc::ParseError, where + ": weight '" + weight.substr(0, 20) + "' is not a non-negative number");
    }
    std::string_view stack = line.substr(0, sp);
    while (!stack.empty() && (stack.back() == ' ' || stack.back() == '\t')) stack.remove_suffix(1);
    bytes += stack.size();
    if (bytes > kMaxFoldedBytes) return fail(Errc::TooLarge, "pyroscope: folded stacks exceed " + std::to_string(kMaxFoldedBytes) + " bytes");
    out[std::string(stack)] += w;
  }
  return out;
}

}  // namespace alertbot::investigators
