// Building traces for the trace tests: a trace id and spans laid out in milliseconds from the
// trace's start, ids derived from a trace number so they are stable and unique.
#pragma once

#include <cstdio>
#include <string>

#include "investigators/model/trace.hpp"

namespace alertbot::investigators::testing {

// 2026-11-25T03:40:00Z in unix microseconds.
inline constexpr std::int64_t kT0us = 1795578000LL * 1000000;

inline std::string hex_id(unsigned long long value, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%0*llx", digits, value);
  return buf;
}

class TraceBuilder {
 public:
  // Trace number `n` starting at `start_us`.
  TraceBuilder(unsigned long long n, std::int64_t start_us) : start_us_(start_us), n_(n) {
    trace_.trace_id = hex_id(0x4bf92f3577b34da6ULL, 16) + hex_id(n, 16);
  }

  // A span `at_ms` after the trace start lasting `ms`; parent is a span number (-1: root).
  // Returns the span number.
  int span(int parent, const std::string& service, const std::string& operation, double at_ms, double ms) {
    Span s;
    s.span_id = hex_id((n_ << 20) + trace_.spans.size() + 1, 16);
    if (parent >= 0) s.parent_id = trace_.spans.at(static_cast<std::size_t>(parent)).span_id;
    s.service = service;
    s.operation = operation;
    s.start_us = start_us_ + static_cast<std::int64_t>(at_ms * 1000);
    s.duration_us = static_cast<std::int64_t>(ms * 1000);
    trace_.spans.push_back(std::move(s));
    return static_cast<int>(trace_.spans.size()) - 1;
  }
  Span& last() { return trace_.spans.back(); }
  Span& at(int i) { return trace_.spans.at(static_cast<std::size_t>(i)); }
  Trace build() const { return trace_; }

 private:
  Trace trace_;
  std::int64_t start_us_;
  unsigned long long n_;
};

}  // namespace alertbot::investigators::testing
