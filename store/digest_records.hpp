// The rows the weekly digest reads (Store::digest_data) and the state of one week's digest post
// (Store::claim_digest and friends). Plain values; times as in records.hpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace alertbot::store {

// One alert notification received in the window (a re-sent firing alert is another row with the
// same fingerprint and starts_at).
struct DigestAlert {
  std::string name;
  std::string service;
  std::string severity;
  std::string status;  // firing | resolved
  std::string fingerprint;
  std::string group_key;
  Time starts_at;
  Time received_at;
};

// One investigation created in the window, with what its search document says about its top cause.
struct DigestInvestigation {
  Id id = 0;
  std::string service;
  std::string trigger;    // alert | command | mention | cli
  std::string group_key;  // of its alert group, "" when it has none
  InvestigationStatus status = InvestigationStatus::Queued;
  Time created_at;
  std::optional<Time> first_reply_at;  // the first reply (the placeholder) reached the thread
  std::optional<Time> finished_at;
  std::string alert_name;    // from its search document ("" when not indexed or on demand)
  std::string top_cause;     // title of the first cause, "" when it abstained or is not indexed
  std::string suspect_kind;  // deploy | commit | span | dependency | config | capacity | ...
  std::string suspect_ref;
  LlmUsage llm;
};

// One feedback verdict given in the window.
struct DigestFeedback {
  Id investigation_id = 0;
  std::string user;
  std::string verdict;  // helpful | wrong | ...
  Time created_at;
  std::string comment;  // e.g. which cause was wrong
};

// Everything in [from, to): alerts by received_at, investigations by created_at, feedback by
// created_at; each list oldest first.
struct DigestData {
  std::vector<DigestAlert> alerts;
  std::vector<DigestInvestigation> investigations;
  std::vector<DigestFeedback> feedback;
};

// The post of one week's digest.
struct DigestPost {
  std::string week;        // "2026-W47"
  std::string claimed_by;  // the replica that claimed it
  Time claimed_at;
  std::optional<Time> posted_at;  // set once posted
  std::string channel;
  std::string message_ts;
};

}  // namespace alertbot::store
