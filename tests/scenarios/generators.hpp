// Synthetic but realistic backend data for the scenario suite: traces shaped by a call tree that
// changes at a pivot, log lines from patterns with a rate before and after, profile samples from
// folded stacks. Deterministic (no randomness): the same scenario always produces the same data.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "investigators/model/trace.hpp"
#include "tests/fakes/loki_fake.hpp"
#include "tests/fakes/pyroscope_fake.hpp"

namespace alertbot::scenarios {

using Time = std::chrono::system_clock::time_point;

// One node of a request's call tree: `count` sequential calls under the parent, each taking
// `self_ms` of its own time (jittered +-10%) plus its children's.
struct SpanShape {
  std::string service;
  std::string operation;
  double self_ms = 1;
  int count = 1;
  double error_rate = 0;  // fraction of requests in which it fails
  std::string db_statement;
  std::string http_route;
  std::string peer_service;
  std::vector<SpanShape> children;
};

// One trace every `every` from `start` to `end`; roots before `pivot` follow `before`, later ones `after`.
std::vector<investigators::Trace> generate_traces(const SpanShape& before, const SpanShape& after, Time start, Time pivot,
                                                  Time end, std::chrono::seconds every, int seed);

struct LogPattern {
  std::string level;  // error | warn | info
  std::string text;   // "{n}" is replaced by a running number, "{id}" by a hex id
  double per_min_before = 0;
  double per_min_after = 0;
};

// Lines of `patterns` at their rates, labelled {app=<app>, level=<level>}.
std::vector<fakes::FakeLogEntry> generate_logs(const std::string& app, const std::vector<LogPattern>& patterns, Time start,
                                               Time pivot, Time end);

// One sample per stack every 10 s: `before` weights until `pivot`, `after` weights from it.
std::vector<fakes::FakeProfileSample> generate_profiles(const std::string& service, const std::map<std::string, double>& before,
                                                        const std::map<std::string, double>& after, Time start, Time pivot,
                                                        Time end);

}  // namespace alertbot::scenarios
