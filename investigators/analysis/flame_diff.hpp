// Differential flame graph: a profile sample's slices merged before and after a pivot (a slice
// goes to the side holding its midpoint), each side normalised to shares of its own total, and
// per function the self share (time with the function as leaf frame) and inclusive share (time
// with it anywhere on the stack) compared. Functions whose self share grew are reported and, when
// possible, mapped to a file the suspect deploy changed. Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

struct FunctionShare {
  std::string function;
  double before_self = 0;   // share of all weight before the pivot, 0..1
  double after_self = 0;
  double before_total = 0;  // inclusive shares
  double after_total = 0;
  double growth = 0;        // after_self / before_self, capped at kMaxGrowth (also when before is 0)
  std::string stack;        // the heaviest stack ending in it (after the pivot when it occurs there)
};

struct FlameDiff {
  Time pivot;
  std::string backend;
  std::string profile_type;
  std::string unit;
  std::string link;
  double before_weight = 0;  // in `unit`
  double after_weight = 0;
  std::size_t before_slices = 0;
  std::size_t after_slices = 0;
  std::vector<FunctionShare> functions;  // largest rise in self share first
};

inline constexpr double kMaxGrowth = 100;
// A function is reported when its self share rose by at least this much (absolute)...
inline constexpr double kMinShareRise = 0.05;
// ...and by at least this factor.
inline constexpr double kMinShareGrowth = 1.5;
inline constexpr std::size_t kMaxProfileFindings = 5;

FlameDiff diff_profiles(const ProfileSample& sample, Time pivot);

// Findings of kind profile_function for functions whose self share grew significantly, largest
// rise first, ids "p<first_id>", ...; attribute `file` names the changed file the function maps to.
std::vector<Finding> profile_findings(const FlameDiff& diff, const std::vector<std::string>& changed_files, int first_id);

// The changed file a profiled function most likely lives in, or "". Function names as profilers
// write them: `github.com/acme/orders/pricing.Compute`, `pricing.(*Engine).Compute`,
// `pricing.py:compute`, `orders::pricing::compute(int)`, `src/pricing.cc:42`,
// `com.acme.Pricing.compute`. A source path in the name is matched by path suffix; otherwise the
// name's module parts are matched against each file's directories and name without extension
// (case, '_' and '-' ignored). Ties go to the earlier file.
std::string file_for_function(std::string_view function, const std::vector<std::string>& changed_files);

}  // namespace alertbot::investigators::analysis
