#include "net/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace alertbot {
namespace {

std::shared_mutex g_secrets_mutex;
std::vector<std::string> g_secrets;  // guarded by g_secrets_mutex

void append_json_escaped(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

// "2026-12-01T23:52:16.123Z"
std::string utc_timestamp(std::chrono::system_clock::time_point tp) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// The number after "investigation " in `text` (the convention of every line about one:
// "investigation 42: placeholder posted"), or "" when there is none.
std::string_view investigation_id_in(std::string_view text) {
  constexpr std::string_view kWord = "investigation ";
  for (auto at = text.find(kWord); at != std::string_view::npos; at = text.find(kWord, at + 1)) {
    if (at > 0 && std::isalnum(static_cast<unsigned char>(text[at - 1]))) continue;
    std::size_t end = at + kWord.size();
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end > at + kWord.size() && end - at - kWord.size() <= 18) return text.substr(at + kWord.size(), end - at - kWord.size());
  }
  return {};
}

class LineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LineSink(LogLineFormat format, std::function<void(std::string_view)> out)
      : format_(format), out_(std::move(out)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string text = mask_secrets(std::string_view(msg.payload.data(), msg.payload.size()));
    auto level = spdlog::level::to_string_view(msg.level);
    std::string line;
    if (format_ == LogLineFormat::Json) {
      line = "{\"ts\":\"" + utc_timestamp(msg.time) + "\",\"level\":\"";
      line.append(level.data(), level.size());
      line += "\",\"msg\":\"";
      append_json_escaped(line, text);
      line += "\"";
      // A field to filter one investigation's lines by (its id is a number: no escaping).
      if (auto id = investigation_id_in(text); !id.empty()) line += ",\"investigation_id\":" + std::string(id);
      line += "}";
    } else {
      line = utc_timestamp(msg.time) + " " + std::string(level.data(), level.size()) + " " + text;
    }
    out_(line);
  }
  void flush_() override {}

 private:
  const LogLineFormat format_;
  const std::function<void(std::string_view)> out_;
};

}  // namespace

void register_log_secret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::unique_lock lock(g_secrets_mutex);
  for (const auto& s : g_secrets) {
    if (s == secret) return;
  }
  g_secrets.emplace_back(secret);
  // Longest first, so a secret that contains another is masked whole.
  std::sort(g_secrets.begin(), g_secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string mask_secrets(std::string_view text) {
  std::string out(text);
  std::shared_lock lock(g_secrets_mutex);
  for (const auto& s : g_secrets) {
    for (auto pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 3)) out.replace(pos, s.size(), "***");
  }
  return out;
}

std::shared_ptr<spdlog::sinks::sink> make_line_sink(LogLineFormat format, std::function<void(std::string_view)> out) {
  return std::make_shared<LineSink>(format, std::move(out));
}

void log_exception(std::exception_ptr e, std::string_view what) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("{}: {}", what, ex.what());
  } catch (...) {
    spdlog::error("{}: an exception that is not a std::exception", what);
  }
}

bool init_logging(LogLineFormat format, std::string_view level) {
  auto sink = make_line_sink(format, [](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
  });
  auto logger = std::make_shared<spdlog::logger>("alertbot", sink);
  auto lvl = spdlog::level::from_str(std::string(level));
  bool known = lvl != spdlog::level::off || level == "off";
  logger->set_level(known ? lvl : spdlog::level::info);
  spdlog::set_default_logger(logger);
  return known;
}

}  // namespace alertbot
