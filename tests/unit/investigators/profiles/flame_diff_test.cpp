#include <gtest/gtest.h>

#include <chrono>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/analysis/flame_diff.hpp"

namespace alertbot::investigators::analysis {
namespace {

using namespace std::chrono;
const Time kT0 = Time(seconds(1795578000));  // 03:40 UTC
constexpr const char* kCompute = "github.com/acme/orders/pricing.Compute";

ProfileSlice slice(int from_min, int to_min, std::map<std::string, double> stacks) {
  return ProfileSlice{kT0 + minutes(from_min), kT0 + minutes(to_min), std::move(stacks)};
}

ProfileSample sample(double compute_before, double compute_after) {
  ProfileSample s;
  s.backend = "pyroscope";
  s.profile_type = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
  s.unit = "nanoseconds";
  for (int i = 0; i < 6; ++i) {
    double c = i < 4 ? compute_before : compute_after;
    s.slices.push_back(slice(10 * i, 10 * (i + 1),
                             {{std::string("main;http.Serve;handler;") + kCompute, c * 1e9},
                              {"main;http.Serve;handler;db.Query", (0.9 - c) * 1e9},
                              {"main;runtime.gcBgMarkWorker", 0.1e9}}));
  }
  return s;
}

TEST(FlameDiff, AFunctionGoingFrom2To30PercentIsFoundAndMapped) {
  auto d = diff_profiles(sample(0.02, 0.30), kT0 + minutes(40));
  EXPECT_EQ(d.before_slices, 4u);
  EXPECT_EQ(d.after_slices, 2u);
  EXPECT_DOUBLE_EQ(d.before_weight, 4e9);
  ASSERT_FALSE(d.functions.empty());
  const FunctionShare& top = d.functions[0];
  EXPECT_EQ(top.function, kCompute);
  EXPECT_NEAR(top.before_self, 0.02, 1e-12);
  EXPECT_NEAR(top.after_self, 0.30, 1e-12);
  EXPECT_NEAR(top.growth, 15, 1e-9);
  EXPECT_NEAR(top.after_total, 0.30, 1e-12);

  std::vector<std::string> changed{"README.md", "svc/orders/db/query.go", "svc/orders/pricing/pricing.go"};
  auto fs = profile_findings(d, changed, 2);
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  EXPECT_EQ(f.id, "p2");
  EXPECT_EQ(f.kind, kinds::kProfileFunction);
  EXPECT_EQ(f.source, "pyroscope");
  EXPECT_EQ(f.attributes.at("function"), kCompute);
  EXPECT_EQ(f.attributes.at("file"), "svc/orders/pricing/pricing.go");
  EXPECT_EQ(f.attributes.at("stack"), std::string("main;http.Serve;handler;") + kCompute);
  EXPECT_NEAR(f.values.at("before_share"), 0.02, 1e-12);
  EXPECT_NEAR(f.values.at("after_share"), 0.30, 1e-12);
  EXPECT_NEAR(f.values.at("growth"), 15, 1e-9);
  EXPECT_EQ(f.title, std::string(kCompute) + " took 30% of CPU after 04:20 UTC, up from 2.0% (15.0x); changed in svc/orders/pricing/pricing.go");
  EXPECT_DOUBLE_EQ(f.score, 1.0);
}

TEST(FlameDiff, NoChangeGivesNoFindings) {
  auto d = diff_profiles(sample(0.2, 0.2), kT0 + minutes(30));
  for (const auto& f : d.functions) EXPECT_NEAR(f.after_self, f.before_self, 1e-12) << f.function;
  EXPECT_TRUE(profile_findings(d, {"svc/orders/pricing/pricing.go"}, 1).empty());
}

TEST(FlameDiff, SmallOrProportionallySmallRisesAreIgnored) {
  EXPECT_TRUE(profile_findings(diff_profiles(sample(0.02, 0.06), kT0 + minutes(40)), {}, 1).empty());  // +4 points
  EXPECT_TRUE(profile_findings(diff_profiles(sample(0.40, 0.50), kT0 + minutes(40)), {}, 1).empty());  // x1.25
  auto fs = profile_findings(diff_profiles(sample(0, 0.1), kT0 + minutes(40)), {}, 1);  // new function
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].attributes.count("file"), 0u);
  EXPECT_DOUBLE_EQ(fs[0].values.at("growth"), kMaxGrowth);
}

