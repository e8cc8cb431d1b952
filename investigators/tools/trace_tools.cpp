// search_traces (a window of a service's traces, summarised) and get_trace (one trace's spans).
#include <algorithm>
#include <boost/json/array.hpp>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "investigators/analysis/stats.hpp"
#include "investigators/sources/trace_lookup.hpp"
#include "investigators/tools/tool_context.hpp"
#include "investigators/tools/tool_json.hpp"
#include "net/gather.hpp"

namespace alertbot::investigators::tools {
namespace {

namespace json = boost::json;

constexpr std::size_t kSlowest = 5;         // slowest traces listed
constexpr std::size_t kErrorIds = 5;        // error trace ids listed
constexpr std::size_t kTopOperations = 8;   // operations by self time
constexpr std::size_t kMaxSpansShown = 30;  // get_trace: the longest spans
constexpr std::size_t kMaxServicesShown = 20;

// Each span's time not covered by its children (children clipped to it, overlaps merged), in us.
std::vector<std::int64_t> self_times_us(const Trace& t) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < t.spans.size(); ++i) index.emplace(t.spans[i].span_id, i);
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> children(t.spans.size());
  for (const auto& s : t.spans) {
    if (s.parent_id.empty()) continue;
    auto it = index.find(s.parent_id);
    if (it != index.end()) children[it->second].emplace_back(s.start_us, s.start_us + s.duration_us);
  }
  std::vector<std::int64_t> out(t.spans.size());
  for (std::size_t i = 0; i < t.spans.size(); ++i) {
    const std::int64_t a = t.spans[i].start_us, b = a + t.spans[i].duration_us;
    auto& c = children[i];
    std::sort(c.begin(), c.end());
    std::int64_t covered = 0, reach = a;
    for (auto [x, y] : c) {
      x = std::max(x, reach);
      y = std::min(y, b);
      if (y > x) {
        covered += y - x;
        reach = y;
      }
    }
    out[i] = std::max<std::int64_t>(0, t.spans[i].duration_us - covered);
  }
  return out;
}

struct TraceSummary {
  const Trace* trace = nullptr;
  std::int64_t start_us = 0;
  std::int64_t duration_us = 0;
  bool error = false;
  std::string root;  // "service: operation" of the root span (or the earliest)
};

TraceSummary summarize(const Trace& t) {
  TraceSummary s;
  s.trace = &t;
  if (t.spans.empty()) return s;
  std::int64_t lo = t.spans.front().start_us, hi = lo;
  const Span* root = nullptr;
  const Span* earliest = &t.spans.front();
  for (const auto& sp : t.spans) {
    lo = std::min(lo, sp.start_us);
    hi = std::max(hi, sp.start_us + sp.duration_us);
    s.error = s.error || sp.error;
    if (sp.start_us < earliest->start_us) earliest = &sp;
    if (!root && sp.parent_id.empty()) root = &sp;
  }
  const Span* r = root ? root : earliest;
  s.start_us = lo;
  s.duration_us = hi - lo;
  s.root = clip(r->service, 100) + ": " + clip(r->operation, 150);
  return s;
}

Time time_of_us(std::int64_t us) { return Time(std::chrono::microseconds(us)); }

json::object trace_line(const TraceSummary& s) {
  json::object o;
  o["trace_id"] = s.trace->trace_id;
  o["duration_ms"] = ms_of_us(s.duration_us);
  o["root"] = s.root;
  o["start"] = rfc3339(time_of_us(s.start_us));
  o["spans"] = s.trace->spans.size();
  if (s.error) o["error"] = true;
  return o;
}

struct OperationTotals {
  std::int64_t self_us = 0;
  std::size_t spans = 0;
  std::size_t errors = 0;
};

