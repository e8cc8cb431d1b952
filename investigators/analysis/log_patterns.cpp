// Log patterns before vs after a pivot (the second half of log_patterns.hpp; mining is in
// log_templates.cpp): rates per template over the time each side covers, exact tests, findings.
#include "investigators/analysis/log_patterns.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/units.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators::analysis {

namespace {

constexpr std::size_t kMaxExample = 300;
constexpr std::size_t kMaxTitleText = 120;

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)); }

using Minutes = std::chrono::duration<double, std::ratio<60>>;

struct Coverage {
  double before = 0;  // minutes
  double after = 0;
  bool sampled = false;
};

void add_interval(Coverage& c, Time a, Time b, Time pivot) {
  if (b <= a) return;
  if (a < pivot) c.before += Minutes(std::min(b, pivot) - a).count();
  if (b > pivot) c.after += Minutes(b - std::max(a, pivot)).count();
}

// The time the sample covers on each side of the pivot. An incomplete slice was read newest
// first up to the limit, so it covers only from its oldest line (at least a second) to its end.
Coverage coverage(const LogSample& s, Time pivot) {
  Coverage c;
  if (s.slices.empty()) {
    auto [lo, hi] = std::minmax_element(s.lines.begin(), s.lines.end(), [](const LogLine& x, const LogLine& y) { return x.t < y.t; });
    if (lo != s.lines.end()) add_interval(c, lo->t, hi->t, pivot);
    return c;
  }
  for (const auto& slice : s.slices) {
    Time a = slice.start;
    if (!slice.complete) {
      c.sampled = true;
      std::optional<Time> oldest;
      for (const auto& l : s.lines) {
        if (l.t >= slice.start && l.t < slice.end && (!oldest || l.t < *oldest)) oldest = l.t;
      }
      if (oldest) a = std::max(slice.start, std::min(*oldest, slice.end - std::chrono::seconds(1)));
    }
    add_interval(c, a, slice.end, pivot);
  }
  return c;
}

// P(X >= k) for X ~ Binomial(n, p): the exact one-sided test of two Poisson rates given the total.
double binomial_upper_tail(std::size_t k, std::size_t n, double p) {
  if (k == 0 || p >= 1) return 1;
  if (p <= 0) return 0;
  const auto dn = static_cast<double>(n);
  double lp = std::log(p), lq = std::log1p(-p), base = std::lgamma(dn + 1.0), sum = 0;
  for (std::size_t i = k; i <= n; ++i) {
    const auto di = static_cast<double>(i);
    double term = std::exp(base - std::lgamma(di + 1.0) - std::lgamma(dn - di + 1.0) + di * lp + (dn - di) * lq);
    sum += term;
    if (di > dn * p && term < sum * 1e-12) break;  // past the mode the terms only shrink
  }
  return std::min(1.0, sum);
}

std::string cap(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

void classify(LogTemplate& t, const Coverage& c, const LogPatternOptions& o) {
  if (c.before <= 0 || c.after <= 0 || t.after < o.min_new) return;
  bool is_new = t.before == 0;
  if (!is_new && t.after_per_min < o.min_growth * t.before_per_min) return;
  t.p_value = binomial_upper_tail(t.after, t.before + t.after, c.after / (c.before + c.after));
  if (t.p_value < o.max_p) t.status = is_new ? "new" : "grown";
}

int status_rank(const std::string& s) { return s == "new" ? 0 : s == "grown" ? 1 : 2; }
int level_rank(const std::string& l) { return l == "critical" || l == "error" ? 0 : l == "warn" ? 1 : 2; }

// The message part of a template (msg="..." / "message":"..."), else the whole template.
std::string message_of(const std::string& text) {
  for (std::string_view key : {"msg=\"", "message=\"", "\"msg\":\"", "\"message\":\""}) {
    auto at = text.find(key);
    if (at == std::string::npos || (at > 0 && key[0] != '"' && alnum(text[at - 1]))) continue;
    auto b = at + key.size();
    auto e = text.find('"', b);
    if (e != std::string::npos && e > b) return text.substr(b, e - b);
  }
  return text;
}

std::string rate_text(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, r >= 10 ? "%.0f" : r >= 1 ? "%.1f" : "%.2f", r);
  return buf;
}

std::string level_word(const std::string& level, bool capital) {
  std::string w = level.empty() ? "log pattern" : level + " log pattern";
  if (capital) w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
  return w;
}

