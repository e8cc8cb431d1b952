// TimeZone: an IANA time zone read from a TZif file (RFC 8536, version 2 or later: the 64-bit
// transitions and the POSIX TZ footer that extends them past the last one), for the digest's
// schedule and week boundaries (GCC 12's libstdc++ has no std::chrono tzdb). Local wall times are
// std::chrono::sys_seconds read "as if UTC". Immutable after load; safe to share between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"

namespace alertbot::bot {

class TimeZone {
 public:
  using Seconds = std::chrono::sys_seconds;

  // "UTC", without any file.
  static TimeZone utc();
  // The zone `name` ("Europe/Berlin", "UTC") from `<dir>/<name>`. Errors: InvalidArgument (a name
  // that is empty, absolute or climbs with ".."), NotFound (no such file), ParseError (not TZif v2+).
  static Result<TimeZone> load(std::string_view name, const std::string& dir = "/usr/share/zoneinfo");
  // The zone from the bytes of a TZif file. Errors: ParseError naming what is wrong.
  static Result<TimeZone> parse(std::string name, std::string_view tzif);

  const std::string& name() const { return name_; }
  // Offset of local time from UTC at instant `utc` (+3600 s for CET).
  std::chrono::seconds offset_at(Seconds utc) const;
  Seconds to_local(Seconds utc) const { return utc + offset_at(utc); }
  // The instant the wall clock shows `local`. A time that occurs twice (clocks going back) gives
  // the earlier instant; one skipped (clocks going forward) is read with the offset before the
  // jump, i.e. it lands as far after the jump as it was after the skipped hour began.
  Seconds to_utc(Seconds local) const;

 private:
  struct Rule {  // one POSIX "Mm.w.d/time" change
    unsigned month = 0, week = 0, weekday = 0;
    std::int64_t time = 7200;  // seconds after local midnight
  };
  struct Footer {
    bool valid = false;
    std::int64_t std_offset = 0;  // east of UTC, seconds
    bool has_dst = false;
    std::int64_t dst_offset = 0;
    Rule start, end;
  };
  static bool parse_footer(std::string_view tz, Footer& out);
  std::int64_t footer_offset(std::int64_t utc) const;

  std::string name_;
  std::vector<std::int64_t> transitions_;     // UTC seconds, ascending
  std::vector<std::uint8_t> transition_types_;  // index into offsets_ per transition
  std::vector<std::int64_t> offsets_;          // utoff of each local time type
  Footer footer_;
};

}  // namespace alertbot::bot
