// Reading the repository's own files from the deploy tests: the deployment files (Dockerfile, Helm
// chart, systemd unit, Slack app manifest) are checked against the code they deploy, so the tests
// read both as text. Paths are relative to the source root (found from ALERTBOT_TEST_DATA_DIR,
// which is <root>/tests/data). A missing file is a test failure, not an exception.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace alertbot::deploy_test {

inline std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(ALERTBOT_TEST_DATA_DIR).parent_path().parent_path() / relative;
}

// The whole file; "" (and a recorded failure) when it cannot be read.
inline std::string read_source(const std::string& relative) {
  std::ifstream in(source_path(relative), std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << source_path(relative);
    return {};
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The file parsed as one YAML document; a Null node (and a recorded failure) when it cannot be.
inline YAML::Node load_yaml(const std::string& relative) {
  const std::string text = read_source(relative);
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    ADD_FAILURE() << relative << ": invalid YAML: " << e.what();
    return YAML::Node();
  }
}

// Every first capture group of `pattern` in `text`.
inline std::set<std::string> captures(const std::string& text, const std::string& pattern) {
  std::set<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

// The strings of a YAML sequence of scalars (empty when `node` is not a sequence).
inline std::set<std::string> string_set(const YAML::Node& node) {
  std::set<std::string> out;
  if (!node.IsSequence()) return out;
  for (const auto& item : node) out.insert(item.as<std::string>());
  return out;
}

// "a, b, c": for failure messages.
inline std::string joined(const std::set<std::string>& items) {
  std::ostringstream out;
  for (const auto& s : items) out << (out.tellp() > 0 ? ", " : "") << s;
  return out.str();
}

}  // namespace alertbot::deploy_test
