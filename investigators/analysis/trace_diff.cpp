#include "investigators/analysis/trace_diff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace alertbot::investigators::analysis {
namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
constexpr std::string_view kOther = "(other)";

// One side's running totals for an operation or a service (times in microseconds).
struct Totals {
  std::uint64_t calls = 0, errors = 0, traces = 0;
  double self_sum = 0, self_sq = 0, crit_sum = 0, crit_sq = 0;
  std::uint32_t parent = kNone;  // the first caller seen (an operation id)
};

// Per-trace scratch for an operation or service: what this trace added, flushed into Totals.
struct Scratch {
  double self = 0, crit = 0;
  std::uint32_t trace = kNone;  // the trace that last touched it
};

struct Operation {
  std::string_view service, name;  // views into the caller's spans (or kOther)
  std::uint32_t service_id = 0;
  const std::string* db = nullptr;
  const std::string* route = nullptr;
  const std::string* peer = nullptr;
  Totals side[2];
  Scratch now;
};

struct Service {
  std::string_view name;
  Totals side[2];
  Scratch now;
  std::size_t roots = 0;  // traces whose root belongs to it
};

// A 64-bit hash of bytes (multiply-xorshift over 8-byte words). Written out rather than
// std::hash so that it inlines in the -O1 dev build; the per-trace tables are small and the
// operation table is capped, so an unseeded hash is enough.
inline std::uint64_t hash_bytes(const char* p, std::size_t n, std::uint64_t seed) {
  std::uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  std::uint64_t tail = 0;
  for (std::size_t i = 0; i < n; ++i) tail |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 29);
}

