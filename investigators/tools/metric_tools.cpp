// query_metrics: a PromQL range query (or the service's configured queries) summarised per
// series: min, max (and when), mean, last, and ~30 evenly spaced raw samples.
#include <boost/json/array.hpp>
#include <limits>

#include "investigators/sources/prometheus_source.hpp"
#include "investigators/tools/tool_context.hpp"
#include "investigators/tools/tool_json.hpp"

namespace alertbot::investigators::tools {
namespace {

namespace json = boost::json;

// Series shown; more are counted and left out.
constexpr std::size_t kMaxSeries = 8;
// Samples shown per series: fewer when there are many series, to stay well under the answer cap.
constexpr std::size_t kPointsFew = 30;
constexpr std::size_t kPointsMany = 15;
constexpr std::size_t kManySeries = 4;
constexpr std::size_t kMaxLabels = 12;

json::array sampled_points(const std::vector<Point>& points, std::size_t want) {
  json::array out;
  const std::size_t n = points.size();
  if (n == 0) return out;
  std::size_t k = std::min(want, n);
  for (std::size_t i = 0; i < k; ++i) {
    // Evenly spaced indexes; the first and the last sample are always included.
    std::size_t idx = k == 1 ? n - 1 : i * (n - 1) / (k - 1);
    json::array p;
    p.emplace_back(rfc3339(points[idx].t));
    p.emplace_back(points[idx].v);
    out.push_back(std::move(p));
  }
  return out;
}

json::object series_json(const MetricSeries& s, std::size_t points_wanted) {
  json::object o;
  if (!s.name.empty()) o["name"] = s.name;
  o["query"] = clip(s.query, 300);
  if (!s.unit.empty()) o["unit"] = s.unit;
  json::object labels;
  for (const auto& [k, v] : s.labels) {
    if (labels.size() == kMaxLabels) break;
    labels[clip(k, 60)] = clip(v, 120);
  }
  o["labels"] = std::move(labels);
  o["points_total"] = s.points.size();
  if (!s.points.empty()) {
    const Point* lo = &s.points.front();
    const Point* hi = &s.points.front();
    double sum = 0;
    for (const auto& p : s.points) {
      if (p.v < lo->v) lo = &p;
      if (p.v > hi->v) hi = &p;
      sum += p.v;
    }
    o["min"] = lo->v;
    o["min_at"] = rfc3339(lo->t);
    o["max"] = hi->v;
    o["max_at"] = rfc3339(hi->t);
    o["mean"] = sum / static_cast<double>(s.points.size());
    o["last"] = s.points.back().v;
    o["last_at"] = rfc3339(s.points.back().t);
    o["points"] = sampled_points(s.points, points_wanted);
  }
  return o;
}

std::string metrics_answer(const ServiceSettings& service, const Window& w, const std::vector<MetricSeries>& series,
                           const std::vector<std::string>& notes) {
  json::object out;
  out["service"] = service.name;
  out["window"] = window_json(w);
  out["series_total"] = series.size();
  const std::size_t points = series.size() > kManySeries ? kPointsMany : kPointsFew;
  json::array list;
  std::size_t used = 0;
  for (std::size_t i = 0; i < series.size() && i < kMaxSeries; ++i) {
    if (!append_within(list, series_json(series[i], points), used)) break;
  }
  if (list.size() < series.size()) {
    out["truncated"] = "the first " + std::to_string(list.size()) + " of " + std::to_string(series.size()) +
                       " series are shown; aggregate the query (sum by, topk) for fewer";
  }
  out["series"] = std::move(list);
  if (series.empty()) out["note"] = "the query returned no series in the window";
  if (!notes.empty()) out["notes"] = notes_json(notes);
  return to_compact_json(out);
}

bool has_configured_queries(const PrometheusSettings& p) {
  return !p.latency.empty() || !p.errors.empty() || !p.saturation.empty() || !p.traffic.empty();
}

awaitable<Result<std::string>> query_metrics(ToolDeps deps, json::object args) {
  auto found = find_service(deps, args);
  if (!found) co_return found.error();
  const ServiceSettings& service = **found;
  if (!service.prometheus || service.prometheus->url.empty()) co_return unavailable(service, "metrics", "prometheus.url");
  const Window w = minutes_window(deps, args);
  const std::string promql = string_arg(args, "promql");
  std::vector<MetricSeries> series;
  std::vector<std::string> notes;
  if (!promql.empty()) {
    auto got = co_await prometheus_range_query(deps.http, service.prometheus->url, promql, w.start, w.end);
    if (!got) co_return got.error();
    series = std::move(*got);
  } else {
    if (!has_configured_queries(*service.prometheus)) {
      co_return fail(Errc::InvalidArgument, "service " + service.name + " configures no metric queries: pass promql");
    }
    auto sources = sources_of(deps, service, SourceKind::Metrics);
    for (auto& source : sources) {
      const Query q = make_query(service, w);
      auto data = co_await source->fetch(q);
      if (!data) co_return data.error();
      for (auto& s : data->series) series.push_back(std::move(s));
      for (auto& n : data->notes) notes.push_back(std::move(n));
    }
  }
  co_return metrics_answer(service, w, series, notes);
}

}  // namespace

Result<void> add_metric_tools(ToolRegistry& registry, const ToolDeps& deps) {
  ToolInfo info{"query_metrics",
                "A Prometheus range query over the last N minutes for a service: per series the min, max (and when), "
                "mean, last value and ~30 evenly spaced samples. Without promql, the service's configured latency, "
                "error, saturation and traffic queries are run.",
                R"j({"type":"object","properties":{
"service":{"type":"string","minLength":1,"maxLength":200,"description":"a service name from list_services"},
"promql":{"type":"string","minLength":1,"maxLength":2000,"description":"PromQL; default: the service's configured queries"},
"minutes":{"type":"integer","minimum":1,"maximum":1440,"description":"window ending now, in minutes (default 60)"}},
"required":["service"],"additionalProperties":false})j"};
  return add_tool(registry, deps, std::move(info), query_metrics);
}

}  // namespace alertbot::investigators::tools