json::array top_operations(const std::vector<const Trace*>& traces) {
  std::map<std::pair<std::string, std::string>, OperationTotals> ops;
  std::int64_t total = 0;
  for (const Trace* t : traces) {
    auto self = self_times_us(*t);
    for (std::size_t i = 0; i < t->spans.size(); ++i) {
      auto& o = ops[{t->spans[i].service, t->spans[i].operation}];
      o.self_us += self[i];
      o.spans += 1;
      o.errors += t->spans[i].error;
      total += self[i];
    }
  }
  std::vector<std::pair<const std::pair<std::string, std::string>*, const OperationTotals*>> order;
  order.reserve(ops.size());
  for (const auto& [k, v] : ops) order.emplace_back(&k, &v);
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.second->self_us > b.second->self_us; });
  json::array out;
  for (std::size_t i = 0; i < order.size() && i < kTopOperations; ++i) {
    json::object o;
    o["service"] = clip(order[i].first->first, 100);
    o["operation"] = clip(order[i].first->second, 150);
    o["self_ms_total"] = ms_of_us(order[i].second->self_us);
    o["self_share"] = total > 0 ? static_cast<double>(order[i].second->self_us) / static_cast<double>(total) : 0.0;
    o["spans"] = order[i].second->spans;
    if (order[i].second->errors) o["error_spans"] = order[i].second->errors;
    out.push_back(std::move(o));
  }
  return out;
}

json::object percentiles(const std::vector<double>& durations) {
  json::object d;
  d["p50"] = analysis::quantile(durations, 0.5);
  d["p90"] = analysis::quantile(durations, 0.9);
  d["p99"] = analysis::quantile(durations, 0.99);
  d["max"] = *std::max_element(durations.begin(), durations.end());
  return d;
}

std::string traces_answer(const ServiceSettings& service, const Window& w, const std::vector<TraceSample>& samples,
                          const std::vector<std::string>& notes) {
  std::vector<const Trace*> traces;
  std::set<std::string> backends;
  for (const auto& sample : samples) {
    backends.insert(sample.backend);
    for (const auto& t : sample.traces) traces.push_back(&t);
  }
  std::vector<TraceSummary> sums;
  std::vector<double> durations;
  std::size_t spans = 0;
  for (const Trace* t : traces) {
    sums.push_back(summarize(*t));
    durations.push_back(ms_of_us(sums.back().duration_us));
    spans += t->spans.size();
  }
  std::stable_sort(sums.begin(), sums.end(), [](const auto& a, const auto& b) { return a.duration_us > b.duration_us; });
  json::object out;
  out["service"] = service.name;
  json::array backend_list;
  for (const auto& b : backends) backend_list.emplace_back(b);
  out["backends"] = std::move(backend_list);
  out["window"] = window_json(w);
  out["traces"] = traces.size();
  out["spans"] = spans;
  if (!durations.empty()) out["duration_ms"] = percentiles(durations);
  json::array error_ids;
  std::size_t error_traces = 0;
  for (const auto& s : sums) {
    if (!s.error) continue;
    if (error_traces++ < kErrorIds) error_ids.emplace_back(s.trace->trace_id);
  }
  out["error_traces"] = error_traces;
  if (!error_ids.empty()) out["error_trace_ids"] = std::move(error_ids);
  out["top_self_time"] = top_operations(traces);
  json::array slowest;
  for (std::size_t i = 0; i < sums.size() && i < kSlowest; ++i) slowest.push_back(trace_line(sums[i]));
  out["slowest"] = std::move(slowest);
  if (!notes.empty()) out["notes"] = notes_json(notes);
  return to_compact_json(out);
}

awaitable<Result<std::string>> search_traces(ToolDeps deps, json::object args) {
  auto found = find_service(deps, args);
  if (!found) co_return found.error();
  const ServiceSettings& service = **found;
  auto sources = sources_of(deps, service, SourceKind::Traces);
  if (sources.empty()) co_return unavailable(service, "traces", "traces.jaeger or traces.tempo");
  const Window w = minutes_window(deps, args);
  const Query q = make_query(service, w);
  auto fetched = co_await fetch_all(std::move(sources), q);
  if (!fetched) co_return fetched.error();
  std::vector<TraceSample> samples;
  for (auto& data : fetched->data) {
    for (auto& t : data.traces) samples.push_back(std::move(t));
  }
  co_return traces_answer(service, w, samples, fetched->notes);
}

