// The trace differential on constructed traces: each regression a performance engineer looks for
// (N+1, a slow child, a new downstream call, new errors, a slower dependency), the critical path
// and self time on known shapes, and the cases that must give nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/analysis/trace_diff.hpp"
#include "tests/unit/investigators/traces/trace_builders.hpp"

namespace alertbot::investigators::analysis {
namespace {

using investigators::testing::kT0us;
using investigators::testing::TraceBuilder;

constexpr std::int64_t kPivotUs = kT0us + 3600LL * 1000000;
const Time kPivot = Time(std::chrono::microseconds(kPivotUs));

using Shape = std::function<void(TraceBuilder&, bool after, int i)>;

// `before` traces in the hour before the pivot and `after` traces after it, each shaped by `shape`.
std::vector<Trace> sample(int before, int after, const Shape& shape) {
  std::vector<Trace> out;
  for (int i = 0; i < before; ++i) {
    TraceBuilder b(static_cast<unsigned>(i + 1), kT0us + i * 10000000LL);
    shape(b, false, i);
    out.push_back(b.build());
  }
  for (int i = 0; i < after; ++i) {
    TraceBuilder b(static_cast<unsigned>(10000 + i), kPivotUs + i * 10000000LL);
    shape(b, true, i);
    out.push_back(b.build());
  }
  return out;
}

// Deterministic noise: +1/-1 alternating (zero mean over an even count), or a sine in [-1, 1].
double alternating(int i) { return i % 2 ? -1.0 : 1.0; }
double wobble(int i) { return std::sin(i * 12.9898) * 0.5 + std::sin(i * 78.233) * 0.5; }

const OperationStats* op(const TraceDiff& d, const std::string& service, const std::string& name) {
  for (const auto& o : d.operations) {
    if (o.service == service && o.operation == name) return &o;
  }
  return nullptr;
}

std::vector<const Finding*> of_kind(const std::vector<Finding>& fs, const char* kind) {
  std::vector<const Finding*> out;
  for (const auto& f : fs) {
    if (f.kind == kind) out.push_back(&f);
  }
  return out;
}

std::string titles(const std::vector<Finding>& fs) {
  std::string s;
  for (const auto& f : fs) s += "\n  " + f.id + " " + f.kind + ": " + f.title;
  return s;
}

// checkout -> orders GET /orders/{id} -> `calls` sequential SELECTs of 4 ms.
void orders_shape(TraceBuilder& b, int calls, double root_noise) {
  double orders_ms = calls * 4 + 2;
  int root = b.span(-1, "checkout", "GET /checkout", 0, 15 + orders_ms + root_noise);
  int orders = b.span(root, "orders", "GET /orders/{id}", 5, orders_ms);
  b.last().http_route = "/orders/{id}";
  for (int c = 0; c < calls; ++c) {
    b.span(orders, "orders", "SELECT", 6 + c * 4, 4);
    b.last().db_statement = "SELECT * FROM items WHERE order_id = ?";
    b.last().peer_service = "orders-db";
  }
}

TEST(TraceDiff, FindsAnNPlusOne) {
  auto traces = sample(20, 20, [](TraceBuilder& b, bool after, int i) { orders_shape(b, after ? 12 : 1, 0.3 * alternating(i)); });
  TraceDiff d = diff_traces(traces, kPivot);
  EXPECT_EQ(d.before_traces, 20u);
  EXPECT_EQ(d.after_traces, 20u);
  EXPECT_EQ(d.root_service, "checkout");
  const OperationStats* select = op(d, "orders", "SELECT");
  ASSERT_NE(select, nullptr);
  EXPECT_DOUBLE_EQ(select->before_calls_per_trace, 1);
  EXPECT_DOUBLE_EQ(select->after_calls_per_trace, 12);
  EXPECT_EQ(select->parent, "orders:GET /orders/{id}");
  EXPECT_EQ(select->peer_service, "orders-db");

  auto fs = trace_findings(d, 7);
  auto fan = of_kind(fs, kinds::kFanout);
  ASSERT_EQ(fan.size(), 1u) << titles(fs);
  EXPECT_EQ(fan[0]->title, "orders: SELECT * FROM items WHERE order_id = ? called 12x per request (was 1x): N+1");
  EXPECT_EQ(fan[0]->attributes.at("service"), "orders");
  EXPECT_EQ(fan[0]->attributes.at("operation"), "SELECT");
  EXPECT_EQ(fan[0]->attributes.at("parent"), "orders:GET /orders/{id}");
  EXPECT_EQ(fan[0]->attributes.at("db_statement"), "SELECT * FROM items WHERE order_id = ?");
  EXPECT_DOUBLE_EQ(fan[0]->values.at("before_per_trace"), 1);
  EXPECT_DOUBLE_EQ(fan[0]->values.at("after_per_trace"), 12);
  EXPECT_GT(fan[0]->score, 0.9);
  EXPECT_EQ(fan[0]->source, "traces");
  // Ids are numbered from first_id in output order, strongest first.
  for (std::size_t i = 0; i < fs.size(); ++i) {
    EXPECT_EQ(fs[i].id, "t" + std::to_string(7 + i));
    if (i > 0) {
      EXPECT_GE(fs[i - 1].score, fs[i].score);
    }
  }
  // The SELECTs carry the whole latency rise: 44 ms more on the critical path.
  auto slow = of_kind(fs, kinds::kSpanLatency);
  ASSERT_FALSE(slow.empty()) << titles(fs);
  EXPECT_EQ(slow[0]->attributes.at("operation"), "SELECT");
  EXPECT_NEAR(slow[0]->values.at("share"), 1.0, 0.01);
  EXPECT_EQ(fs[0].attributes.at("operation"), "SELECT") << titles(fs);
}

// checkout: auth 10 ms, then payments charge `charge_ms`, then inventory reserve 20 ms.
void payment_shape(TraceBuilder& b, double charge_ms, double auth_noise) {
  double auth = 10 + auth_noise;
  int root = b.span(-1, "checkout", "GET /checkout", 0, charge_ms + auth + 30);
  b.span(root, "auth", "verify", 2, auth);
  b.span(root, "payments", "charge", 2 + auth, charge_ms);
  b.last().peer_service = "stripe";
  b.span(root, "inventory", "reserve", 4 + auth + charge_ms, 20);
}

TEST(TraceDiff, AttributesASlowChildToItsOwnSelfTime) {
  auto traces = sample(30, 30, [](TraceBuilder& b, bool after, int i) { payment_shape(b, after ? 610 : 40, alternating(i)); });
  TraceDiff d = diff_traces(traces, kPivot);
  EXPECT_DOUBLE_EQ(d.before_root_ms, 80);
  EXPECT_DOUBLE_EQ(d.after_root_ms, 650);
  const OperationStats* charge = op(d, "payments", "charge");
  ASSERT_NE(charge, nullptr);
  EXPECT_DOUBLE_EQ(charge->before_self_ms, 40);
  EXPECT_DOUBLE_EQ(charge->after_self_ms, 610);
  EXPECT_DOUBLE_EQ(charge->before_critical_ms, 40);
  EXPECT_DOUBLE_EQ(charge->after_critical_ms, 610);
  const OperationStats* root = op(d, "checkout", "GET /checkout");
  ASSERT_NE(root, nullptr);
  EXPECT_NEAR(root->before_self_ms, 10, 1e-9);
  EXPECT_NEAR(root->after_self_ms, 10, 1e-9);
  EXPECT_NEAR(root->after_critical_ms, 10, 1e-9);  // the gaps between its children

  auto fs = trace_findings(d, 1);
  auto slow = of_kind(fs, kinds::kSpanLatency);
  ASSERT_EQ(slow.size(), 1u) << titles(fs);
  EXPECT_EQ(slow[0]->title, "payments:charge self time 40 ms -> 610 ms (100% of the latency rise)");
  EXPECT_EQ(slow[0]->attributes.at("service"), "payments");
  EXPECT_DOUBLE_EQ(slow[0]->values.at("before_self_ms"), 40);
  EXPECT_DOUBLE_EQ(slow[0]->values.at("after_self_ms"), 610);
  EXPECT_DOUBLE_EQ(slow[0]->values.at("before_critical_ms"), 40);
  EXPECT_DOUBLE_EQ(slow[0]->values.at("after_critical_ms"), 610);
  EXPECT_NEAR(slow[0]->values.at("share"), 1.0, 1e-9);
  EXPECT_EQ(fs[0].attributes.at("service"), "payments") << titles(fs);
  EXPECT_TRUE(of_kind(fs, kinds::kFanout).empty());
  EXPECT_TRUE(of_kind(fs, kinds::kNewCall).empty());
  EXPECT_TRUE(of_kind(fs, kinds::kSpanErrors).empty());
}

TEST(TraceDiff, CriticalPathFollowsTheLastEndingChildAndClipsOverruns) {
  // api 0..100; db 0..80 and cache 10..90 overlap; cache's child runs 85..120, past its parent.
  auto traces = sample(5, 5, [](TraceBuilder& b, bool, int) {
    int root = b.span(-1, "api", "handle", 0, 100);
    b.span(root, "db", "query", 0, 80);
    int cache = b.span(root, "cache", "get", 10, 80);
    b.span(cache, "cache", "refill", 85, 35);
  });
  TraceDiff d = diff_traces(traces, kPivot);
  struct Want {
    const char *service, *name;
    double self, critical;
  };
  // On the path: api 90..100 and 0..10, cache 10..85, refill 85..90 (clipped); db ends inside
  // cache's stretch, so it is off the path although it runs longest.
  for (const Want& w : {Want{"api", "handle", 10, 20}, Want{"db", "query", 80, 0}, Want{"cache", "get", 75, 75},
                        Want{"cache", "refill", 5, 5}}) {
    const OperationStats* o = op(d, w.service, w.name);
    ASSERT_NE(o, nullptr) << w.name;
    EXPECT_DOUBLE_EQ(o->after_self_ms, w.self) << w.name;
    EXPECT_DOUBLE_EQ(o->after_critical_ms, w.critical) << w.name;
    EXPECT_DOUBLE_EQ(o->before_critical_ms, w.critical) << w.name;
  }
  EXPECT_TRUE(trace_findings(d, 1).empty()) << titles(trace_findings(d, 1));
}

TEST(TraceDiff, FindsOnlyTheTopOfANewDownstreamCall) {
  auto traces = sample(20, 20, [](TraceBuilder& b, bool after, int i) {
    bool fraud = after && i % 5 < 3;  // 60% of the requests after
    int root = b.span(-1, "checkout", "GET /checkout", 0, fraud ? 60 : 40);
    b.span(root, "orders", "GET /orders/{id}", 5, 20);
    if (fraud) {
      int call = b.span(root, "checkout", "POST /fraud/check", 30, 18);
      b.last().peer_service = "fraud";
      int check = b.span(call, "fraud", "check", 31, 16);
      b.span(check, "fraud", "SELECT rules", 32, 5);
    }
  });
  auto fs = trace_findings(diff_traces(traces, kPivot), 1);
  ASSERT_EQ(fs.size(), 1u) << titles(fs);
  EXPECT_EQ(fs[0].kind, kinds::kNewCall);
  EXPECT_EQ(fs[0].title, "checkout: new call POST /fraud/check to fraud in 60% of requests (never before)");
  EXPECT_EQ(fs[0].attributes.at("service"), "checkout");
  EXPECT_EQ(fs[0].attributes.at("operation"), "POST /fraud/check");
  EXPECT_EQ(fs[0].attributes.at("peer_service"), "fraud");
  EXPECT_DOUBLE_EQ(fs[0].values.at("after_per_trace"), 0.6);
}

TEST(TraceDiff, FindsNewErrorSpans) {
  auto traces = sample(20, 20, [](TraceBuilder& b, bool after, int i) {
    payment_shape(b, 40, 0);
    b.at(2).error = after && i % 5 < 2;  // the charge fails in 40% after
  });
  auto fs = trace_findings(diff_traces(traces, kPivot), 1);
  ASSERT_EQ(fs.size(), 1u) << titles(fs);
  EXPECT_EQ(fs[0].kind, kinds::kSpanErrors);
  EXPECT_EQ(fs[0].title, "payments:charge fails in 40% of calls (was 0%)");
  EXPECT_EQ(fs[0].attributes.at("service"), "payments");
  EXPECT_EQ(fs[0].attributes.at("operation"), "charge");
  EXPECT_DOUBLE_EQ(fs[0].values.at("before_error_ratio"), 0);
  EXPECT_DOUBLE_EQ(fs[0].values.at("after_error_ratio"), 0.4);
}

TEST(TraceDiff, FindsASlowerDownstreamService) {
  // inventory's two operations each take 20 ms more: 40 ms of inventory time per request.
  auto traces = sample(20, 20, [](TraceBuilder& b, bool after, int i) {
    double each = (after ? 30 : 10) + 0.5 * alternating(i);
    int root = b.span(-1, "checkout", "GET /checkout", 0, 2 * each + 20);
    int reserve = b.span(root, "inventory", "POST /reserve", 10, 2 * each);
    b.span(reserve, "inventory", "SELECT stock", 10 + each, each);
  });
  TraceDiff d = diff_traces(traces, kPivot);
  ASSERT_EQ(d.dependencies.size(), 1u);
  EXPECT_EQ(d.dependencies[0].service, "inventory");
  auto fs = trace_findings(d, 1);
  auto dep = of_kind(fs, kinds::kDependency);
  ASSERT_EQ(dep.size(), 1u) << titles(fs);
  EXPECT_EQ(dep[0]->attributes.at("service"), "inventory");
  EXPECT_NEAR(dep[0]->values.at("before_ms"), 20, 1e-9);
  EXPECT_NEAR(dep[0]->values.at("after_ms"), 60, 1e-9);
  EXPECT_NEAR(dep[0]->values.at("share"), 1.0, 1e-9);
  EXPECT_EQ(dep[0]->title, "downstream inventory: 20 ms -> 60 ms per request (100% of the latency rise)");
  // Each operation carries half of the rise.
  auto slow = of_kind(fs, kinds::kSpanLatency);
  ASSERT_EQ(slow.size(), 2u) << titles(fs);
  EXPECT_NEAR(slow[0]->values.at("share"), 0.5, 1e-9);
}

TEST(TraceDiff, NoChangeGivesNoFindings) {
  auto traces = sample(30, 30, [](TraceBuilder& b, bool after, int i) {
    int k = after ? i + 100 : i;  // different noise on each side
    payment_shape(b, 40 + 8 * wobble(k), 3 * wobble(k + 50));
    b.at(2).error = k % 40 == 0;  // a rare error on both sides
  });
  TraceDiff d = diff_traces(traces, kPivot);
  EXPECT_TRUE(d.notes.empty());
  auto fs = trace_findings(d, 1);
  EXPECT_TRUE(fs.empty()) << titles(fs);
}

TEST(TraceDiff, TooFewTracesGivesANoteAndNoFindings) {
  auto traces = sample(3, 20, [](TraceBuilder& b, bool after, int) { payment_shape(b, after ? 610 : 40, 0); });
  TraceDiff d = diff_traces(traces, kPivot);
  EXPECT_EQ(d.before_traces, 3u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_NE(d.notes[0].find("3 before and 20 after"), std::string::npos) << d.notes[0];
  EXPECT_TRUE(trace_findings(d, 1).empty());
  EXPECT_TRUE(trace_findings(diff_traces({}, kPivot), 1).empty());
}

TEST(TraceDiff, SurvivesHostileStructure) {
  std::vector<Trace> traces;
  traces.push_back(Trace{"01", {}});  // no spans
  Trace cyc{"02", {}};
  for (int i = 0; i < 3; ++i) {
    Span s;
    s.span_id = "c" + std::to_string(i);
    s.parent_id = "c" + std::to_string((i + 1) % 3);  // a cycle: no root at all
    s.service = "x";
    s.operation = "loop";
    s.start_us = kT0us;
    s.duration_us = 10;
    cyc.spans.push_back(s);
  }
  traces.push_back(cyc);
  Trace odd{"03", {}};
  Span a;
  a.span_id = "a";
  a.parent_id = "a";  // its own parent
  a.service = "y";
  a.start_us = kPivotUs;
  a.duration_us = -50;  // negative
  odd.spans.push_back(a);
  odd.spans.push_back(a);  // a duplicate id
  Span b = a;
  b.span_id = "b";
  b.duration_us = 100;
  odd.spans.push_back(b);
  traces.push_back(odd);
  TraceDiff d = diff_traces(traces, kPivot);
  EXPECT_EQ(d.before_traces + d.after_traces, 2u);
  EXPECT_EQ(d.spans, 6u);
  for (const auto& o : d.operations) {
    EXPECT_TRUE(std::isfinite(o.after_self_ms) && std::isfinite(o.before_critical_ms)) << o.operation;
    EXPECT_GE(o.after_self_ms, 0);
  }
  EXPECT_TRUE(trace_findings(d, 1).empty());
}

TEST(TraceDiff, PoolsOperationsBeyondTheCap) {
  auto traces = sample(5, 5, [](TraceBuilder& b, bool, int i) {
    int root = b.span(-1, "api", "handle", 0, 50);
    for (int k = 0; k < 4; ++k) b.span(root, "api", "op" + std::to_string(i * 10 + k), k * 10, 5);
  });
  TraceDiffOptions opt;
  opt.max_operations = 3;
  TraceDiff d = diff_traces(traces, kPivot, opt);
  EXPECT_EQ(d.operations.size(), 4u);
  EXPECT_NE(op(d, "(other)", "(other)"), nullptr);
  ASSERT_FALSE(d.notes.empty());
  EXPECT_NE(d.notes.back().find("(other)"), std::string::npos);
}

}  // namespace
}  // namespace alertbot::investigators::analysis
