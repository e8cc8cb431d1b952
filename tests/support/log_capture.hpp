// LogCapture: while alive, every log line (at trace level and up, already masked and formatted
// as JSON lines, exactly as they would reach stderr) is also kept for the test to inspect.
#pragma once

#include <mutex>
#include <spdlog/spdlog.h>
#include <string>
#include <vector>

#include "net/logging.hpp"

namespace alertbot::testing {

class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = make_line_sink(LogLineFormat::Json, [this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    });
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace alertbot::testing
