// FakePrometheus: a Prometheus-compatible HTTP endpoint on 127.0.0.1 serving synthetic series:
// /api/v1/query_range and /api/v1/query (GET or form POST, answers in the real envelope shape,
// 400 bad_data for bad parameters and for more than 11,000 points, like Prometheus), and
// /-/ready. A query is answered by the first configured series whose `match` text it contains;
// other queries get an empty result. Values are deterministic: a level before `onset`, another after (until `recovered`),
// plus a fixed pseudo-noise. Used by tests and by `alertbot demo`. Thread-safe accessors.
#pragma once

#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "net/time_format.hpp"

namespace alertbot::fakes {

struct FakeSeries {
  std::string match;  // substring of the PromQL that selects this series
  std::map<std::string, std::string> labels;
  double before = 0;  // level before the onset
  double after = 0;   // level from the onset on
  double noise = 0;   // amplitude of the deterministic noise
  SystemTime onset;
  // When set, the level returns to `before` from this time on (an incident that recovered).
  std::optional<SystemTime> recovered;
};

class FakePrometheus {
 public:
  static Result<std::unique_ptr<FakePrometheus>> start(asio::any_io_executor executor, std::vector<FakeSeries> series,
                                                       std::string listen = "127.0.0.1:0");
  virtual ~FakePrometheus() = default;
  virtual std::string url() const = 0;  // http://127.0.0.1:PORT
  virtual std::vector<std::string> queries() const = 0;  // every PromQL received, in order
  virtual awaitable<void> stop() = 0;

  // The value the fake serves for `s` at `t` (tests compare against it).
  static double value_at(const FakeSeries& s, SystemTime t);
};

}  // namespace alertbot::fakes
