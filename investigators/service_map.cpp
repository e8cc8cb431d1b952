#include "investigators/service_map.hpp"

namespace alertbot::investigators {

std::string map_service(const Alert& alert, const std::vector<ServiceSettings>& services) {
  for (const auto& s : services) {
    if (s.match.empty()) continue;
    bool all = true;
    for (const auto& [k, v] : s.match) {
      auto it = alert.labels.find(k);
      if (it == alert.labels.end() || it->second != v) {
        all = false;
        break;
      }
    }
    if (all) return s.name;
  }
  for (const char* key : {"service", "job", "app"}) {
    auto it = alert.labels.find(key);
    if (it == alert.labels.end()) continue;
    for (const auto& s : services) {
      if (s.name == it->second) return s.name;
    }
  }
  if (!alert.service.empty()) return alert.service;
  for (const char* key : {"service", "job", "app"}) {
    auto it = alert.labels.find(key);
    if (it != alert.labels.end() && !it->second.empty()) return it->second;
  }
  return {};
}

}  // namespace alertbot::investigators
