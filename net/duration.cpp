#include "net/duration.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>

namespace alertbot {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

// Smallest first; units are matched by their whole name.
constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  if (text.empty()) return fail(Errc::ParseError, "empty duration");
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    bool dot = false;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || (text[i] == '.' && !dot))) {
      dot = dot || text[i] == '.';
      ++i;
    }
    if (i == start || (dot && i - start == 1)) return fail(Errc::ParseError, quoted + ": expected a number at position " + std::to_string(start));
    double number = std::stod(std::string(text.substr(start, i - start)));
    std::size_t ustart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(ustart, i - ustart);
    if (unit.empty()) return fail(Errc::ParseError, quoted + ": missing unit (ms, s, m, h or d)");
    const Unit* found = nullptr;
    for (const auto& u : kUnits) {
      if (u.name == unit) found = &u;
    }
    if (!found) return fail(Errc::ParseError, quoted + ": unknown unit '" + std::string(unit) + "'");
    total += number * static_cast<double>(found->ms);
  }
  if (total > 1e15) return fail(Errc::ParseError, quoted + ": too long");
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(total)));
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (auto it = std::rbegin(kUnits); it != std::rend(kUnits); ++it) {
    // rbegin walks d, h, m, s, ms.
    if (ms >= it->ms) {
      out += std::to_string(ms / it->ms);
      out += it->name;
      ms %= it->ms;
    }
  }
  return out;
}

}  // namespace alertbot
