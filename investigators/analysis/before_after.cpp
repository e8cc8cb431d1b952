#include "investigators/analysis/before_after.hpp"

#include <algorithm>
#include <cmath>

#include "investigators/analysis/stats.hpp"

namespace alertbot::investigators::analysis {
namespace {

// splitmix64: small, fast and good enough for resampling indices.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

std::size_t block_length(std::size_t n) {
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(std::cbrt(static_cast<double>(n)))));
}

// Mean of one moving-block resample of `v` (circular blocks, total length n).
double resampled_mean(const std::vector<double>& v, std::size_t block, Rng& rng) {
  const std::size_t n = v.size();
  double sum = 0;
  std::size_t taken = 0;
  while (taken < n) {
    std::size_t start = rng.below(n);
    for (std::size_t k = 0; k < block && taken < n; ++k, ++taken) sum += v[(start + k) % n];
  }
  return sum / static_cast<double>(n);
}

}  // namespace

std::optional<BeforeAfter> compare_before_after(const std::vector<double>& before, const std::vector<double>& after,
                                                const BeforeAfterOptions& opt) {
  if (before.size() < opt.min_points || after.size() < opt.min_points) return std::nullopt;
  BeforeAfter r;
  r.n_before = before.size();
  r.n_after = after.size();
  r.before_mean = mean(before);
  r.after_mean = mean(after);
  r.before_p50 = quantile(before, 0.50);
  r.before_p95 = quantile(before, 0.95);
  r.before_p99 = quantile(before, 0.99);
  r.after_p50 = quantile(after, 0.50);
  r.after_p95 = quantile(after, 0.95);
  r.after_p99 = quantile(after, 0.99);
  r.diff = r.after_mean - r.before_mean;
  r.relative = std::abs(r.before_mean) > 1e-9 ? std::abs(r.diff) / std::abs(r.before_mean) : std::abs(r.diff);

  double pooled = std::sqrt((variance(before) * static_cast<double>(before.size() - 1) +
                             variance(after) * static_cast<double>(after.size() - 1)) /
                            static_cast<double>(before.size() + after.size() - 2));
  r.effect = pooled > 0 ? std::clamp(r.diff / pooled, -100.0, 100.0) : (r.diff == 0 ? 0.0 : std::copysign(100.0, r.diff));

  Rng rng{opt.seed};
  const std::size_t bb = block_length(before.size()), ba = block_length(after.size());
  std::vector<double> diffs(static_cast<std::size_t>(std::max(opt.resamples, 1)));
  for (auto& d : diffs) d = resampled_mean(after, ba, rng) - resampled_mean(before, bb, rng);
  std::sort(diffs.begin(), diffs.end());
  const double tail = (1.0 - opt.confidence) / 2.0;
  auto at = [&](double q) {
    auto i = static_cast<std::size_t>(std::clamp(q * static_cast<double>(diffs.size() - 1), 0.0,
                                                 static_cast<double>(diffs.size() - 1)));
    return diffs[i];
  };
  r.ci_low = at(tail);
  r.ci_high = at(1.0 - tail);
  r.significant = (r.ci_low > 0 || r.ci_high < 0) && r.relative >= opt.min_relative;
  return r;
}

}  // namespace alertbot::investigators::analysis
