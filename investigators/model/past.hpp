// A past investigation similar to this one (same service, alert or words), from the store's
// full-text search.
#pragma once

#include <chrono>
#include <string>

namespace alertbot::investigators {

struct PastInvestigation {
  std::string id;
  std::chrono::system_clock::time_point at;
  std::string service;
  std::string alert_name;
  std::string top_cause;     // the title of its first cause, "" when it abstained
  std::string suspect_kind;  // of that cause
  std::string suspect_ref;
  std::string feedback;      // helpful | wrong | ""
  double similarity = 0;     // 0..1, higher is closer
};

}  // namespace alertbot::investigators
