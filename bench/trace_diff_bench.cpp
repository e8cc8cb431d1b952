// The trace differential's throughput: deterministic synthetic traces (a seeded PRNG), 20 spans
// each, half before the pivot and half after it with two regressions (an N+1 in orders, a slower
// payments charge), compared by diff_traces. Prints one JSON object: the best of RUNS timings
// (and their median; CPU time too), spans per second, and what the findings said.
// Usage: bench_trace_diff [TRACES=50000] [RUNS=3]
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include "investigators/analysis/stats.hpp"
#include "investigators/analysis/trace_diff.hpp"

using namespace alertbot::investigators;
namespace json = boost::json;

namespace {

constexpr std::int64_t kT0us = 1795578000LL * 1000000;
constexpr std::int64_t kHourUs = 3600LL * 1000000;

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  // One request: checkout -> auth, orders (SELECTs, cache reads), inventory, payments (-> stripe).
  // After the pivot: 12 SELECTs instead of 1 (N+1) and a charge 4x slower. Always 20 spans.
  Trace trace(std::int64_t start, bool after) {
    Trace t;
    t.trace_id = hex(32);
    std::int64_t at = start;
    auto span = [&](int parent, const char* service, const char* op, std::int64_t begin, std::int64_t dur) {
      Span s;
      s.span_id = hex(16);
      if (parent >= 0) s.parent_id = t.spans[static_cast<std::size_t>(parent)].span_id;
      s.service = service;
      s.operation = op;
      s.start_us = begin;
      s.duration_us = dur;
      t.spans.push_back(std::move(s));
      return static_cast<int>(t.spans.size()) - 1;
    };
    int root = span(-1, "checkout", "GET /checkout", at, 0);
    at += jitter(300);
    int auth = span(root, "auth", "verify", at, jitter(3000));
    at += t.spans[static_cast<std::size_t>(auth)].duration_us + 100;
    int selects = after ? 12 : 1;
    std::int64_t orders_start = at;
    int orders = span(root, "orders", "GET /orders/{id}", at, 0);
    at += 200;
    for (int i = 0; i < 13; ++i) {
      bool select = i < selects;
      int s = span(orders, "orders", select ? "SELECT" : "redis GET", at, jitter(select ? 2000 : 300));
      if (select) t.spans.back().db_statement = "SELECT * FROM order_items WHERE order_id = ?";
      at += t.spans[static_cast<std::size_t>(s)].duration_us + 50;
    }
    t.spans[static_cast<std::size_t>(orders)].duration_us = at - orders_start + 200;
    at += 300;
    int inv = span(root, "inventory", "POST /reserve", at, 0);
    int stock = span(inv, "inventory", "SELECT stock", at + 100, jitter(4000));
    t.spans[static_cast<std::size_t>(inv)].duration_us = t.spans[static_cast<std::size_t>(stock)].duration_us + 400;
    at += t.spans[static_cast<std::size_t>(inv)].duration_us + 100;
    int charge = span(root, "payments", "charge", at, 0);
    std::int64_t self = jitter(after ? 80000 : 20000);
    int stripe = span(charge, "payments", "HTTP POST", at + self / 2, jitter(30000));
    t.spans[static_cast<std::size_t>(stripe)].peer_service = "stripe";
    t.spans[static_cast<std::size_t>(charge)].duration_us = self + t.spans[static_cast<std::size_t>(stripe)].duration_us;
    at += t.spans[static_cast<std::size_t>(charge)].duration_us + 500;
    t.spans[static_cast<std::size_t>(root)].duration_us = at - start;
    return t;
  }

 private:
  std::string hex(int digits) {
    static constexpr const char* kHex = "0123456789abcdef";
    std::string s(static_cast<std::size_t>(digits), '0');
    std::uint64_t bits = rng_();
    for (int i = 0; i < digits; ++i) {
      if (i == 16) bits = rng_();
      s[static_cast<std::size_t>(i)] = kHex[bits & 15];
      bits >>= 4;
    }
    return s;
  }
  // `mean` microseconds +-20%.
  std::int64_t jitter(std::int64_t mean) {
    std::uniform_int_distribution<std::int64_t> d(mean * 8 / 10, mean * 12 / 10);
    return d(rng_);
  }

  std::mt19937_64 rng_;
};

}  // namespace

int main(int argc, char** argv) {
  const int traces_n = argc > 1 ? std::max(2, std::atoi(argv[1])) : 50000;
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  Generator gen(20261125);
  std::vector<Trace> traces;
  traces.reserve(static_cast<std::size_t>(traces_n));
  std::size_t spans = 0;
  // Spread over two hours; the pivot in the middle.
  for (int i = 0; i < traces_n; ++i) {
    std::int64_t start = kT0us + 2 * kHourUs * i / traces_n;
    traces.push_back(gen.trace(start, start >= kT0us + kHourUs));
    spans += traces.back().spans.size();
  }
  const Time pivot = Time(std::chrono::microseconds(kT0us + kHourUs));

  // Wall time, and the process's CPU time (one thread): on a shared machine the second is the
  // one-core cost even when other work delays the first.
  std::vector<double> seconds, cpu_seconds;
  analysis::TraceDiff diff;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    diff = analysis::diff_traces(traces, pivot);
    cpu_seconds.push_back(static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  auto findings = analysis::trace_findings(diff, 1);
  double best = *std::min_element(seconds.begin(), seconds.end());
  json::object out{{"bench", "trace_diff"},
                   {"spans", spans},
                   {"traces", traces.size()},
                   {"runs", runs},
                   {"seconds", best},
                   {"median_seconds", analysis::quantile(seconds, 0.5)},
                   {"cpu_seconds", *std::min_element(cpu_seconds.begin(), cpu_seconds.end())},
                   {"spans_per_second", static_cast<double>(spans) / best},
                   {"findings", findings.size()},
                   {"top_finding", findings.empty() ? std::string() : findings.front().title}};
  std::printf("%s\n", json::serialize(out).c_str());
  return findings.empty() ? 1 : 0;
}
