#include "investigators/sources/loki_source.hpp"

#include <algorithm>
#include <optional>

#include "investigators/sources/loki_parse.hpp"
#include "net/form.hpp"
#include "net/gather.hpp"
#include "net/http_client.hpp"
#include "investigators/sources/source_text.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators {
namespace {

std::string ns_text(Time t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

struct SliceResult {
  LogSlice slice;
  std::vector<LogLine> lines;
};

class LokiSource final : public Source {
 public:
  LokiSource(HttpClient& http, std::string url, std::string selector)
      : http_(http), url_(std::move(url)), selector_(std::move(selector)) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
  }

  std::string name() const override { return "loki"; }
  SourceKind kind() const override { return SourceKind::Logs; }

  awaitable<Result<SourceData>> fetch(const Query& q) override {
    if (q.end <= q.start) co_return fail(Errc::InvalidArgument, "loki: empty window for " + q.service);
    std::vector<awaitable<Result<SliceResult>>> calls;
    auto len = q.end - q.start;
    for (int i = 0; i < kLokiSlices; ++i) {
      Time a = q.start + len * i / kLokiSlices;
      Time b = i + 1 == kLokiSlices ? q.end : q.start + len * (i + 1) / kLokiSlices;
      calls.push_back(read_slice(a, b));
    }
    auto results = co_await gather(std::move(calls));

    SourceData data;
    LogSample sample;
    sample.backend = "loki";
    sample.query = selector_;
    std::optional<Error> first_error;
    int incomplete = 0;
    for (auto& r : results) {
      if (!r) {
        if (!first_error) first_error = r.error();
        continue;
      }
      if (!r->slice.complete) ++incomplete;
      sample.slices.push_back(r->slice);
      for (auto& line : r->lines) sample.lines.push_back(std::move(line));
    }
    if (sample.slices.empty() && first_error) co_return *first_error;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i]) continue;
      Time a = q.start + len * static_cast<int>(i) / kLokiSlices;
      data.notes.push_back("loki: slice from " + clock_time(a) + " UTC failed: " + results[i].error().describe());
    }
    if (incomplete > 0) {
      data.notes.push_back("loki: " + std::to_string(incomplete) + " of " + std::to_string(kLokiSlices) +
                           " slices hit the " + std::to_string(kLokiLineLimit) +
                           "-line limit; their rates are estimated from their newest lines");
    }
    std::stable_sort(sample.lines.begin(), sample.lines.end(), [](const LogLine& x, const LogLine& y) { return x.t < y.t; });
    data.logs.push_back(std::move(sample));
    co_return data;
  }

 private:
  awaitable<Result<SliceResult>> read_slice(Time a, Time b) {
    HttpRequest req;
    std::string target = url_ + "/loki/api/v1/query_range";
    FormFields params{{"query", selector_}, {"start", ns_text(a)}, {"end", ns_text(b)},
                      {"limit", std::to_string(kLokiLineLimit)}, {"direction", "backward"}};
    req.url = target + "?" + form_encode(params);
    req.headers = {{"Accept", "application/json"}};
    req.idempotent = true;  // a read, safe to retry
    auto resp = co_await http_.send(std::move(req));
    if (!resp) co_return resp.error();
    const bool is_json = resp->is_json();
    if (!resp->ok()) {
      // Loki answers errors in plain text; a JSON error envelope is read too.
      std::string why = body_snippet(resp->body);
      if (is_json) {
        auto parsed = parse_loki_streams(resp->body);
        if (!parsed && parsed.error().code == Errc::HttpStatus) why = parsed.error().message.substr(6);  // drop "loki: "
      }
      co_return fail(Errc::HttpStatus,
                     "loki: HTTP " + std::to_string(resp->status) + " from " + target + " for " + selector_ + ": " + why);
    }
    auto lines = parse_loki_streams(resp->body);
    if (!lines) co_return fail(lines.error().code, lines.error().message + " (from " + target + ")");
    SliceResult out;
    out.slice.start = a;
    out.slice.end = b;
    out.slice.lines = lines->size();
    out.slice.complete = lines->size() < kLokiLineLimit;
    out.lines = std::move(*lines);
    co_return out;
  }

  HttpClient& http_;
  std::string url_;
  std::string selector_;
};

class LokiFactory final : public SourceFactory {
 public:
  explicit LokiFactory(HttpClient& http) : http_(http) {}
  std::string name() const override { return "loki"; }
  std::unique_ptr<Source> create(const ServiceSettings& service) const override {
    if (!service.logs || service.logs->loki.empty()) return nullptr;
    std::string selector = service.logs->selector.empty() ? default_loki_selector(service.name) : service.logs->selector;
    return std::make_unique<LokiSource>(http_, service.logs->loki, std::move(selector));
  }

 private:
  HttpClient& http_;
};

}  // namespace

std::unique_ptr<SourceFactory> make_loki_factory(HttpClient& http) { return std::make_unique<LokiFactory>(http); }

std::string default_loki_selector(const std::string& service) {
  std::string escaped;
  for (char c : service) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "{service_name=\"" + escaped + "\"}";
}

}  // namespace alertbot::investigators
