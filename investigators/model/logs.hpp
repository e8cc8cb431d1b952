// Log lines as the log source (Loki) delivers them, sampled across the investigation window.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace alertbot::investigators {

struct LogLine {
  std::chrono::system_clock::time_point t;
  std::string line;    // as logged; untrusted, may hold secrets (redacted before any LLM)
  std::string level;   // the stream's or the line's level label when known (error, warn, ...), else ""
};

// A slice of the window that was read, and whether every line in it came back: a slice that hit
// the source's line limit holds a sample, so analyses compare rates, not counts.
struct LogSlice {
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  std::size_t lines = 0;
  bool complete = true;
};

struct LogSample {
  std::string backend;  // loki
  std::string query;    // the LogQL sent
  std::vector<LogSlice> slices;
  std::vector<LogLine> lines;  // time order
  std::string link;
};

}  // namespace alertbot::investigators
