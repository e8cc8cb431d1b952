// token_estimate_tool: prints llm::estimate_tokens for every sample of the token corpus, one
// "id<TAB>estimate" line each, in the order tests/llm_tokens/corpus.js reads them (files sorted by
// name, samples in file order; format: tests/data/token_corpus/README.md). With no directory it
// estimates standard input instead and prints the number alone.
// Usage: token_estimate_tool [CORPUS_DIR]    Exit 1 when the directory cannot be read.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "llm/token_estimate.hpp"

namespace {

namespace fs = std::filesystem;

struct Sample {
  std::string id;
  std::string text;
};

void read_samples(const fs::path& file, std::vector<Sample>& out) {
  std::ifstream in(file, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!content.empty() && content.back() == '\n') {
    content.pop_back();  // the file's final newline is not part of the last sample
  }
  const std::string prefix = file.stem().string() + "/";
  Sample* current = nullptr;
  bool first_line = true;
  std::istringstream lines(content);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("@@@ ", 0) == 0) {
      std::string name = line.substr(4);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '\r')) {
        name.pop_back();
      }
      out.push_back(Sample{prefix + name, ""});
      current = &out.back();
      first_line = true;
    } else if (current != nullptr) {
      current->text += first_line ? line : "\n" + line;
      first_line = false;
    }
  }
  // getline drops an empty last line: content ending in '\n' here means the last line was empty.
  if (current != nullptr && !content.empty() && content.back() == '\n' && !first_line) {
    current->text += "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::cout << alertbot::llm::estimate_tokens(text) << "\n";
    return 0;
  }
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(argv[1], ec)) {
    if (entry.path().extension() == ".txt") {
      files.push_back(entry.path());
    }
  }
  if (ec || files.empty()) {
    std::cerr << "token_estimate_tool: no *.txt samples in " << argv[1] << "\n";
    return 1;
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  std::vector<Sample> samples;
  for (const auto& file : files) {
    read_samples(file, samples);
  }
  for (const auto& s : samples) {
    std::cout << s.id << "\t" << alertbot::llm::estimate_tokens(s.text) << "\n";
  }
  return 0;
}
