// Log patterns: a Drain-style template miner and the before/after comparison built on it.
// Each line is masked first (numbers, durations, sizes, hex ids, UUIDs, IPs, timestamps, quoted
// values of non-message keys become <*>), split on whitespace, and routed through a fixed-depth
// prefix tree keyed by (level, token count, first tokens) to the most similar template in its
// leaf (then, failing that, among all templates of its level and length, since a variable token
// may sit among the first ones); a close enough line (similarity >= 0.5) merges into it, turning
// differing tokens into <*> (`key=<*>` when only a key=value's value differs). Lines of different
// levels or token counts never merge.
// diff_logs compares each template's rate before and after a pivot over the time the sample
// really covers: a slice marked incomplete (it hit the line limit, read newest first) covers only
// from its oldest line to its end. Pure functions, single-threaded; 100k lines take ~0.2 s.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

struct LogPatternOptions {
  // Mining.
  double similarity = 0.5;          // share of equal tokens needed to join a template
  std::size_t depth = 2;            // first tokens that key the prefix tree
  std::size_t max_children = 64;    // per tree node; more go to the <*> child
  std::size_t max_templates = 5000; // lines that would make more are left unclustered
  std::size_t max_tokens = 64;      // tokens kept per line
  // Change detection.
  std::size_t min_new = 5;  // occurrences after the pivot for a pattern absent before to count
  double min_growth = 3.0;  // rate ratio after/before for a pattern to count as grown
  double max_p = 1e-3;      // one-sided exact test of equal rates (binomial, given the total)
};

// Mines templates line by line. Not thread-safe.
class TemplateMiner {
 public:
  explicit TemplateMiner(LogPatternOptions options = {});
  ~TemplateMiner();
  TemplateMiner(TemplateMiner&&) noexcept;
  TemplateMiner& operator=(TemplateMiner&&) noexcept;

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  // The id of the template `line` (of `level`) joined or started; kNone for an empty line or
  // when max_templates is reached. Ids are dense from 0.
  std::size_t add(std::string_view line, std::string_view level);
  std::string text(std::size_t id) const;  // tokens joined by single spaces
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `line` with its variable parts replaced by <*> (adjacent ones joined by . : - / collapse).
std::string mask_log_line(std::string_view line);

struct LogTemplate {
  std::string text;
  std::string level;
  std::size_t before = 0;  // lines before the pivot
  std::size_t after = 0;   // lines at or after it
  double before_per_min = 0;
  double after_per_min = 0;
  std::string example;     // a line of it, from after the pivot when there is one (capped)
  std::string status;      // new | grown | "" (unchanged or not significant)
  double p_value = 1;      // of the rate test (1 when not tested)
  std::optional<Time> first_after;  // its first line at or after the pivot
};

struct LogDiff {
  Time pivot;
  std::string backend;  // copied from the sample
  std::string query;
  std::string link;
  double before_minutes = 0;  // time the sample covers before the pivot
  double after_minutes = 0;
  std::size_t lines = 0;
  std::size_t unclustered = 0;  // lines past max_templates
  bool sampled = false;         // some slice was incomplete: rates are estimates
  std::vector<LogTemplate> templates;  // new, then grown, then the rest; each by lines after
};

LogDiff diff_logs(const LogSample& sample, Time pivot, const LogPatternOptions& options = {});

// At most this many log findings per report.
inline constexpr std::size_t kMaxLogFindings = 5;

// Findings of kind log_pattern (status new|grown), critical and error first, then warn, then the
// rest; ids "l<first_id>", "l<first_id+1>", ...
std::vector<Finding> log_findings(const LogDiff& diff, int first_id);

}  // namespace alertbot::investigators::analysis
