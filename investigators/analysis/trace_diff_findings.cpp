// trace_findings(): the family-t findings a TraceDiff supports (see trace_diff.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/analysis/trace_diff.hpp"

namespace alertbot::investigators::analysis {
namespace {

std::string ms_text(double ms) {
  char buf[32];
  if (ms >= 1000) std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
  else if (ms >= 10) std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  else if (ms >= 1) std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  else std::snprintf(buf, sizeof buf, "%.2f ms", ms);
  return buf;
}

std::string count_text(double c) {
  char buf[32];
  // std::trunc, not a cast to an integer: a cast of NaN or of a huge count is undefined.
  std::snprintf(buf, sizeof buf, c >= 10 || c == std::trunc(c) ? "%.0f" : "%.1f", c);
  return buf;
}

std::string percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", ratio * 100);
  return buf;
}

double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

// How people recognise the operation: its statement when it is a query, else its name.
std::string what(const OperationStats& o) {
  if (o.db_statement.empty()) return o.operation;
  return o.db_statement.size() > 60 ? o.db_statement.substr(0, 57) + "..." : o.db_statement;
}

std::string key(const OperationStats& o) { return o.service + ":" + o.operation; }

// The figures every finding shares: the comparison and what the share is a share of.
class Context {
 public:
  Context(const TraceDiff& d, const TraceDiffOptions& o) : d_(d), o_(o) {
    delta_root_ = d.after_root_ms - d.before_root_ms;
    rose_ = delta_root_ >= o.min_latency_delta_ms;
  }
  // A mean per-trace time that grew enough, relatively and beyond noise.
  bool grew(double before, double after, double t) const {
    double delta = after - before;
    return delta >= o_.min_latency_delta_ms && delta >= o_.min_latency_growth * before && t >= o_.min_t;
  }
  // A critical-time change as a share of the request latency change (0 when latency did not rise).
  double share(double before_crit, double after_crit) const {
    return rose_ ? clamp01((after_crit - before_crit) / delta_root_) : 0.0;
  }
  std::string share_text(double share) const {
    return rose_ ? " (" + percent(share) + " of the latency rise)" : "";
  }
  std::string sides() const {
    return " Means per request over " + std::to_string(d_.before_traces) + " traces before and " +
           std::to_string(d_.after_traces) + " after; request latency " + ms_text(d_.before_root_ms) + " -> " +
           ms_text(d_.after_root_ms) + ".";
  }
  Finding base(const char* kind) const {
    Finding f;
    f.kind = kind;
    f.source = d_.source;
    f.link = d_.link;
    return f;
  }
  const TraceDiffOptions& options() const { return o_; }

