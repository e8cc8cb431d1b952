// The evidence model: what sources return (series, deploys) and what analyses make of it
// (findings with stable ids, causes that cite them). Plain values; the report JSON and every
// renderer (Slack, terminal, HTML) read these.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "investigators/model/code_change.hpp"
#include "investigators/model/logs.hpp"
#include "investigators/model/past.hpp"
#include "investigators/model/profile.hpp"
#include "investigators/model/trace.hpp"

namespace alertbot::investigators {

using Time = std::chrono::system_clock::time_point;

struct Point {
  Time t;
  double v = 0;
};

// One metric series from a source, with what it measures.
struct MetricSeries {
  std::string name;   // the configured role: latency | errors | saturation | traffic | alert
  std::string query;  // as sent to the backend
  std::string unit;   // seconds | ratio | rps | "" (unknown)
  std::map<std::string, std::string> labels;
  std::vector<Point> points;  // time order, NaN and Inf dropped
  std::string link;           // a graph of it in the backend's UI
};

// A deploy of some service, from any deploy source.
struct DeployEvent {
  std::string id;         // the id its source gives (webhook id, GitHub deployment id, Argo CD history id)
  std::string service;
  std::string environment;
  std::string version;    // revision: commit SHA, tag or image
  std::string previous_version;
  std::string author;
  std::string description;
  std::string source;     // webhook | github | argocd
  std::string link;
  Time at;
};

// What a source brought back.
// A source fills the parts it knows; the others stay empty.
struct SourceData {
  std::vector<MetricSeries> series;
  std::vector<DeployEvent> deploys;
  std::vector<TraceSample> traces;
  std::vector<LogSample> logs;
  std::vector<ProfileSample> profiles;
  std::vector<CodeChange> changes;
  std::vector<PastInvestigation> past;
  std::vector<std::string> notes;  // partial trouble worth showing (one query of several failed)
};

// One fact the analyses established, citable by its id. Ids are a letter per family and a
// number: m (metrics), d (deploys), t (traces), l (logs), c (commits), p (profiles), h (history).
// Kinds and the attributes each carries are listed in analysis/finding_kinds.hpp.
struct Finding {
  std::string id;
  std::string kind;    // see analysis/finding_kinds.hpp
  std::string source;  // which source's data it rests on
  std::string title;   // one line for people (the report JSON's "summary")
  std::string detail;  // a sentence or two more
  double score = 0;    // strength, 0..1, for ordering
  std::string link;
  std::optional<Time> at;  // when it happened (onset, deploy time)
  // Numbers for renderers and the report JSON ("before": 0.18, "after": 0.92, ...).
  std::map<std::string, double> values;
  // Names the ranker and renderers read ("service", "operation", "sha", "deploy_id", ...).
  std::map<std::string, std::string> attributes;
};

struct Suspect {
  std::string kind;  // deploy | commit | span | dependency | config | capacity | unknown
  std::string ref;   // see contract.md: a deploy id, a 40-hex commit, service:operation, ...
  std::string title;
};

// A likely cause, built only from findings.
struct Cause {
  std::string title;
  double confidence = 0;  // 0..1
  std::vector<std::string> evidence;  // finding ids
  Suspect suspect;
  std::string fix;  // a proposal for people; never acted on
  std::string explanation;  // why, in a sentence or two (from the LLM step; "" otherwise)
};

enum class SourceStatus { Ok, Failed, TimedOut, Skipped };

struct SourceOutcome {
  std::string source;
  SourceStatus status = SourceStatus::Ok;
  std::string message;  // why it failed or was skipped; counts when ok
  std::chrono::milliseconds duration{0};
};

inline const char* to_string(SourceStatus s) {
  switch (s) {
    case SourceStatus::Ok: return "ok";
    case SourceStatus::Failed: return "error";
    case SourceStatus::TimedOut: return "timeout";
    case SourceStatus::Skipped: return "skipped";
  }
  return "unknown";
}

}  // namespace alertbot::investigators
