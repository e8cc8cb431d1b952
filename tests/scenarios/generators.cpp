#include "tests/scenarios/generators.hpp"

#include <cmath>
#include <cstdio>

namespace alertbot::scenarios {
namespace {

using std::chrono::microseconds;

// Deterministic noise in [-1, 1].
double noise(std::uint64_t i) { return std::sin(static_cast<double>(i) * 12.9898) * 0.5 + std::sin(static_cast<double>(i) * 78.233) * 0.5; }

std::int64_t to_us(Time t) { return std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count(); }

std::string hex(std::uint64_t v, int digits) {
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = "0123456789abcdef"[v & 15];
  return out;
}

struct Builder {
  investigators::Trace& trace;
  std::uint64_t request;  // index of the request, for jitter and errors
  std::uint64_t next_span = 1;

  // Lays out one call of `shape` starting at `start_us` under `parent`; returns its duration.
  std::int64_t place(const SpanShape& shape, const std::string& parent, std::int64_t start_us, std::uint64_t salt) {
    investigators::Span s;
    s.span_id = hex(request * 1000003 + next_span++, 16);
    s.parent_id = parent;
    s.service = shape.service;
    s.operation = shape.operation;
    s.start_us = start_us;
    s.db_statement = shape.db_statement;
    s.http_route = shape.http_route;
    s.peer_service = shape.peer_service;
    const double jitter = 1.0 + 0.1 * noise(request * 31 + salt);
    const auto self_us = static_cast<std::int64_t>(shape.self_ms * 1000 * jitter);
    std::int64_t cursor = start_us + self_us / 2;
    const std::size_t index = trace.spans.size();
    trace.spans.push_back(s);
    std::uint64_t k = 0;
    for (const auto& child : shape.children) {
      for (int c = 0; c < child.count; ++c) cursor += place(child, s.span_id, cursor, salt * 131 + (++k));
    }
    const std::int64_t duration = cursor - start_us + (self_us - self_us / 2);
    trace.spans[index].duration_us = duration;
    trace.spans[index].error = shape.error_rate > 0 && static_cast<double>((request * 7919 + salt) % 1000) < shape.error_rate * 1000;
    return duration;
  }
};

}  // namespace

std::vector<investigators::Trace> generate_traces(const SpanShape& before, const SpanShape& after, Time start, Time pivot,
                                                  Time end, std::chrono::seconds every, int seed) {
  std::vector<investigators::Trace> out;
  std::uint64_t i = static_cast<std::uint64_t>(seed) * 100000;
  for (Time t = start; t < end; t += every, ++i) {
    investigators::Trace trace;
    trace.trace_id = hex(0x4bf92f3577b34da6ULL ^ (i * 0x9e3779b97f4a7c15ULL), 16) + hex(i, 16);
    Builder b{trace, i};
    b.place(t < pivot ? before : after, "", to_us(t), 1);
    out.push_back(std::move(trace));
  }
  return out;
}

std::vector<fakes::FakeLogEntry> generate_logs(const std::string& app, const std::vector<LogPattern>& patterns, Time start,
                                               Time pivot, Time end) {
  std::vector<fakes::FakeLogEntry> out;
  std::uint64_t n = 0;
  for (std::size_t p = 0; p < patterns.size(); ++p) {
    const auto& pat = patterns[p];
    for (int side = 0; side < 2; ++side) {
      const double rate = side == 0 ? pat.per_min_before : pat.per_min_after;
      if (rate <= 0) continue;
      const Time from = side == 0 ? start : pivot;
      const Time to = side == 0 ? pivot : end;
      const auto gap = std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(60.0 / rate));
      // Offset each pattern a little so lines of different patterns do not share timestamps.
      for (Time t = from + std::chrono::milliseconds(37 * static_cast<int>(p + 1)); t < to; t += gap) {
        ++n;
        std::string line = pat.text;
        for (auto at = line.find("{n}"); at != std::string::npos; at = line.find("{n}")) line.replace(at, 3, std::to_string(100 + n % 900));
        for (auto at = line.find("{id}"); at != std::string::npos; at = line.find("{id}")) line.replace(at, 4, hex(n * 2654435761ULL, 12));
        out.push_back(fakes::FakeLogEntry{t, {{"app", app}, {"level", pat.level}}, line, {}});
      }
    }
  }
  return out;
}

std::vector<fakes::FakeProfileSample> generate_profiles(const std::string& service, const std::map<std::string, double>& before,
                                                        const std::map<std::string, double>& after, Time start, Time pivot,
                                                        Time end) {
  std::vector<fakes::FakeProfileSample> out;
  std::uint64_t i = 0;
  for (Time t = start; t < end; t += std::chrono::seconds(10), ++i) {
    for (const auto& [stack, weight] : t < pivot ? before : after) {
      out.push_back(fakes::FakeProfileSample{t, service, stack, std::round(weight * (1.0 + 0.05 * noise(i)))});
    }
  }
  return out;
}

}  // namespace alertbot::scenarios