TEST(FlameDiff, SlicesGoToTheSideOfTheirMidpointAndInclusiveSharesCount) {
  ProfileSample s;
  s.slices.push_back(slice(0, 10, {{"main;a", 10}}));
  s.slices.push_back(slice(10, 20, {{"main;b;a", 30}, {"main;a", 10}}));  // midpoint 15 >= pivot 14
  auto d = diff_profiles(s, kT0 + minutes(14));
  EXPECT_EQ(d.before_slices, 1u);
  EXPECT_EQ(d.after_slices, 1u);
  for (const auto& f : d.functions) {
    if (f.function == "b") {
      EXPECT_DOUBLE_EQ(f.after_total, 0.75);
      EXPECT_DOUBLE_EQ(f.after_self, 0);
    }
    if (f.function == "main") {
      EXPECT_DOUBLE_EQ(f.after_total, 1);
    }
  }
  EXPECT_TRUE(profile_findings(d, {}, 1).empty());  // "a" is all self time on both sides
}

TEST(FileForFunction, MapsGoNamesByPackageAndFile) {
  std::vector<std::string> files{"svc/orders/db/query.go", "svc/orders/pricing/compute.go", "svc/orders/pricing/compute_test.go"};
  EXPECT_EQ(file_for_function("github.com/acme/orders/pricing.Compute", files), "svc/orders/pricing/compute.go");
  EXPECT_EQ(file_for_function("github.com/acme/orders/pricing.(*Engine).Quote", files), "svc/orders/pricing/compute.go");
  EXPECT_EQ(file_for_function("github.com/acme/orders/db.Query", files), "svc/orders/db/query.go");
  EXPECT_EQ(file_for_function("runtime.mallocgc", files), "");
}

TEST(FileForFunction, MapsWrittenSourcePathsBySuffix) {
  EXPECT_EQ(file_for_function("pricing.py:compute", {"orders/checkout.py", "orders/pricing.py"}), "orders/pricing.py");
  EXPECT_EQ(file_for_function("compute (orders/pricing.py:42)", {"pricing.py", "orders/pricing.py"}), "orders/pricing.py");
  EXPECT_EQ(file_for_function("src/pricing.cc:42", {"src/orders/pricing.cc", "src/pricing.cc"}), "src/pricing.cc");
  EXPECT_EQ(file_for_function("checkout.py:handler", {"orders/pricing.py"}), "");
  EXPECT_EQ(file_for_function("anything", {}), "");
}

TEST(FileForFunction, MapsJavaAndRubyNamesByClass) {
  std::vector<std::string> java{"app/src/main/java/com/acme/billing/Invoice.java", "app/src/main/java/com/acme/billing/Pricing.java"};
  EXPECT_EQ(file_for_function("com.acme.billing.Pricing.compute", java), "app/src/main/java/com/acme/billing/Pricing.java");
  EXPECT_EQ(file_for_function("OrderPricing#total", {"lib/invoice.rb", "lib/order_pricing.rb"}), "lib/order_pricing.rb");
}

TEST(FileForFunction, CppNamesLoseArgumentsAndTemplates) {
  std::vector<std::string> files{"include/orders/cart.hpp", "src/orders/pricing.cc"};
  EXPECT_EQ(file_for_function("orders::pricing::compute(int, std::vector<double> const&)", files), "src/orders/pricing.cc");
  EXPECT_EQ(file_for_function("double orders::pricing::Engine<float>::quote() const", files), "src/orders/pricing.cc");
  EXPECT_EQ(file_for_function("orders::Cart::total()", files), "include/orders/cart.hpp");
}

}  // namespace
}  // namespace alertbot::investigators::analysis