json::object span_json(const Span& s, std::int64_t trace_start, std::int64_t self_us) {
  json::object o;
  o["service"] = clip(s.service, 100);
  o["operation"] = clip(s.operation, 150);
  o["start_ms"] = ms_of_us(s.start_us - trace_start);
  o["duration_ms"] = ms_of_us(s.duration_us);
  o["self_ms"] = ms_of_us(self_us);
  if (s.error) o["error"] = true;
  if (!s.db_statement.empty()) o["db"] = clip(s.db_statement, 160);
  if (!s.http_route.empty()) o["route"] = clip(s.http_route, 120);
  if (!s.peer_service.empty()) o["peer"] = clip(s.peer_service, 80);
  return o;
}

std::string trace_answer(const ServiceSettings& service, const Trace& t) {
  TraceSummary sum = summarize(t);
  auto self = self_times_us(t);
  std::vector<std::size_t> order(t.spans.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return t.spans[a].duration_us > t.spans[b].duration_us; });
  std::set<std::string> services;
  std::size_t error_spans = 0;
  for (const auto& s : t.spans) {
    services.insert(s.service);
    error_spans += s.error;
  }
  json::object out;
  out["service"] = service.name;
  out["trace_id"] = t.trace_id;
  out["root"] = sum.root;
  out["start"] = rfc3339(time_of_us(sum.start_us));
  out["duration_ms"] = ms_of_us(sum.duration_us);
  out["spans_total"] = t.spans.size();
  out["error_spans"] = error_spans;
  json::array svc;
  for (const auto& s : services) {
    if (svc.size() == kMaxServicesShown) break;
    svc.emplace_back(clip(s, 100));
  }
  out["services"] = std::move(svc);
  json::array spans;
  std::size_t used = 0;
  for (std::size_t i = 0; i < order.size() && i < kMaxSpansShown; ++i) {
    if (!append_within(spans, span_json(t.spans[order[i]], sum.start_us, self[order[i]]), used)) break;
  }
  if (spans.size() < t.spans.size()) {
    out["truncated"] = "the " + std::to_string(spans.size()) + " longest of " + std::to_string(t.spans.size()) + " spans";
  }
  out["spans"] = std::move(spans);
  return to_compact_json(out);
}

awaitable<Result<std::string>> get_trace(ToolDeps deps, json::object args) {
  auto found = find_service(deps, args);
  if (!found) co_return found.error();
  const ServiceSettings& service = **found;
  if (!service.traces || (service.traces->jaeger.empty() && service.traces->tempo.empty())) {
    co_return unavailable(service, "traces", "traces.jaeger or traces.tempo");
  }
  const std::string id = string_arg(args, "trace_id");
  auto trace = co_await lookup_trace(deps.http, *service.traces, id);
  if (!trace) co_return trace.error();
  co_return trace_answer(service, *trace);
}

}  // namespace

Result<void> add_trace_tools(ToolRegistry& registry, const ToolDeps& deps) {
  ToolInfo search{"search_traces",
                  "Traces of a service over the last N minutes, summarised: count, duration percentiles (ms), error "
                  "traces, the operations with the most self time, and the slowest trace ids (for get_trace).",
                  R"j({"type":"object","properties":{
"service":{"type":"string","minLength":1,"maxLength":200,"description":"a service name from list_services"},
"minutes":{"type":"integer","minimum":1,"maximum":1440,"description":"window ending now, in minutes (default 60)"}},
"required":["service"],"additionalProperties":false})j"};
  if (auto r = add_tool(registry, deps, std::move(search), search_traces); !r) return r;
  ToolInfo get{"get_trace",
               "One trace by id from the service's tracing backend: its spans (service, operation, start offset, "
               "duration and self time in ms, error, what they touched), the longest first.",
               R"j({"type":"object","properties":{
"service":{"type":"string","minLength":1,"maxLength":200,"description":"a service name from list_services"},
"trace_id":{"type":"string","minLength":16,"maxLength":32,"description":"16 or 32 hex digits"}},
"required":["service","trace_id"],"additionalProperties":false})j"};
  return add_tool(registry, deps, std::move(get), get_trace);
}

}  // namespace alertbot::investigators::tools