inline bool same(std::string_view a, const std::string& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

// Welch's t of (after - before) from sums over n per-trace values; large when both are exact.
double welch_t(double sum0, double sq0, double n0, double sum1, double sq1, double n1) {
  if (n0 < 2 || n1 < 2) return 0;
  double m0 = sum0 / n0, m1 = sum1 / n1;
  double v0 = std::max(0.0, (sq0 - n0 * m0 * m0) / (n0 - 1));
  double v1 = std::max(0.0, (sq1 - n1 * m1 * m1) / (n1 - 1));
  double se = std::sqrt(v0 / n0 + v1 / n1);
  double d = m1 - m0;
  if (se <= 1e-9 * std::max({std::abs(m0), std::abs(m1), 1.0})) return std::abs(d) < 1e-9 ? 0 : (d > 0 ? 1e9 : -1e9);
  return d / se;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (v.size() % 2) return *mid;
  return (*mid + *std::max_element(v.begin(), mid)) / 2;
}

// The differ: interned operations and services, and per-trace buffers reused across traces so
// the hot loop allocates nothing once they have grown.
class Differ {
 public:
  Differ(const TraceDiffOptions& options, std::int64_t pivot_us) : options_(options), pivot_us_(pivot_us) {}

  void add(const Trace& t) {
    std::size_t n = t.spans.size();
    spans_ += n;
    if (n == 0) return;
    if (n > std::numeric_limits<std::int32_t>::max() / 4) return;  // absurd; parsers cap far below
    index_spans(t);
    std::uint32_t root = link_parents(t);
    clip_intervals(t);
    self_times(n);
    critical_path(root);
    accumulate(t, root);
  }

  TraceDiff finish() const;

 private:
  // The operation id of (service, operation): a flat open-addressing table of (hash, id).
  std::uint32_t intern(const Span& s) {
    std::uint64_t h = hash_bytes(s.operation.data(), s.operation.size(), hash_bytes(s.service.data(), s.service.size(), 0));
    std::size_t mask = op_slots_.size() - 1;
    const OpSlot* slots = op_slots_.data();
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots[i].id == kNone) return add_operation(s, h, i);
      if (slots[i].hash == h) {
        const Operation& op = ops_[slots[i].id];
        if (same(op.name, s.operation) && same(op.service, s.service)) return slots[i].id;
      }
    }
  }

  // Slow path: a new operation at free slot `at` (or the pooled "(other)" once the cap is hit).
  std::uint32_t add_operation(const Span& s, std::uint64_t h, std::size_t at) {
    bool full = ops_.size() >= options_.max_operations;
    if (full && other_ != kNone) return other_;
    std::string_view service = full ? kOther : std::string_view(s.service);
    std::string_view name = full ? kOther : std::string_view(s.operation);
    auto [sit, fresh] = service_ids_.try_emplace(service, static_cast<std::uint32_t>(services_.size()));
    if (fresh) services_.push_back(Service{service});
    Operation op;
    op.service = service;
    op.name = name;
    op.service_id = sit->second;
    ops_.push_back(op);
    auto id = static_cast<std::uint32_t>(ops_.size() - 1);
    if (full) return other_ = id;  // reached by the slow path only: not in the table
    op_slots_[at] = OpSlot{h, id};
    if (2 * ops_.size() > op_slots_.size()) grow_operations();
    return id;
  }

  void grow_operations() {
    std::vector<OpSlot> old(op_slots_.size() * 2);
    old.swap(op_slots_);
    std::size_t mask = op_slots_.size() - 1;
    for (const OpSlot& slot : old) {
      if (slot.id == kNone) continue;
      std::size_t i = slot.hash & mask;
      while (op_slots_[i].id != kNone) i = (i + 1) & mask;
      op_slots_[i] = slot;
    }
  }

  // Fills op_of_, the id hashes and the span-id table (the first of duplicate ids wins).
  void index_spans(const Trace& t) {
    std::size_t n = t.spans.size(), cap = 16;
    while (cap < 2 * n) cap *= 2;
    slots_.assign(cap, -1);
    op_of_.resize(n);
    id_hash_.resize(n);
    const Span* spans = t.spans.data();
    std::int32_t* slots = slots_.data();
    for (std::size_t i = 0; i < n; ++i) {
      const Span& s = spans[i];
      op_of_[i] = intern(s);
      std::uint64_t h = hash_bytes(s.span_id.data(), s.span_id.size(), 1);
      id_hash_[i] = h;
      std::size_t k = h & (cap - 1);
      while (slots[k] >= 0 && !(id_hash_[static_cast<std::size_t>(slots[k])] == h && spans[slots[k]].span_id == s.span_id)) {
        k = (k + 1) & (cap - 1);
      }
      if (slots[k] < 0) slots[k] = static_cast<std::int32_t>(i);
    }
  }

  std::uint32_t find(const Span* spans, const std::string& id) const {
    std::size_t mask = slots_.size() - 1;
    std::uint64_t h = hash_bytes(id.data(), id.size(), 1);
    const std::int32_t* slots = slots_.data();
    for (std::size_t k = h & mask; slots[k] >= 0; k = (k + 1) & mask) {
      auto i = static_cast<std::size_t>(slots[k]);
      if (id_hash_[i] == h && spans[i].span_id == id) return static_cast<std::uint32_t>(i);
    }
    return kNone;
  }

  // Parent indexes, children lists (CSR) and the root: the earliest parentless span (the longest
  // on ties).
  std::uint32_t link_parents(const Trace& t) {
    std::size_t n = t.spans.size();
    const Span* spans = t.spans.data();
    parent_.resize(n);
    child_off_.assign(n + 1, 0);
    std::uint32_t* parent = parent_.data();
    std::uint32_t* off = child_off_.data();
    std::uint32_t root = kNone;
    for (std::size_t i = 0; i < n; ++i) {
      const Span& s = spans[i];
      std::uint32_t p = s.parent_id.empty() ? kNone : find(spans, s.parent_id);
      if (p == i) p = kNone;
      parent[i] = p;
      if (p != kNone) {
        ++off[p + 1];
      } else if (root == kNone || s.start_us < spans[root].start_us ||
                 (s.start_us == spans[root].start_us && s.duration_us > spans[root].duration_us)) {
        root = static_cast<std::uint32_t>(i);
      }
    }
    for (std::size_t i = 0; i < n; ++i) off[i + 1] += off[i];
    children_.resize(n);
    fill_.assign(child_off_.begin(), child_off_.end() - 1);
    std::uint32_t* fill = fill_.data();
    std::uint32_t* children = children_.data();
    for (std::size_t i = 0; i < n; ++i) {
      if (parent[i] != kNone) children[fill[parent[i]]++] = static_cast<std::uint32_t>(i);
    }
    if (root == kNone) root = 0;  // every span has a parent: a cycle; start anywhere
    return root;
  }

  // Each span's interval clipped to its parent's (clipped) interval, top-down from every
  // parentless span; children lists then sorted by clipped end.
  void clip_intervals(const Trace& t) {
    std::size_t n = t.spans.size();
    const Span* spans = t.spans.data();
    cs_.resize(n);
    ce_.resize(n);
    queue_.resize(n);
    std::int64_t *cs = cs_.data(), *ce = ce_.data();
    const std::uint32_t *off = child_off_.data(), *parent = parent_.data();
    std::uint32_t *children = children_.data(), *queue = queue_.data();
    std::size_t tail = 0;
    for (std::size_t i = 0; i < n; ++i) {
      cs[i] = spans[i].start_us;
      ce[i] = spans[i].start_us + std::max<std::int64_t>(0, spans[i].duration_us);
      if (parent[i] == kNone) queue[tail++] = static_cast<std::uint32_t>(i);
    }
    for (std::size_t q = 0; q < tail; ++q) {  // each span enters the queue at most once
      std::uint32_t u = queue[q];
      for (std::uint32_t k = off[u]; k < off[u + 1]; ++k) {
        std::uint32_t c = children[k];
        cs[c] = std::clamp(cs[c], cs[u], ce[u]);
        ce[c] = std::clamp(ce[c], cs[c], ce[u]);
        queue[tail++] = c;
      }
    }
    for (std::size_t u = 0; u < n; ++u) sort_by_end(children + off[u], children + off[u + 1], ce);
  }

  // Insertion sort for the usual handful of children, std::sort beyond.
  static void sort_by_end(std::uint32_t* first, std::uint32_t* last, const std::int64_t* ce) {
    if (last - first > 24) {
      std::sort(first, last, [ce](std::uint32_t a, std::uint32_t b) { return ce[a] < ce[b]; });
      return;
    }
    for (std::uint32_t* i = first + 1; i < last; ++i) {
      std::uint32_t v = *i;
      std::uint32_t* j = i;
      for (; j > first && ce[*(j - 1)] > ce[v]; --j) *j = *(j - 1);
      *j = v;
    }
  }

  // Self time: the clipped duration minus the union of the children's intervals within it
  // (merged from the latest end backwards, the order the lists are in).
  void self_times(std::size_t n) {
    self_.resize(n);
    const std::int64_t *cs = cs_.data(), *ce = ce_.data();
    const std::uint32_t *off = child_off_.data(), *children = children_.data();
    std::int64_t* self = self_.data();
    for (std::size_t u = 0; u < n; ++u) {
      std::int64_t covered = 0, lo = 0, hi = 0;
      bool open = false;
      for (std::uint32_t k = off[u + 1]; k-- > off[u];) {
        std::uint32_t c = children[k];
        std::int64_t a = std::max(cs[c], cs[u]), b = std::min(ce[c], ce[u]);
        if (b <= a) continue;
        if (!open) {
          lo = a, hi = b, open = true;
        } else if (b >= lo) {
          lo = std::min(lo, a);
        } else {
          covered += hi - lo;
          lo = a, hi = b;
        }
      }
      if (open) covered += hi - lo;
      self[u] = std::max<std::int64_t>(0, ce[u] - cs[u] - covered);
    }
  }

  // The critical path, as Jaeger draws it: from the root's end walk back in time; in each span
  // descend into the last child that ends before the cursor, and when none is left give the span
  // the time back to its start and return to its parent. Exclusive times sum to the root's span.
  void critical_path(std::uint32_t root) {
    std::size_t n = parent_.size();
    crit_.assign(n, 0);
    next_.assign(child_off_.begin() + 1, child_off_.end());  // one past the next candidate child
    const std::int64_t *cs = cs_.data(), *ce = ce_.data();
    const std::uint32_t *off = child_off_.data(), *children = children_.data(), *parent = parent_.data();
    std::uint32_t* next = next_.data();
    std::int64_t* crit = crit_.data();
    std::uint32_t cur = root;
    std::int64_t cursor = ce[root];
    for (std::size_t steps = 0; steps <= 2 * n; ++steps) {  // each step consumes a child or climbs
      std::uint32_t& k = next[cur];
      while (k > off[cur] && ce[children[k - 1]] > cursor) --k;
      if (k > off[cur]) {
        std::uint32_t c = children[--k];
        crit[cur] += cursor - ce[c];
        cur = c;
        cursor = ce[c];
        continue;
      }
      crit[cur] += std::max<std::int64_t>(0, cursor - cs[cur]);
      if (cur == root || parent[cur] == kNone) break;
      cursor = cs[cur];
      cur = parent[cur];
    }
  }

  void accumulate(const Trace& t, std::uint32_t root) {
    const Span* spans = t.spans.data();
    int side = spans[root].start_us < pivot_us_ ? 0 : 1;
    auto trace_no = static_cast<std::uint32_t>(traces_++);
    ++counts_[side];
    root_ms_[side].push_back(static_cast<double>(ce_[root] - cs_[root]) / 1000.0);
    Operation* ops = ops_.data();
    Service* services = services_.data();
    ++services[ops[op_of_[root]].service_id].roots;
    touched_ops_.clear();
    touched_services_.clear();
    const std::uint32_t *op_of = op_of_.data(), *parent = parent_.data();
    const std::int64_t *self = self_.data(), *crit = crit_.data();
    for (std::size_t i = 0, n = t.spans.size(); i < n; ++i) {
      const Span& s = spans[i];
      Operation& op = ops[op_of[i]];
      Totals& tot = op.side[side];
      ++tot.calls;
      tot.errors += s.error ? 1 : 0;
      if (tot.parent == kNone && parent[i] != kNone) tot.parent = op_of[parent[i]];
      if (!op.db && !s.db_statement.empty()) op.db = &s.db_statement;
      if (!op.route && !s.http_route.empty()) op.route = &s.http_route;
      if (!op.peer && !s.peer_service.empty()) op.peer = &s.peer_service;
      add_scratch(op.now, trace_no, touched_ops_, op_of[i], self[i], crit[i]);
      Service& svc = services[op.service_id];
      ++svc.side[side].calls;
      add_scratch(svc.now, trace_no, touched_services_, op.service_id, self[i], crit[i]);
    }
    for (std::uint32_t id : touched_ops_) flush(ops[id].now, ops[id].side[side]);
    for (std::uint32_t id : touched_services_) flush(services[id].now, services[id].side[side]);
  }

  static void add_scratch(Scratch& s, std::uint32_t trace_no, std::vector<std::uint32_t>& touched, std::uint32_t id,
                          std::int64_t self, std::int64_t crit) {
    if (s.trace != trace_no) {
      s = Scratch{0, 0, trace_no};
      touched.push_back(id);
    }
    s.self += static_cast<double>(self);
    s.crit += static_cast<double>(crit);
  }

  static void flush(const Scratch& s, Totals& t) {
    ++t.traces;
    t.self_sum += s.self;
    t.self_sq += s.self * s.self;
    t.crit_sum += s.crit;
    t.crit_sq += s.crit * s.crit;
  }

  const TraceDiffOptions& options_;
  std::int64_t pivot_us_;
  std::vector<Operation> ops_;
  struct OpSlot {
    std::uint64_t hash = 0;
    std::uint32_t id = kNone;
  };
  std::vector<OpSlot> op_slots_ = std::vector<OpSlot>(64);  // power of two, at most half full
  std::uint32_t other_ = kNone;                             // the pooled operation, once made
  std::vector<Service> services_;
  std::unordered_map<std::string_view, std::uint32_t> service_ids_;
  std::size_t traces_ = 0;
  std::size_t counts_[2] = {0, 0};
  std::vector<double> root_ms_[2];
  std::size_t spans_ = 0;

  // Per-trace buffers, indexed by the span's position in the trace.
  std::vector<std::int32_t> slots_;  // span-id hash table: span index or -1
  std::vector<std::uint32_t> op_of_, parent_, child_off_, children_, fill_, next_, queue_;
  std::vector<std::uint64_t> id_hash_;  // hash of each span id
  std::vector<std::int64_t> cs_, ce_, self_, crit_;
  std::vector<std::uint32_t> touched_ops_, touched_services_;
};

