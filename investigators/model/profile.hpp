// CPU (or other) profiles as folded stacks, sampled in slices across the investigation window so
// the analysis can compare before and after any onset.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace alertbot::investigators {

// One slice: folded stack ("root;caller;leaf") -> weight in `unit`.
struct ProfileSlice {
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  std::map<std::string, double> stacks;
};

struct ProfileSample {
  std::string backend;       // pyroscope
  std::string profile_type;  // e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds
  std::string unit;          // samples | nanoseconds | bytes | ...
  std::vector<ProfileSlice> slices;  // time order
  std::string link;
};

}  // namespace alertbot::investigators
