// Trace differential: traces before a pivot (the onset) against traces after it, per operation
// (service, operation name): calls per trace, self time, critical-path time and error ratio; then
// the findings of family t (finding_kinds.hpp) for what changed: span_latency, fanout, new_call,
// span_errors, dependency. Pure functions, deterministic, thread-safe; CPU-bound (about a
// million spans a second on one core), so callers run it off the event loop for large samples.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

struct TraceDiffOptions {
  // Traces needed on each side of the pivot; fewer gives no findings and a note.
  std::size_t min_traces = 5;
  // span_latency and dependency: the mean time per trace must grow by at least this many ms, by
  // at least this fraction of its earlier value, with Welch's |t| over per-trace values at least
  // min_t (so one slow trace among sixty is not a finding).
  double min_latency_delta_ms = 2.0;
  double min_latency_growth = 0.25;
  double min_t = 3.0;
  // fanout: calls per trace (among traces making the call) grew by this factor and this many.
  double fanout_ratio = 3.0;
  double fanout_min_added = 2.0;
  // new_call: never seen before the pivot, and in at least this fraction of the traces after.
  double new_call_presence = 0.3;
  // span_errors: error ratio at most this before ("about zero") and at least this after, over at
  // least min_error_calls calls after.
  double error_before_max = 0.02;
  double error_after_min = 0.10;
  std::size_t min_error_calls = 5;
  // At most this many findings of each kind (the strongest).
  std::size_t max_per_kind = 5;
  // Distinct (service, operation) pairs tracked; spans of further pairs are pooled under
  // "(other)" so hostile data cannot grow the tables without bound.
  std::size_t max_operations = 20000;
};

// One (service, operation) on both sides. Per-trace figures are means over all traces of that
// side (a trace without the operation counts as 0); times in milliseconds.
struct OperationStats {
  std::string service, operation;
  // What its spans touched (the first non-empty value seen; "" when none said).
  std::string db_statement, http_route, peer_service;
  std::string parent;  // "service:operation" of the usual caller ("" for roots)
  double before_calls_per_trace = 0, after_calls_per_trace = 0;
  // Traces that make the call at all, as a fraction of the side's traces.
  double before_presence = 0, after_presence = 0;
  // Self time: duration minus the union of its children's intervals (clipped to the span).
  double before_self_ms = 0, after_self_ms = 0;
  // Exclusive time on the critical path (the walk from the root into the child that ends last).
  double before_critical_ms = 0, after_critical_ms = 0;
  double before_error_ratio = 0, after_error_ratio = 0;  // error spans / calls
  std::size_t before_calls = 0, after_calls = 0;          // totals
  double t_self = 0, t_critical = 0;  // Welch t of after - before over per-trace values
};

// A service other than the roots' own, summed over its operations (per trace, ms).
struct DependencyStats {
  std::string service;
  double before_ms = 0, after_ms = 0;  // self time
  double before_critical_ms = 0, after_critical_ms = 0;
  std::size_t before_calls = 0, after_calls = 0;  // its spans, totals
  double t = 0;  // Welch t of the per-trace self time
};

struct TraceDiff {
  std::size_t before_traces = 0, after_traces = 0;
  std::size_t spans = 0;       // spans read
  std::string root_service;    // the service most roots belong to
  double before_root_ms = 0, after_root_ms = 0;      // mean root duration
  double before_root_p50_ms = 0, after_root_p50_ms = 0;
  std::vector<OperationStats> operations;    // by after_critical_ms, largest first
  std::vector<DependencyStats> dependencies; // by after_ms, largest first
  std::vector<std::string> notes;            // why there are no findings, what was skipped
  // For the findings: the backend the traces came from and a link to them (set by the caller).
  std::string source = "traces";
  std::string link;
};

// Compares the traces whose root span starts before `pivot` with those starting at or after it.
// A trace's root is its earliest span without a parent in the trace. Spans with an unknown parent
// count as roots of their own subtrees (only the root's subtree is on the critical path).
TraceDiff diff_traces(const std::vector<Trace>& traces, Time pivot, const TraceDiffOptions& options = {});

// The findings the diff supports, strongest first, with ids "t<first_id>", "t<first_id + 1>", ...
// Empty when nothing changed significantly or when a side had too few traces. `options` must be
// the ones the diff was made with.
std::vector<Finding> trace_findings(const TraceDiff& diff, int first_id, const TraceDiffOptions& options = {});

}  // namespace alertbot::investigators::analysis
