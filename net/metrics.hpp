// MetricsRegistry: the process' own metrics (counters, gauges, histograms with fixed buckets),
// rendered in the Prometheus text exposition format 0.0.4 by render(). Thread-safe: updates are
// atomics (a histogram takes its own short mutex), and a family's label-value cache takes its
// mutex only to find or add a child, so nothing here blocks an event loop for long. A child
// returned by with() lives as long as the registry: callers may keep the reference.
// Misuse is a bug and throws std::invalid_argument: a bad or duplicate name, a counter not ending
// in _total, buckets not increasing, the wrong number of label values.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace alertbot {

// Only goes up: negative, NaN and infinite increments are ignored.
class Counter {
 public:
  void inc(double by = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the upper bounds (le) of the buckets, strictly increasing; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);  // NaN is ignored

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<std::uint64_t> counts_;  // guarded by mu_: per bucket (not cumulative), last is +Inf
  double sum_ = 0;                     // guarded by mu_
};

// Default buckets for durations in seconds: 5 ms to 5 minutes.
std::vector<double> duration_buckets();

// The samples of one metric name: one child per set of label values.
class MetricFamilyBase {
 public:
  MetricFamilyBase(std::string name, std::string help, std::vector<std::string> label_names);
  virtual ~MetricFamilyBase() = default;
  const std::string& name() const { return name_; }
  // Appends # HELP, # TYPE and the samples (nothing when there is no child yet).
  virtual void render_into(std::string& out) const = 0;

 protected:
  // `{a="x",b="y"` without the closing brace, or empty when there are no labels.
  std::string label_prefix(const std::vector<std::string>& values) const;
  void render_header(std::string& out, std::string_view type) const;
  void check_arity(std::size_t n) const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
};

template <class M>
class MetricFamily final : public MetricFamilyBase {
 public:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds = {})
      : MetricFamilyBase(std::move(name), std::move(help), std::move(label_names)), bounds_(std::move(bounds)) {}

  // The child for these label values (in the order of the label names), created on first use.
  M& with(std::vector<std::string> values);
  M& with(std::initializer_list<std::string_view> values) { return with(std::vector<std::string>(values.begin(), values.end())); }
  void render_into(std::string& out) const override;

 private:
  const std::vector<double> bounds_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_;  // guarded by mu_; sorted output
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Families; with no label names, the single child exists at once (it renders as 0).
  MetricFamily<Counter>& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  MetricFamily<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  MetricFamily<Histogram>& histogram(std::string name, std::string help, std::vector<double> bounds,
                                     std::vector<std::string> label_names = {});

  // Every family in registration order, in the text format 0.0.4 (Content-Type kContentType).
  std::string render() const;
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  void check_new_name(const std::string& name) const;  // requires mu_

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<MetricFamilyBase>> families_;  // guarded by mu_
};

// Text-format helpers, exposed for the tests: a sample value (shortest round trip; +Inf, -Inf,
// NaN), a label value escaped (\\, \", \n) and HELP text escaped (\\, \n).
std::string format_metric_value(double v);
std::string escape_label_value(std::string_view v);
std::string escape_help(std::string_view v);

}  // namespace alertbot
