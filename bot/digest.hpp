// The weekly digest: what a week of alerts and investigations amounted to, computed from the
// store's plain rows (Store::digest_data). Pure; no I/O. Definitions (docs/digest.md):
// - an alert is one firing episode: the firing notifications of one fingerprint with one
//   starts_at (re-sent notifications count once); alerts without a fingerprint are told apart
//   by name and service;
// - a fingerprint flaps once each time it fires again after an earlier episode in the window;
// - an alert is acted on when an investigation of its group got feedback, or a person asked for
//   one (trigger command or mention), in the window;
// - time to first reply and to full report run from an investigation's creation to its first
//   reply reaching the thread and to its finish (done ones only);
// - a regression traced to a deploy is a done investigation whose top cause suspects a deploy or
//   a commit;
// - helpfulness counts each person's latest verdict per investigation: helpful / (helpful + wrong).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/iso_week.hpp"
#include "bot/time_zone.hpp"
#include "store/digest_records.hpp"

namespace alertbot::bot {

// Lists of the noisiest alerts keep at most this many entries each.
inline constexpr std::size_t kDigestTopN = 5;
// An alert firing this many times a week or more gets a tuning suggestion.
inline constexpr std::int64_t kNoisyFires = 5;
// A fingerprint is listed as flapping from this many flaps.
inline constexpr std::int64_t kFlappingFlaps = 2;
// An alert is listed as never acted on from this many episodes.
inline constexpr std::int64_t kIgnoredFires = 3;

// The span a digest covers, [from, to), and how people read it.
struct DigestWindow {
  std::string week;      // "2026-W47", or "" for a span that is no ISO week
  store::Time from;
  store::Time to;
  std::string timezone;  // IANA name the local times are in
  std::string from_local;  // "2026-11-16 00:00"
  std::string to_local;
};

// The ISO week `week`, Monday 00:00 to the next Monday 00:00, local time in `zone`.
DigestWindow week_window(const IsoWeek& week, const TimeZone& zone);
// The 7 local days before `end` (`week` names the week the digest is filed under).
DigestWindow days_window(store::Time end, const TimeZone& zone, std::string week = {});

struct ServiceSeverityCount {
  std::string service;
  std::string severity;
  std::int64_t alerts = 0;
};

// One entry of a noisiest-alerts list; `count` is episodes (most fired, never acted on) or flaps.
struct NoisyAlert {
  std::string name;
  std::string service;
  std::string fingerprint;  // flapping only
  std::int64_t count = 0;
  std::string suggestion;   // "" when none
};

struct Regression {
  store::Id investigation_id = 0;
  std::string service;
  std::string alert_name;
  std::string cause;
  std::string suspect_kind;  // deploy | commit
  std::string suspect_ref;
  store::Time at;  // when the investigation was created
};

struct Digest {
  DigestWindow window;
  std::int64_t alerts = 0;         // firing episodes
  std::int64_t notifications = 0;  // alert rows received, firing and resolved
  std::vector<ServiceSeverityCount> by_service;  // most alerts first
  std::int64_t investigations = 0;
  std::int64_t investigations_done = 0;
  std::int64_t investigations_failed = 0;
  std::optional<std::int64_t> median_first_reply_ms;  // nullopt: no sample
  std::int64_t first_reply_samples = 0;
  std::optional<std::int64_t> median_report_ms;
  std::int64_t report_samples = 0;
  std::vector<NoisyAlert> most_fired;
  std::vector<NoisyAlert> flapping;
  std::vector<NoisyAlert> never_acted_on;
  std::vector<Regression> regressions;  // oldest first
  std::int64_t helpful = 0;
  std::int64_t wrong = 0;
  std::optional<double> helpfulness_rate;  // nullopt without helpful or wrong verdicts
  store::LlmUsage llm;
};

Digest compute_digest(const store::DigestData& data, DigestWindow window);

}  // namespace alertbot::bot
