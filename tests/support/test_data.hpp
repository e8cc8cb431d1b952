// Reading test fixtures from tests/data (captured from real Alertmanager and Prometheus).
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace alertbot::testing {

inline std::string read_test_file(const std::string& relative) {
  std::string path = std::string(ALERTBOT_TEST_DATA_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read test data " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace alertbot::testing
