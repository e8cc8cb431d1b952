// MetricsRegistry: the exact text exposition format 0.0.4 (HELP/TYPE lines, counters, gauges,
// histogram buckets, sum and count), label-value and HELP escaping, value formatting, misuse
// refused, and concurrent updates from several threads adding up.
#include "net/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace alertbot {
namespace {

TEST(MetricsRegistry, RendersUnlabelledCounterAndGaugeExactly) {
  MetricsRegistry r;
  auto& c = r.counter("app_events_total", "Events seen.");
  auto& g = r.gauge("app_queue_depth", "Jobs waiting.");
  c.with({}).inc();
  c.with({}).inc(2);
  g.with({}).set(7);
  EXPECT_EQ(r.render(),
            "# HELP app_events_total Events seen.\n"
            "# TYPE app_events_total counter\n"
            "app_events_total 3\n"
            "# HELP app_queue_depth Jobs waiting.\n"
            "# TYPE app_queue_depth gauge\n"
            "app_queue_depth 7\n");
}

TEST(MetricsRegistry, UnlabelledFamiliesRenderZeroBeforeAnyUpdate) {
  MetricsRegistry r;
  r.counter("app_x_total", "X.");
  EXPECT_EQ(r.render(), "# HELP app_x_total X.\n# TYPE app_x_total counter\napp_x_total 0\n");
}

TEST(MetricsRegistry, LabelledChildrenAreSortedAndEmptyFamiliesOmitted) {
  MetricsRegistry r;
  auto& calls = r.counter("app_calls_total", "Calls.", {"method", "code"});
  r.counter("app_unused_total", "Never touched.", {"kind"});
  calls.with({"post", "200"}).inc();
  calls.with({"get", "500"}).inc(4);
  calls.with({"post", "200"}).inc();
  EXPECT_EQ(r.render(),
            "# HELP app_calls_total Calls.\n"
            "# TYPE app_calls_total counter\n"
            "app_calls_total{method=\"get\",code=\"500\"} 4\n"
            "app_calls_total{method=\"post\",code=\"200\"} 2\n");
}

TEST(MetricsRegistry, RendersHistogramBucketsCumulatively) {
  MetricsRegistry r;
  auto& h = r.histogram("app_latency_seconds", "Latency.", {0.1, 0.5, 1}, {"source"});
  auto& p = h.with({"prom"});
  p.observe(0.05);
  p.observe(0.1);  // le is inclusive
  p.observe(0.7);
  p.observe(3);
  EXPECT_EQ(r.render(),
            "# HELP app_latency_seconds Latency.\n"
            "# TYPE app_latency_seconds histogram\n"
            "app_latency_seconds_bucket{source=\"prom\",le=\"0.1\"} 2\n"
            "app_latency_seconds_bucket{source=\"prom\",le=\"0.5\"} 2\n"
            "app_latency_seconds_bucket{source=\"prom\",le=\"1\"} 3\n"
            "app_latency_seconds_bucket{source=\"prom\",le=\"+Inf\"} 4\n"
            "app_latency_seconds_sum{source=\"prom\"} 3.85\n"
            "app_latency_seconds_count{source=\"prom\"} 4\n");
}

TEST(MetricsRegistry, RendersUnlabelledHistogram) {
  MetricsRegistry r;
  auto& h = r.histogram("app_ack_seconds", "Ack.", {0.25});
  h.with({}).observe(0.5);
  EXPECT_EQ(r.render(),
            "# HELP app_ack_seconds Ack.\n"
            "# TYPE app_ack_seconds histogram\n"
            "app_ack_seconds_bucket{le=\"0.25\"} 0\n"
            "app_ack_seconds_bucket{le=\"+Inf\"} 1\n"
            "app_ack_seconds_sum 0.5\n"
            "app_ack_seconds_count 1\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  MetricsRegistry r;
  auto& c = r.counter("app_odd_total", "Back\\slash and\nnewline \"kept\".", {"v"});
  c.with({"a\"b\\c\nd"}).inc();
  EXPECT_EQ(r.render(),
            "# HELP app_odd_total Back\\\\slash and\\nnewline \"kept\".\n"
            "# TYPE app_odd_total counter\n"
            "app_odd_total{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsFormat, FormatsValues) {
  EXPECT_EQ(format_metric_value(0), "0");
  EXPECT_EQ(format_metric_value(42), "42");
  EXPECT_EQ(format_metric_value(0.005), "0.005");
  EXPECT_EQ(format_metric_value(-1.5), "-1.5");
  EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_metric_value(std::nan("")), "NaN");
}

TEST(MetricsRegistry, CounterIgnoresNegativeAndNonFiniteIncrements) {
  MetricsRegistry r;
  auto& c = r.counter("app_c_total", "C.").with({});
  c.inc(2);
  c.inc(-1);
  c.inc(std::nan(""));
  c.inc(std::numeric_limits<double>::infinity());
  c.inc(0.25);
  EXPECT_DOUBLE_EQ(c.value(), 2.25);
}

TEST(MetricsRegistry, RefusesMisuse) {
  MetricsRegistry r;
  r.counter("app_a_total", "A.", {"k"});
  EXPECT_THROW(r.counter("app_a_total", "again"), std::invalid_argument);
  EXPECT_THROW(r.gauge("app_a_total", "same name, other type"), std::invalid_argument);
  EXPECT_THROW(r.counter("app_no_suffix", "A."), std::invalid_argument);
  EXPECT_THROW(r.gauge("1bad", "A."), std::invalid_argument);
  EXPECT_THROW(r.gauge("app_g", "A.", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(r.gauge("app_g2", "A.", {"k", "k"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("app_h", "A.", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("app_h2", "A.", {1}, {"le"}), std::invalid_argument);
  auto& fam = r.counter("app_b_total", "B.", {"x", "y"});
  EXPECT_THROW(fam.with({"only-one"}), std::invalid_argument);
}

TEST(MetricsRegistry, ConcurrentUpdatesAddUp) {
  MetricsRegistry r;
  auto& c = r.counter("app_hits_total", "Hits.", {"t"});
  auto& h = r.histogram("app_h_seconds", "H.", {1});
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        c.with({t % 2 == 0 ? "even" : "odd"}).inc();
        h.with({}).observe(0.5);
        if (i % 1000 == 0) (void)r.render();  // scrapes while updating
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_DOUBLE_EQ(c.with({"even"}).value() + c.with({"odd"}).value(), kThreads * kEach);
  auto snap = h.with({}).snapshot();
  EXPECT_EQ(snap.count, static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_EQ(snap.cumulative[0], snap.count);
  EXPECT_DOUBLE_EQ(snap.sum, 0.5 * kThreads * kEach);
}

}  // namespace
}  // namespace alertbot
