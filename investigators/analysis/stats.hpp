// Small descriptive statistics over plain vectors. Pure functions; empty input gives 0 (callers
// check sizes before they draw conclusions).
#pragma once

#include <vector>

namespace alertbot::investigators::analysis {

double mean(const std::vector<double>& v);
// Sample variance (n-1); 0 for fewer than two values.
double variance(const std::vector<double>& v);
// Linear-interpolated quantile, q in [0,1]; does not modify `v`.
double quantile(std::vector<double> v, double q);

}  // namespace alertbot::investigators::analysis