TraceDiff Differ::finish() const {
  TraceDiff d;
  d.before_traces = counts_[0];
  d.after_traces = counts_[1];
  d.spans = spans_;
  double n0 = static_cast<double>(counts_[0]), n1 = static_cast<double>(counts_[1]);
  auto per_trace_ms = [](double sum_us, double n) { return n > 0 ? sum_us / n / 1000.0 : 0.0; };
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  for (int s = 0; s < 2; ++s) {
    double sum = 0;
    for (double v : root_ms_[s]) sum += v;
    (s == 0 ? d.before_root_ms : d.after_root_ms) = ratio(sum, static_cast<double>(root_ms_[s].size()));
    (s == 0 ? d.before_root_p50_ms : d.after_root_p50_ms) = median(root_ms_[s]);
  }
  std::size_t best_roots = 0;
  for (const auto& svc : services_) {
    if (svc.roots > best_roots) best_roots = svc.roots, d.root_service = std::string(svc.name);
  }
  for (const auto& op : ops_) {
    OperationStats o;
    o.service = std::string(op.service);
    o.operation = std::string(op.name);
    if (op.db) o.db_statement = *op.db;
    if (op.route) o.http_route = *op.route;
    if (op.peer) o.peer_service = *op.peer;
    std::uint32_t parent = op.side[1].parent != kNone ? op.side[1].parent : op.side[0].parent;
    if (parent != kNone) o.parent = std::string(ops_[parent].service) + ":" + std::string(ops_[parent].name);
    const Totals &b = op.side[0], &a = op.side[1];
    o.before_calls = b.calls, o.after_calls = a.calls;
    o.before_calls_per_trace = ratio(static_cast<double>(b.calls), n0);
    o.after_calls_per_trace = ratio(static_cast<double>(a.calls), n1);
    o.before_presence = ratio(static_cast<double>(b.traces), n0);
    o.after_presence = ratio(static_cast<double>(a.traces), n1);
    o.before_self_ms = per_trace_ms(b.self_sum, n0), o.after_self_ms = per_trace_ms(a.self_sum, n1);
    o.before_critical_ms = per_trace_ms(b.crit_sum, n0), o.after_critical_ms = per_trace_ms(a.crit_sum, n1);
    o.before_error_ratio = ratio(static_cast<double>(b.errors), static_cast<double>(b.calls));
    o.after_error_ratio = ratio(static_cast<double>(a.errors), static_cast<double>(a.calls));
    o.t_self = welch_t(b.self_sum, b.self_sq, n0, a.self_sum, a.self_sq, n1);
    o.t_critical = welch_t(b.crit_sum, b.crit_sq, n0, a.crit_sum, a.crit_sq, n1);
    d.operations.push_back(std::move(o));
  }
  std::sort(d.operations.begin(), d.operations.end(), [](const OperationStats& x, const OperationStats& y) {
    if (x.after_critical_ms != y.after_critical_ms) return x.after_critical_ms > y.after_critical_ms;
    return std::tie(x.service, x.operation) < std::tie(y.service, y.operation);
  });
  for (const auto& svc : services_) {
    if (svc.name == d.root_service || (svc.side[0].calls == 0 && svc.side[1].calls == 0)) continue;
    const Totals &b = svc.side[0], &a = svc.side[1];
    DependencyStats dep;
    dep.service = std::string(svc.name);
    dep.before_ms = per_trace_ms(b.self_sum, n0), dep.after_ms = per_trace_ms(a.self_sum, n1);
    dep.before_critical_ms = per_trace_ms(b.crit_sum, n0), dep.after_critical_ms = per_trace_ms(a.crit_sum, n1);
    dep.before_calls = b.calls, dep.after_calls = a.calls;
    dep.t = welch_t(b.self_sum, b.self_sq, n0, a.self_sum, a.self_sq, n1);
    d.dependencies.push_back(std::move(dep));
  }
  std::sort(d.dependencies.begin(), d.dependencies.end(), [](const DependencyStats& x, const DependencyStats& y) {
    return x.after_ms != y.after_ms ? x.after_ms > y.after_ms : x.service < y.service;
  });
  return d;
}

}  // namespace

TraceDiff diff_traces(const std::vector<Trace>& traces, Time pivot, const TraceDiffOptions& options) {
  auto pivot_us = std::chrono::duration_cast<std::chrono::microseconds>(pivot.time_since_epoch()).count();
  Differ differ(options, pivot_us);
  for (const auto& t : traces) differ.add(t);
  TraceDiff d = differ.finish();
  if (d.before_traces < options.min_traces || d.after_traces < options.min_traces) {
    d.notes.push_back("traces: " + std::to_string(d.before_traces) + " before and " + std::to_string(d.after_traces) +
                      " after the onset; at least " + std::to_string(options.min_traces) +
                      " on each side are needed to compare them");
  }
  if (d.operations.size() > options.max_operations) {
    d.notes.push_back("traces: more than " + std::to_string(options.max_operations) +
                      " distinct operations; the rest are pooled as (other)");
  }
  return d;
}

}  // namespace alertbot::investigators::analysis
