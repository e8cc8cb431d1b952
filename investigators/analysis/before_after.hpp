// Before/after comparison of one measure split at an instant (the onset): p50/p95/p99 and mean on
// each side, the difference of means with a bootstrap 95% confidence interval, and an effect size.
// Metric samples are autocorrelated, so the bootstrap resamples contiguous blocks (a moving-block
// bootstrap with block length ~ n^(1/3)), not single points. Deterministic: the resampling uses a
// fixed-seed generator, so the same data always gives the same interval. Pure; no allocation per
// resample beyond two buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace alertbot::investigators::analysis {

struct BeforeAfterOptions {
  int resamples = 1000;
  double confidence = 0.95;
  std::uint64_t seed = 0x5eed;
  std::size_t min_points = 4;   // per side; fewer gives no comparison
  double min_relative = 0.15;   // |after - before| / |before| that counts as a change worth naming
};

struct BeforeAfter {
  std::size_t n_before = 0, n_after = 0;
  double before_mean = 0, after_mean = 0;
  double before_p50 = 0, before_p95 = 0, before_p99 = 0;
  double after_p50 = 0, after_p95 = 0, after_p99 = 0;
  double diff = 0;     // after_mean - before_mean
  double ci_low = 0;   // bootstrap interval of diff
  double ci_high = 0;
  double effect = 0;   // Cohen's d: diff over the pooled standard deviation (capped at +-100)
  double relative = 0; // |diff| / |before_mean| (|diff| when before is ~0)
  // The interval excludes 0 and the relative change passes min_relative. "No significant change"
  // (false) is a result the report shows.
  bool significant = false;
};

// nullopt when a side has fewer than min_points values.
std::optional<BeforeAfter> compare_before_after(const std::vector<double>& before, const std::vector<double>& after,
                                                const BeforeAfterOptions& options = {});

}  // namespace alertbot::investigators::analysis
