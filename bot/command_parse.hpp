// The text of a command, understood: `/investigate <service|alert link|trace id> [window]`,
// `/alertbot help | status | deploys <service> | digest | silence <service> <duration> [reason]`,
// and the same words after an @mention ("@alertbot checkout 30m"). Pure: no I/O. Text is
// untrusted: every token is checked (services must be configured, windows and durations bounded).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace alertbot::bot {

inline constexpr std::chrono::milliseconds kDefaultWindow = std::chrono::hours(1);
inline constexpr std::chrono::milliseconds kMaxWindow = std::chrono::hours(24);
inline constexpr std::chrono::milliseconds kMaxSilence = std::chrono::hours(24 * 7);

struct CommandRequest {
  // investigate | help | status | deploys | digest | silence ("" when not understood)
  std::string name;
  std::string service;
  std::string trace_id;  // lower-case hex, 16-32 digits
  std::chrono::milliseconds window = kDefaultWindow;
  std::chrono::milliseconds duration{0};  // silence
  std::string reason;                     // silence
  std::string error;                      // why it was not understood (shown to the person)
};

// `command` is "/investigate" or "/alertbot" (any other name reads like /alertbot); `services`
// are the configured service names (a target must be one of them, or appear in an alert link).
CommandRequest parse_command(std::string_view command, std::string_view text, const std::vector<std::string>& services);

// What `/alertbot help` answers (mrkdwn).
std::string command_help();

}  // namespace alertbot::bot
