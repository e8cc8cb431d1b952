#include "investigators/sources/prometheus_source.hpp"

#include <cmath>
#include <cstdio>

#include "investigators/sources/prometheus_response.hpp"
#include "investigators/sources/source_text.hpp"
#include "net/duration.hpp"
#include "net/form.hpp"
#include "net/gather.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators {
namespace {

// At most this many series per query are kept (configured queries should aggregate to one).
constexpr std::size_t kMaxSeriesPerQuery = 5;
// Points per series aimed at: enough for change-point detection, far below Prometheus' 11,000.
constexpr double kTargetPoints = 240;

struct NamedQuery {
  std::string name;
  std::string query;
  std::string unit;
};

std::string seconds_text(Time t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", to_unix_seconds(t));
  return buf;
}

std::string graph_link(const std::string& base_url, const std::string& query, Time start, Time end) {
  auto range = std::chrono::duration_cast<std::chrono::milliseconds>(end - start);
  return base_url + "/graph?" +
         form_encode({{"g0.expr", query}, {"g0.tab", "0"}, {"g0.range_input", format_duration(range)},
                      {"g0.end_input", format_rfc3339(end, false)}});
}

class PrometheusSource final : public Source {
 public:
  PrometheusSource(HttpClient& http, PrometheusSettings settings) : http_(http), settings_(std::move(settings)) {
    while (!settings_.url.empty() && settings_.url.back() == '/') settings_.url.pop_back();
  }

  std::string name() const override { return "prometheus"; }
  SourceKind kind() const override { return SourceKind::Metrics; }

  awaitable<Result<SourceData>> fetch(const Query& q) override {
    std::vector<NamedQuery> queries;
    auto add = [&](const char* name, const std::string& promql, const char* unit) {
      if (!promql.empty()) queries.push_back({name, promql, unit});
    };
    add("latency", settings_.latency, "seconds");
    add("errors", settings_.errors, "ratio");
    add("saturation", settings_.saturation, "ratio");
    add("traffic", settings_.traffic, "rps");
    if (q.alert) add("alert", expr_from_generator_url(q.alert->links.generator), "");
    if (queries.empty()) co_return fail(Errc::InvalidArgument, "prometheus: no queries configured for " + q.service);

    std::vector<awaitable<Result<QueryOutcome>>> calls;
    calls.reserve(queries.size());
    for (const auto& nq : queries) calls.push_back(range_query(nq, q.start, q.end));
    auto results = co_await gather(std::move(calls));
    SourceData data;
    std::optional<Error> first_error;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!results[i]) {
        if (!first_error) first_error = results[i].error();
        data.notes.push_back(queries[i].name + " query failed: " + results[i].error().describe());
        continue;
      }
      for (auto& s : results[i]->series) data.series.push_back(std::move(s));
      if (!results[i]->note.empty()) data.notes.push_back(results[i]->note);
    }
    if (data.series.empty() && first_error) co_return *first_error;
    co_return data;
  }

 private:
  struct QueryOutcome {
    std::vector<MetricSeries> series;
    std::string note;  // set when something was left out
  };

  awaitable<Result<QueryOutcome>> range_query(NamedQuery nq, Time start, Time end) {
    auto series = co_await prometheus_range_query(http_, settings_.url, nq.query, start, end);
    if (!series) co_return series.error();
    QueryOutcome out;
    for (auto& s : *series) {
      if (out.series.size() == kMaxSeriesPerQuery) {
        out.note = nq.name + " query gave " + std::to_string(series->size()) + " series; the first " +
                   std::to_string(kMaxSeriesPerQuery) + " were analysed (aggregate it to one series)";
        break;
      }
      s.name = nq.name;
      s.unit = nq.unit;
      out.series.push_back(std::move(s));
    }
    co_return out;
  }

  HttpClient& http_;
  PrometheusSettings settings_;
};

class PrometheusFactory final : public SourceFactory {
 public:
  explicit PrometheusFactory(HttpClient& http) : http_(http) {}
  std::string name() const override { return "prometheus"; }
  std::unique_ptr<Source> create(const ServiceSettings& service) const override {
    if (!service.prometheus || service.prometheus->url.empty()) return nullptr;
    return std::make_unique<PrometheusSource>(http_, *service.prometheus);
  }

 private:
  HttpClient& http_;
};

}  // namespace

std::unique_ptr<SourceFactory> make_prometheus_factory(HttpClient& http) { return std::make_unique<PrometheusFactory>(http); }

awaitable<Result<std::vector<MetricSeries>>> prometheus_range_query(HttpClient& http, std::string base_url,
                                                                    std::string promql, Time start, Time end) {
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  double window_s = std::chrono::duration<double>(end - start).count();
  double step = std::max(1.0, std::ceil(window_s / kTargetPoints));
  HttpRequest req;
  req.method = "POST";
  req.url = base_url + "/api/v1/query_range";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  req.body = form_encode({{"query", promql}, {"start", seconds_text(start)}, {"end", seconds_text(end)},
                          {"step", std::to_string(static_cast<long>(step))}});
  req.idempotent = true;  // a read, safe to retry
  auto resp = co_await http.send(std::move(req));
  if (!resp) co_return resp.error();
  if (!resp->is_json()) co_return not_json("prometheus", *resp, base_url + "/api/v1/query_range");
  auto parsed = parse_prometheus_result(resp->body);
  if (!parsed) co_return parsed.error();
  std::vector<MetricSeries> out;
  out.reserve(parsed->size());
  for (auto& ps : *parsed) {
    MetricSeries s;
    s.query = promql;
    s.labels = std::move(ps.labels);
    s.points = std::move(ps.points);
    s.link = graph_link(base_url, promql, start, end);
    out.push_back(std::move(s));
  }
  co_return out;
}

std::string expr_from_generator_url(const std::string& url) {
  auto q = url.find('?');
  if (q == std::string::npos) return {};
  std::string query = url.substr(q + 1);
  if (auto hash = query.find('#'); hash != std::string::npos) query.resize(hash);
  auto fields = form_decode(query);
  if (!fields) return {};
  const std::string* expr = form_get(*fields, "g0.expr");
  return expr ? *expr : std::string();
}

}  // namespace alertbot::investigators
