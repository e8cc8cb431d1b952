#include "net/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace alertbot {
namespace {

bool valid_name(std::string_view s, bool colon_ok) {
  if (s.empty()) return false;
  auto ok = [&](char c, bool first) {
    if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    if (colon_ok && c == ':') return true;
    return !first && c >= '0' && c <= '9';
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!ok(s[i], i == 0)) return false;
  }
  return true;
}

}  // namespace

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Backslash and newline escaped (HELP text); with `quotes`, double quotes too (label values).
std::string escape_text(std::string_view v, bool quotes) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quotes && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_label_value(std::string_view v) { return escape_text(v, true); }
std::string escape_help(std::string_view v) { return escape_text(v, false); }

void Counter::inc(double by) {
  if (!(by >= 0) || std::isinf(by)) return;
  value_.fetch_add(by, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (std::isnan(bounds_[i]) || std::isinf(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
      throw std::invalid_argument("histogram buckets must be finite and strictly increasing");
    }
  }
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  // The first bucket whose bound is >= v (le is inclusive); past the last: +Inf.
  auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  std::lock_guard lock(mu_);
  ++counts_[i];
  sum_ += v;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  std::lock_guard lock(mu_);
  s.cumulative.reserve(counts_.size());
  std::uint64_t running = 0;
  for (auto c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_;
  return s;
}

std::vector<double> duration_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
}

MetricFamilyBase::MetricFamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  if (!valid_name(name_, true)) throw std::invalid_argument("metric name '" + name_ + "' is not valid");
  for (std::size_t i = 0; i < label_names_.size(); ++i) {
    const auto& l = label_names_[i];
    if (!valid_name(l, false) || l.starts_with("__")) throw std::invalid_argument("label name '" + l + "' is not valid");
    if (std::count(label_names_.begin(), label_names_.end(), l) > 1) {
      throw std::invalid_argument("label name '" + l + "' given twice");
    }
  }
}

std::string MetricFamilyBase::label_prefix(const std::vector<std::string>& values) const {
  std::string out;
  for (std::size_t i = 0; i < label_names_.size(); ++i) {
    out += i == 0 ? "{" : ",";
    out += label_names_[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  return out;
}

void MetricFamilyBase::render_header(std::string& out, std::string_view type) const {
  out += "# HELP " + name_ + " " + escape_help(help_) + "\n";
  out += "# TYPE " + name_ + " ";
  out += type;
  out += '\n';
}

void MetricFamilyBase::check_arity(std::size_t n) const {
  if (n != label_names_.size()) {
    throw std::invalid_argument(name_ + ": " + std::to_string(label_names_.size()) + " label value(s) expected, got " +
                                std::to_string(n));
  }
}

template <class M>
M& MetricFamily<M>::with(std::vector<std::string> values) {
  check_arity(values.size());
  std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it != children_.end()) return *it->second;
  std::unique_ptr<M> child;
  if constexpr (std::is_same_v<M, Histogram>) {
    child = std::make_unique<Histogram>(bounds_);
  } else {
    child = std::make_unique<M>();
  }
  auto& ref = *child;
  children_.emplace(std::move(values), std::move(child));
  return ref;
}

template <class M>
void MetricFamily<M>::render_into(std::string& out) const {
  std::lock_guard lock(mu_);
  if (children_.empty()) return;
  if constexpr (std::is_same_v<M, Counter>) {
    render_header(out, "counter");
  } else if constexpr (std::is_same_v<M, Gauge>) {
    render_header(out, "gauge");
  } else {
    render_header(out, "histogram");
  }
  for (const auto& [values, child] : children_) {
    std::string labels = label_prefix(values);
    if constexpr (std::is_same_v<M, Histogram>) {
      auto snap = child->snapshot();
      const std::string sep = labels.empty() ? "{" : labels + ",";
      for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        std::string le = i < bounds_.size() ? format_metric_value(bounds_[i]) : "+Inf";
        out += name_ + "_bucket" + sep + "le=\"" + le + "\"} " + std::to_string(snap.cumulative[i]) + "\n";
      }
      const std::string closed = labels.empty() ? "" : labels + "}";
      out += name_ + "_sum" + closed + " " + format_metric_value(snap.sum) + "\n";
      out += name_ + "_count" + closed + " " + std::to_string(snap.count) + "\n";
    } else {
      out += name_ + (labels.empty() ? "" : labels + "}") + " " + format_metric_value(child->value()) + "\n";
    }
  }
}

template class MetricFamily<Counter>;
template class MetricFamily<Gauge>;
template class MetricFamily<Histogram>;

void MetricsRegistry::check_new_name(const std::string& name) const {
  for (const auto& f : families_) {
    if (f->name() == name) throw std::invalid_argument("metric '" + name + "' registered twice");
  }
}

MetricFamily<Counter>& MetricsRegistry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  if (!name.ends_with("_total")) throw std::invalid_argument("counter '" + name + "' must end in _total");
  const bool single = label_names.empty();
  auto family = std::make_unique<MetricFamily<Counter>>(std::move(name), std::move(help), std::move(label_names));
  auto& ref = *family;
  {
    std::lock_guard lock(mu_);
    check_new_name(ref.name());
    families_.push_back(std::move(family));
  }
  if (single) ref.with(std::vector<std::string>{});
  return ref;
}

MetricFamily<Gauge>& MetricsRegistry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  const bool single = label_names.empty();
  auto family = std::make_unique<MetricFamily<Gauge>>(std::move(name), std::move(help), std::move(label_names));
  auto& ref = *family;
  {
    std::lock_guard lock(mu_);
    check_new_name(ref.name());
    families_.push_back(std::move(family));
  }
  if (single) ref.with(std::vector<std::string>{});
  return ref;
}

MetricFamily<Histogram>& MetricsRegistry::histogram(std::string name, std::string help, std::vector<double> bounds,
                                                    std::vector<std::string> label_names) {
  if (std::find(label_names.begin(), label_names.end(), "le") != label_names.end()) {
    throw std::invalid_argument("histogram '" + name + "': the label name le is reserved");
  }
  Histogram probe(bounds);  // checks the bounds before anything is registered
  const bool single = label_names.empty();
  auto family = std::make_unique<MetricFamily<Histogram>>(std::move(name), std::move(help), std::move(label_names),
                                                          std::move(bounds));
  auto& ref = *family;
  {
    std::lock_guard lock(mu_);
    check_new_name(ref.name());
    families_.push_back(std::move(family));
  }
  if (single) ref.with(std::vector<std::string>{});
  return ref;
}

std::string MetricsRegistry::render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& f : families_) f->render_into(out);
  return out;
}

}  // namespace alertbot
