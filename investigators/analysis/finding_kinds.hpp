// The finding kinds the analyses produce, and the attributes/values each carries. The ranker
// (analysis/rank.hpp) and every renderer read findings only through these names, so an analysis
// and its consumers agree here. Ids: a family letter plus a number, unique in one report.
//
// family m: metrics (analysis/before_after, change_point)
//   onset         a series shifted. attributes: metric (latency|errors|saturation|traffic|alert),
//                 query. values: before, after, before_p50/p95/p99, after_p50/p95/p99,
//                 ci_low, ci_high (bootstrap 95% interval of after-before), effect (Cohen's d),
//                 t. `at` = onset.
//   no_change     a series did not move significantly (a result, not an error). attributes:
//                 metric, query. values: last, before, after, ci_low, ci_high.
//   saturation    a saturation series sits near its ceiling after onset. attributes: metric,
//                 query, resource. values: after (0..1).
// family d: deploys (analysis/deploy_correlation)
//   deploy        a deploy of the service or of a downstream one before onset. attributes:
//                 deploy_id, service, version, previous_version, downstream ("true"/"false"),
//                 config ("true" when the deploy changed only configuration).
//                 values: minutes_before_onset.
// family t: traces (analysis/trace_diff)
//   span_latency  an operation whose self time grew. attributes: service, operation,
//                 db_statement, http_route. values: before_self_ms, after_self_ms,
//                 share (of the latency change, 0..1), before_critical_ms, after_critical_ms.
//   fanout        an operation called more times per request (N+1). attributes: service,
//                 operation, parent (service:operation), db_statement. values: before_per_trace,
//                 after_per_trace.
//   new_call      a downstream call that did not happen before. attributes: service,
//                 operation, peer_service, db_statement. values: after_per_trace.
//   span_errors   an operation that started failing. attributes: service, operation.
//                 values: before_error_ratio, after_error_ratio.
//   dependency    a downstream service whose own time grew. attributes: service (the
//                 downstream one). values: before_ms, after_ms, share.
// family l: logs (analysis/log_patterns)
//   log_pattern   a new or grown log template. attributes: template, level, example,
//                 status (new|grown). values: before_per_min, after_per_min.
// family c: commits (analysis/suspect_commits)
//   commit        a commit in the suspect deploy, ranked by how it relates to the other
//                 findings. attributes: sha (40 hex), deploy_id, subject, author, files
//                 (comma-separated), matched (the clue it matched), config ("true" when it
//                 touched only configuration files), service (whose repository; with deploy_id it
//                 names the deploy, since ids are only unique per service). values: relevance (0..1).
// family p: profiles (analysis/flame_diff)
//   profile_function  a function whose self time grew. attributes: function, file (a changed
//                 file it, or the nearest caller on its stack, maps to), caller (that caller,
//                 when the function itself is library code), stack (an example). values: before_share,
//                 after_share (of all samples), growth.
// family h: history
//   past_incident a similar past investigation. attributes: investigation_id, top_cause,
//                 suspect_kind, suspect_ref, feedback. values: similarity.
#pragma once

namespace alertbot::investigators::kinds {

inline constexpr const char* kOnset = "onset";
inline constexpr const char* kNoChange = "no_change";
inline constexpr const char* kSaturation = "saturation";
inline constexpr const char* kDeploy = "deploy";
inline constexpr const char* kSpanLatency = "span_latency";
inline constexpr const char* kFanout = "fanout";
inline constexpr const char* kNewCall = "new_call";
inline constexpr const char* kSpanErrors = "span_errors";
inline constexpr const char* kDependency = "dependency";
inline constexpr const char* kLogPattern = "log_pattern";
inline constexpr const char* kCommit = "commit";
inline constexpr const char* kProfileFunction = "profile_function";
inline constexpr const char* kPastIncident = "past_incident";

}  // namespace alertbot::investigators::kinds