Finding log_finding(const LogDiff& d, const LogTemplate& t, std::string id) {
  Finding f;
  f.id = std::move(id);
  f.kind = kinds::kLogPattern;
  f.source = d.backend.empty() ? "logs" : d.backend;
  f.link = d.link;
  f.at = t.first_after;
  std::string when = time_of_day(d.pivot);
  std::string quoted = "\"" + cap(message_of(t.text), kMaxTitleText) + "\"";
  double ratio = t.before_per_min > 0 ? t.after_per_min / t.before_per_min : 0;
  if (t.status == "new") {
    f.title = "New " + level_word(t.level, false) + " after " + when + ": " + quoted + " (" + rate_text(t.after_per_min) + "/min)";
  } else {
    f.title = level_word(t.level, true) + " grew " + rate_text(ratio) + "x after " + when + ": " + quoted + " (" +
              rate_text(t.before_per_min) + "/min -> " + rate_text(t.after_per_min) + "/min)";
  }
  char counts[160];
  std::snprintf(counts, sizeof counts, "%zu lines in %.1f min after the pivot, %zu in %.1f min before (p=%.2g)", t.after,
                d.after_minutes, t.before, d.before_minutes, t.p_value);
  f.detail = std::string(counts) + (d.sampled ? "; rates are estimated from a sample (the line limit was hit)" : "") +
             ". Example: " + t.example;
  double base = level_rank(t.level) == 0 ? (t.level == "critical" ? 1.0 : 0.9) : level_rank(t.level) == 1 ? 0.6 : 0.35;
  f.score = base * (t.status == "new" ? 1.0 : std::min(1.0, 0.5 + std::log10(std::max(ratio, 1.0)) / 2));
  f.values = {{"before_per_min", t.before_per_min}, {"after_per_min", t.after_per_min}};
  f.attributes = {{"template", t.text}, {"level", t.level}, {"example", t.example}, {"status", t.status}};
  return f;
}

}  // namespace

LogDiff diff_logs(const LogSample& sample, Time pivot, const LogPatternOptions& options) {
  LogDiff d;
  d.pivot = pivot;
  d.backend = sample.backend;
  d.query = sample.query;
  d.link = sample.link;
  d.lines = sample.lines.size();
  Coverage c = coverage(sample, pivot);
  d.before_minutes = c.before;
  d.after_minutes = c.after;
  d.sampled = c.sampled;
  TemplateMiner miner(options);
  for (const auto& l : sample.lines) {
    std::size_t id = miner.add(l.line, l.level);
    if (id == TemplateMiner::kNone) {
      ++d.unclustered;
      continue;
    }
    if (id >= d.templates.size()) d.templates.resize(id + 1);
    LogTemplate& t = d.templates[id];
    t.level = l.level;
    if (l.t >= pivot) {
      if (++t.after == 1 || l.t < *t.first_after) {
        if (t.after == 1) t.example = cap(l.line, kMaxExample);
        t.first_after = l.t;
      }
    } else if (++t.before == 1 && t.after == 0) {
      t.example = cap(l.line, kMaxExample);
    }
  }
  for (std::size_t id = 0; id < d.templates.size(); ++id) {
    LogTemplate& t = d.templates[id];
    t.text = miner.text(id);
    t.before_per_min = c.before > 0 ? static_cast<double>(t.before) / c.before : 0;
    t.after_per_min = c.after > 0 ? static_cast<double>(t.after) / c.after : 0;
    classify(t, c, options);
  }
  std::stable_sort(d.templates.begin(), d.templates.end(), [](const LogTemplate& x, const LogTemplate& y) {
    if (status_rank(x.status) != status_rank(y.status)) return status_rank(x.status) < status_rank(y.status);
    return x.after > y.after;
  });
  return d;
}

std::vector<Finding> log_findings(const LogDiff& diff, int first_id) {
  std::vector<const LogTemplate*> changed;
  for (const auto& t : diff.templates) {
    if (!t.status.empty()) changed.push_back(&t);
  }
  std::stable_sort(changed.begin(), changed.end(), [](const LogTemplate* x, const LogTemplate* y) {
    if (level_rank(x->level) != level_rank(y->level)) return level_rank(x->level) < level_rank(y->level);
    if (status_rank(x->status) != status_rank(y->status)) return status_rank(x->status) < status_rank(y->status);
    return x->after_per_min > y->after_per_min;
  });
  std::vector<Finding> out;
  for (const LogTemplate* t : changed) {
    if (out.size() == kMaxLogFindings) break;
    out.push_back(log_finding(diff, *t, "l" + std::to_string(first_id + static_cast<int>(out.size()))));
  }
  return out;
}

}  // namespace alertbot::investigators::analysis
