// FakeLoki: a Loki-compatible log query endpoint on 127.0.0.1 serving fixed log entries through
// GET /loki/api/v1/query_range with the real answer shape: streams grouped by label set,
// nanosecond strings, `limit` (default 100, at most 5000) applied to the newest (backward, the
// default) or oldest (forward) entries of [start, end), and 3-element entries with structured
// metadata when the request carries `X-Loki-Response-Encoding-Flags: categorize-labels`
// (otherwise metadata is merged into the stream labels, as Loki does). Selectors: exact
// matchers only ({k="v",k2="v2"}); anything else gets 400 "parse error ..." in plain text, like
// Loki. start/end: nanoseconds, fractional seconds or RFC 3339 (both required: no wall clock).
// Records every request. Thread-safe accessors.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "net/time_format.hpp"

namespace alertbot::fakes {

struct FakeLogEntry {
  SystemTime t;
  std::map<std::string, std::string> labels;    // stream labels
  std::string line;
  std::map<std::string, std::string> metadata;  // structured metadata (Loki 3), may be empty
};

struct LokiRequestRecord {
  std::string query;
  std::string start;  // as sent
  std::string end;
  std::string limit;
  std::string direction;
  bool categorize_labels = false;
};

class FakeLoki {
 public:
  static Result<std::unique_ptr<FakeLoki>> start(asio::any_io_executor executor, std::vector<FakeLogEntry> entries,
                                                 std::string listen = "127.0.0.1:0");
  virtual ~FakeLoki() = default;
  virtual std::string url() const = 0;  // http://127.0.0.1:PORT
  virtual std::vector<LokiRequestRecord> requests() const = 0;
  // Queries whose [start, end) overlaps [from, to) get `status` with a plain-text `body`.
  virtual void fail_between(SystemTime from, SystemTime to, int status = 500, std::string body = "internal server error") = 0;
  virtual awaitable<void> stop() = 0;
};

// A stream selector of exact matchers, `{k="v", k2="v2"}`, as label pairs. Errors: ParseError
// with Loki's wording ("parse error at line 1, col N: syntax error: ...").
Result<std::vector<std::pair<std::string, std::string>>> parse_exact_selector(std::string_view selector);

}  // namespace alertbot::fakes
