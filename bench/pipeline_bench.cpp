// The pipeline's own cost: investigations whose sources answer after injected latencies (a
// metrics source, a deploys source, a traces source, a logs source, each with its own delay), run
// on the real clock with the analyses on a thread pool, as the bot runs them. Reports how far the
// total lands past the slowest source: that difference is the pipeline's overhead (scheduling,
// deadlines, merging, analyses); ratio_p50 is the median total as a multiple of the slowest source.
// The traces source returns TRACES traces of 20 spans so the analyses have real work. Prints one
// JSON object.
// Usage: bench_pipeline [RUNS=20] [SLOWEST_MS=200] [TRACES=2000]
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "investigators/analysis/stats.hpp"
#include "investigators/pipeline.hpp"
#include "investigators/source_registry.hpp"
#include "net/clock.hpp"
#include "net/logging.hpp"
#include "tests/support/run_coro.hpp"

using namespace alertbot;
using namespace alertbot::investigators;
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

const Time kNow = Time(std::chrono::seconds(1795578000));

// A source that answers `data` after `delay` on the given clock.
class DelayedSource final : public Source {
 public:
  DelayedSource(std::string name, SourceKind kind, Clock& clock, milliseconds delay, const SourceData& data)
      : name_(std::move(name)), kind_(kind), clock_(clock), delay_(delay), data_(data) {}
  std::string name() const override { return name_; }
  SourceKind kind() const override { return kind_; }
  awaitable<Result<SourceData>> fetch(const Query&) override {
    co_await clock_.sleep_for(delay_);
    co_return data_;
  }

 private:
  std::string name_;
  SourceKind kind_;
  Clock& clock_;
  milliseconds delay_;
  const SourceData& data_;
};

class DelayedFactory final : public SourceFactory {
 public:
  DelayedFactory(std::string name, SourceKind kind, Clock& clock, milliseconds delay, SourceData data)
      : name_(std::move(name)), kind_(kind), clock_(clock), delay_(delay), data_(std::move(data)) {}
  std::string name() const override { return name_; }
  std::unique_ptr<Source> create(const ServiceSettings&) const override {
    return std::make_unique<DelayedSource>(name_, kind_, clock_, delay_, data_);
  }

 private:
  std::string name_;
  SourceKind kind_;
  Clock& clock_;
  milliseconds delay_;
  SourceData data_;
};

SourceData metrics() {
  SourceData d;
  MetricSeries s;
  s.name = "latency";
  s.unit = "seconds";
  for (int i = 0; i < 240; ++i) {
    double v = (i < 180 ? 0.18 : 0.9) + 0.01 * std::sin(i * 12.9898);
    s.points.push_back({kNow - std::chrono::seconds(15 * (240 - i)), v});
  }
  d.series = {s, s, s};
  d.series[1].name = "errors";
  d.series[2].name = "traffic";
  return d;
}

SourceData deploys() {
  SourceData d;
  DeployEvent e;
  e.id = "deploy-1";
  e.service = "checkout";
  e.version = "v2";
  e.previous_version = "v1";
  e.at = kNow - std::chrono::minutes(17);
  d.deploys = {e};
  return d;
}

SourceData traces(int n) {
  SourceData d;
  TraceSample sample;
  sample.backend = "jaeger";
  for (int t = 0; t < n; ++t) {
    Trace tr;
    tr.trace_id = std::to_string(t);
    const std::int64_t start = std::chrono::duration_cast<std::chrono::microseconds>(
                                   (kNow - std::chrono::minutes(60) + std::chrono::seconds(t * 3600 / n)).time_since_epoch())
                                   .count();
    const bool after = t > n * 3 / 4;
    Span root{"r", "", "checkout", "POST /checkout", start, 0, false, "", "/checkout", ""};
    std::int64_t at = start + 1000;
    for (int k = 0; k < 19; ++k) {
      const bool db = k % 2 == 0;
      Span s{"s" + std::to_string(k), "r", db ? "orders" : "payments", db ? "SELECT items" : "charge", at,
             (after && !db) ? 30000 : 5000, false, db ? "SELECT * FROM items WHERE order_id = ?" : "", "", ""};
      at += s.duration_us;
      tr.spans.push_back(s);
    }
    root.duration_us = at - start + 1000;
    tr.spans.insert(tr.spans.begin(), root);
    sample.traces.push_back(std::move(tr));
  }
  d.traces = {std::move(sample)};
  return d;
}

json::object summary(const std::vector<double>& v) {
  using analysis::quantile;
  auto q = [&](double p) { return std::round(quantile(v, p) * 10) / 10; };
  return {{"p50", q(0.5)}, {"p90", q(0.9)}, {"p99", q(0.99)}, {"max", q(1.0)}};
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  const int slowest = argc > 2 ? std::max(1, std::atoi(argv[2])) : 200;
  const int n_traces = argc > 3 ? std::max(0, std::atoi(argv[3])) : 2000;
  init_logging(LogLineFormat::Text, "error");
  asio::io_context io;
  asio::thread_pool pool(2);
  auto clock = make_system_clock();
  const milliseconds delays[] = {milliseconds(slowest / 4), milliseconds(slowest / 2), milliseconds(slowest),
                                 milliseconds(slowest * 3 / 4)};
  SourceRegistry registry;
  (void)registry.add(std::make_unique<DelayedFactory>("prometheus", SourceKind::Metrics, *clock, delays[0], metrics()));
  (void)registry.add(std::make_unique<DelayedFactory>("deploys", SourceKind::Deploys, *clock, delays[1], deploys()));
  (void)registry.add(std::make_unique<DelayedFactory>("jaeger", SourceKind::Traces, *clock, delays[2], traces(n_traces)));
  (void)registry.add(std::make_unique<DelayedFactory>("loki", SourceKind::Logs, *clock, delays[3], SourceData{}));
  Pipeline pipeline(registry, *clock, {}, pool.get_executor());
  ServiceSettings service;
  service.name = "checkout";

  std::vector<double> totals, overheads, analysis;
  std::size_t causes = 0;
  std::string top;
  for (int i = 0; i < runs; ++i) {
    InvestigationInput in;
    in.service = "checkout";
    in.settings = &service;
    in.at = kNow;
    auto started = clock->steady_now();
    auto r = testing::run_coro(io, pipeline.run(std::move(in)));
    double total = std::chrono::duration<double, std::milli>(clock->steady_now() - started).count();
    totals.push_back(total);
    overheads.push_back(total - slowest);
    analysis.push_back(static_cast<double>(r.analysis_ms.count()));
    causes = r.causes.size();
    top = r.causes.empty() ? "" : r.causes.front().suspect.kind + " " + r.causes.front().suspect.ref;
  }
  json::object out{{"bench", "pipeline"},
                   {"runs", runs},
                   {"sources", 4},
                   {"slowest_source_ms", slowest},
                   {"traces", n_traces},
                   {"spans", n_traces * 20},
                   {"total_ms", summary(totals)},
                   {"overhead_ms", summary(overheads)},
                   // The critical path's headline: total over the slowest source (1.0 = no overhead).
                   {"ratio_p50", std::round(analysis::quantile(totals, 0.5) / slowest * 100) / 100},
                   {"analysis_ms", summary(analysis)},
                   {"causes", causes},
                   {"top_cause", top}};
  std::printf("%s\n", json::serialize(out).c_str());
  return 0;
}
