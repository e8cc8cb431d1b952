// DigestSettings: the `digest:` section of the config (optional). When present, one replica posts
// the weekly digest to `channel` once a week, as soon as the local `weekday` and `time` in
// `timezone` have come (bot/digest_schedule.hpp); `alertbot digest` reads the same section.
#pragma once

#include <string>

namespace alertbot::bot {

struct DigestSettings {
  static constexpr const char* kName = "digest";
  std::string channel;           // required: the channel id (C...) the digest is posted to
  unsigned weekday = 1;          // ISO day of the week: 1 = mon ... 7 = sun (`weekday: mon`)
  int hour = 9;                  // `time: "09:00"`, local time in `timezone`
  int minute = 0;
  std::string timezone = "UTC";  // IANA name (Europe/Berlin), read from /usr/share/zoneinfo
};

}  // namespace alertbot::bot