 private:
  const TraceDiff& d_;
  const TraceDiffOptions& o_;
  double delta_root_ = 0;
  bool rose_ = false;
};

void span_latency(const TraceDiff& d, const Context& cx, std::vector<Finding>& out) {
  std::vector<Finding> found;
  for (const auto& o : d.operations) {
    if (o.before_calls == 0) continue;  // a new call: new_call covers it
    if (!cx.grew(o.before_self_ms, o.after_self_ms, o.t_self) && !cx.grew(o.before_critical_ms, o.after_critical_ms, o.t_critical)) continue;
    double share = cx.share(o.before_critical_ms, o.after_critical_ms);
    Finding f = cx.base(kinds::kSpanLatency);
    f.title = key(o) + " self time " + ms_text(o.before_self_ms) + " -> " + ms_text(o.after_self_ms) + cx.share_text(share);
    f.detail = "Critical-path time " + ms_text(o.before_critical_ms) + " -> " + ms_text(o.after_critical_ms) + "." + cx.sides() +
               (o.db_statement.empty() ? "" : " Statement: " + o.db_statement) +
               (o.http_route.empty() ? "" : " Route: " + o.http_route);
    f.score = 0.15 + 0.85 * share;
    f.values = {{"before_self_ms", o.before_self_ms}, {"after_self_ms", o.after_self_ms}, {"share", share},
                {"before_critical_ms", o.before_critical_ms}, {"after_critical_ms", o.after_critical_ms}};
    f.attributes = {{"service", o.service}, {"operation", o.operation}, {"db_statement", o.db_statement},
                    {"http_route", o.http_route}};
    found.push_back(std::move(f));
  }
  std::stable_sort(found.begin(), found.end(), [](const Finding& a, const Finding& b) {
    double da = a.values.at("after_self_ms") - a.values.at("before_self_ms");
    double db = b.values.at("after_self_ms") - b.values.at("before_self_ms");
    return a.values.at("share") != b.values.at("share") ? a.values.at("share") > b.values.at("share") : da > db;
  });
  found.resize(std::min(found.size(), cx.options().max_per_kind));
  for (auto& f : found) out.push_back(std::move(f));
}

void fanout(const TraceDiff& d, const Context& cx, std::vector<Finding>& out) {
  const auto& opt = cx.options();
  std::vector<Finding> found;
  for (const auto& o : d.operations) {
    double with_before = o.before_presence * static_cast<double>(d.before_traces);
    double with_after = o.after_presence * static_cast<double>(d.after_traces);
    if (with_before < static_cast<double>(opt.min_traces) - 0.5 || with_after < static_cast<double>(opt.min_traces) - 0.5) continue;
    double b = static_cast<double>(o.before_calls) / with_before;  // per trace that makes the call
    double a = static_cast<double>(o.after_calls) / with_after;
    if (a < opt.fanout_ratio * b || a - b < opt.fanout_min_added) continue;
    double share = cx.share(o.before_critical_ms, o.after_critical_ms);
    Finding f = cx.base(kinds::kFanout);
    f.title = o.service + ": " + what(o) + " called " + count_text(a) + "x per request (was " + count_text(b) + "x): N+1";
    f.detail = o.service + ":" + o.operation + (o.parent.empty() ? "" : " under " + o.parent) + " now runs " + count_text(a) +
               " times per request; its critical-path time went " + ms_text(o.before_critical_ms) + " -> " +
               ms_text(o.after_critical_ms) + cx.share_text(share) + "." + cx.sides();
    f.score = clamp01(0.5 + 0.5 * share);
    f.values = {{"before_per_trace", b}, {"after_per_trace", a}};
    f.attributes = {{"service", o.service}, {"operation", o.operation}, {"parent", o.parent}, {"db_statement", o.db_statement}};
    found.push_back(std::move(f));
  }
  std::stable_sort(found.begin(), found.end(), [](const Finding& x, const Finding& y) {
    return x.values.at("after_per_trace") / std::max(x.values.at("before_per_trace"), 1e-9) >
           y.values.at("after_per_trace") / std::max(y.values.at("before_per_trace"), 1e-9);
  });
  found.resize(std::min(found.size(), opt.max_per_kind));
  for (auto& f : found) out.push_back(std::move(f));
}

void new_calls(const TraceDiff& d, const Context& cx, std::vector<Finding>& out) {
  std::map<std::string, const OperationStats*> by_key;
  for (const auto& o : d.operations) by_key[key(o)] = &o;
  std::vector<Finding> found;
  for (const auto& o : d.operations) {
    if (o.before_calls != 0 || o.after_presence < cx.options().new_call_presence) continue;
    // Only the top of a new subtree: the calls a new call makes are part of it.
    auto parent = by_key.find(o.parent);
    if (parent != by_key.end() && parent->second->before_calls == 0) continue;
    double share = cx.share(o.before_critical_ms, o.after_critical_ms);
    Finding f = cx.base(kinds::kNewCall);
    f.title = o.service + ": new call " + what(o) + (o.peer_service.empty() ? "" : " to " + o.peer_service) + " in " +
              percent(o.after_presence) + " of requests (never before)";
    f.detail = o.service + ":" + o.operation + (o.parent.empty() ? "" : " under " + o.parent) + ", " +
               count_text(o.after_calls_per_trace) + " calls and " + ms_text(o.after_critical_ms) +
               " of critical-path time per request" + cx.share_text(share) + "." + cx.sides();
    f.score = clamp01(0.3 + 0.3 * o.after_presence + 0.4 * share);
    f.values = {{"after_per_trace", o.after_calls_per_trace}};
    f.attributes = {{"service", o.service}, {"operation", o.operation}, {"peer_service", o.peer_service},
                    {"db_statement", o.db_statement}};
    found.push_back(std::move(f));
  }
  std::stable_sort(found.begin(), found.end(), [](const Finding& x, const Finding& y) { return x.score > y.score; });
  found.resize(std::min(found.size(), cx.options().max_per_kind));
  for (auto& f : found) out.push_back(std::move(f));
}

void span_errors(const TraceDiff& d, const Context& cx, std::vector<Finding>& out) {
  const auto& opt = cx.options();
  std::vector<Finding> found;
  for (const auto& o : d.operations) {
    if (o.after_calls < opt.min_error_calls || o.before_error_ratio > opt.error_before_max ||
        o.after_error_ratio < opt.error_after_min) {
      continue;
    }
    Finding f = cx.base(kinds::kSpanErrors);
    f.title = key(o) + " fails in " + percent(o.after_error_ratio) + " of calls (was " + percent(o.before_error_ratio) + ")";
    f.detail = std::to_string(o.after_calls) + " calls after the onset, " + std::to_string(o.before_calls) + " before." + cx.sides();
    f.score = clamp01(0.3 + 0.7 * o.after_error_ratio);
    f.values = {{"before_error_ratio", o.before_error_ratio}, {"after_error_ratio", o.after_error_ratio}};
    f.attributes = {{"service", o.service}, {"operation", o.operation}};
    found.push_back(std::move(f));
  }
  std::stable_sort(found.begin(), found.end(), [](const Finding& x, const Finding& y) {
    return x.values.at("after_error_ratio") > y.values.at("after_error_ratio");
  });
  found.resize(std::min(found.size(), opt.max_per_kind));
  for (auto& f : found) out.push_back(std::move(f));
}

void dependencies(const TraceDiff& d, const Context& cx, std::vector<Finding>& out) {
  std::vector<Finding> found;
  for (const auto& dep : d.dependencies) {
    if (dep.before_calls == 0 || !cx.grew(dep.before_ms, dep.after_ms, dep.t)) continue;
    double share = cx.share(dep.before_critical_ms, dep.after_critical_ms);
    Finding f = cx.base(kinds::kDependency);
    f.title = "downstream " + dep.service + ": " + ms_text(dep.before_ms) + " -> " + ms_text(dep.after_ms) + " per request" +
              cx.share_text(share);
    f.detail = "Time spent in " + dep.service + "'s own spans (self time, summed per request); critical-path time " +
               ms_text(dep.before_critical_ms) + " -> " + ms_text(dep.after_critical_ms) + "." + cx.sides();
    f.score = 0.15 + 0.85 * share;
    f.values = {{"before_ms", dep.before_ms}, {"after_ms", dep.after_ms}, {"share", share}};
    f.attributes = {{"service", dep.service}};
    found.push_back(std::move(f));
  }
  std::stable_sort(found.begin(), found.end(), [](const Finding& x, const Finding& y) { return x.score > y.score; });
  found.resize(std::min(found.size(), cx.options().max_per_kind));
  for (auto& f : found) out.push_back(std::move(f));
}

}  // namespace

std::vector<Finding> trace_findings(const TraceDiff& diff, int first_id, const TraceDiffOptions& options) {
  std::vector<Finding> out;
  if (diff.before_traces < options.min_traces || diff.after_traces < options.min_traces) return out;
  Context cx(diff, options);
  span_latency(diff, cx, out);
  fanout(diff, cx, out);
  new_calls(diff, cx, out);
  span_errors(diff, cx, out);
  dependencies(diff, cx, out);
  // Strongest first; within equal scores the kinds keep the order above.
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.score > b.score; });
  for (auto& f : out) f.id = "t" + std::to_string(first_id++);
  return out;
}

}  // namespace alertbot::investigators::analysis
