// FakePyroscope: a Grafana Pyroscope render endpoint on 127.0.0.1 serving fixed timed profile
// samples: GET /pyroscope/render?query=<type>{service_name="x"}&from=<unix s>&until=<unix s>
// &format=json answers a flamebearer ({"flamebearer":{names, levels, numTicks, maxSelf},
// "metadata":{format:"single",...}}) built from the samples with from <= t < until of that
// service (weights summed per stack, rounded to integers). Times: Unix seconds, or milliseconds
// above 10^11 ("now-1h" is refused: no wall clock). Bad parameters get 400 in plain text.
// Optionally answers folded-stacks text instead, or fails a time range. Records every request.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "net/time_format.hpp"

namespace alertbot::fakes {

struct FakeProfileSample {
  SystemTime t;
  std::string service;  // matched against service_name="..."
  std::string stack;    // folded: "main;handler;leaf"
  double weight = 0;
};

struct PyroscopeRequestRecord {
  std::string query;
  std::string from;
  std::string until;
  std::string format;
};

class FakePyroscope {
 public:
  static Result<std::unique_ptr<FakePyroscope>> start(asio::any_io_executor executor, std::vector<FakeProfileSample> samples,
                                                      std::string listen = "127.0.0.1:0");
  virtual ~FakePyroscope() = default;
  virtual std::string url() const = 0;  // http://127.0.0.1:PORT
  virtual std::vector<PyroscopeRequestRecord> requests() const = 0;
  // Requests whose [from, until) overlaps [from, to) get `status` with a plain-text `body`.
  virtual void fail_between(SystemTime from, SystemTime to, int status = 500, std::string body = "internal server error") = 0;
  // Answer text/plain folded stacks ("a;b 12" lines) instead of flamebearer JSON.
  virtual void answer_folded_text(bool on) = 0;
  virtual awaitable<void> stop() = 0;

  // The render answer for `stacks` (stack -> weight): a root "total", children in name order.
  static std::string flamebearer_json(const std::map<std::string, double>& stacks, const std::string& profile_type = "");
};

}  // namespace alertbot::fakes
