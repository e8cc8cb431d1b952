// Decoding Pyroscope answers into folded stacks ("root;caller;leaf" -> self weight):
// the flamebearer JSON of /pyroscope/render (format "single": per level, delta-encoded quadruples
// [x_offset, total, self, name_index]) and plain folded-stacks text ("a;b;c 123" per line).
// Pure functions over untrusted input: sizes are capped, errors name the field.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace alertbot::investigators {

using FoldedStacks = std::map<std::string, double>;

// Caps: deeper stacks, longer names and more stacks than this are refused or cut.
inline constexpr std::size_t kMaxProfileDepth = 512;       // levels
inline constexpr std::size_t kMaxProfileNodes = 2000000;   // quadruples over all levels
inline constexpr std::size_t kMaxFrameName = 512;          // bytes; longer names are cut
inline constexpr std::size_t kMaxFoldedBytes = 64 << 20;   // total bytes of stack keys

// `json` is a render answer ({"flamebearer":{...},"metadata":{...}}) or a bare flamebearer.
// A level-0 root named "total" is dropped from the stacks. Errors: ParseError (not JSON, a
// missing or mistyped field, a node outside its parent, a name index out of range, a diff
// ("double") flamebearer), TooLarge when a cap is passed.
Result<FoldedStacks> parse_flamebearer(std::string_view text);

// Folded stacks text: one "<frames joined by ;> <weight>" per line (blank lines and lines starting
// with '#' skipped; repeated stacks add up). Errors: ParseError naming the line, TooLarge.
Result<FoldedStacks> parse_folded(std::string_view text);

}  // namespace alertbot::investigators
