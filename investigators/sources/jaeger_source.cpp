#include "investigators/sources/jaeger_source.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <unordered_set>

#include "investigators/sources/jaeger_parse.hpp"
#include "investigators/sources/source_text.hpp"
#include "net/form.hpp"
#include "net/gather.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators {
namespace {

// The window is searched in this many slices, so both sides of an onset anywhere in it are
// represented (one search over the whole window returns only the newest traces).
constexpr int kSlices = 6;
// Traces asked per slice: 6 x 20 = 120 traces at most, enough for a before/after comparison and
// small answers (Jaeger's own default is 100 per search).
constexpr int kTracesPerSlice = 20;

std::int64_t micros_of(Time t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

class JaegerSource final : public Source {
 public:
  JaegerSource(HttpClient& http, std::string url, std::string service)
      : http_(http), url_(std::move(url)), service_(std::move(service)) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
  }

  std::string name() const override { return "jaeger"; }
  SourceKind kind() const override { return SourceKind::Traces; }

  awaitable<Result<SourceData>> fetch(const Query& q) override {
    auto slices = split_window(q.start, q.end, kSlices);
    if (slices.empty()) co_return fail(Errc::InvalidArgument, "jaeger: empty investigation window for " + service_);
    std::vector<awaitable<Result<std::vector<Trace>>>> calls;
    std::vector<std::string> what;  // per call, for notes
    for (const auto& s : slices) {
      calls.push_back(get_traces(search_url(s)));
      what.push_back("jaeger search " + clock_time_us(s.start_us) + "-" + clock_time_us(s.end_us) + " UTC");
    }
    std::string trace_id = alert_trace_id(q.alert);
    if (!trace_id.empty()) {
      calls.push_back(get_traces(url_ + "/api/traces/" + trace_id));
      what.push_back("jaeger trace " + trace_id + " (from the alert)");
    }
    auto results = co_await gather(std::move(calls));

    SourceData data;
    std::vector<Trace> traces;
    std::optional<Error> first_error;
    std::size_t failed = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!results[i]) {
        ++failed;
        if (!first_error) first_error = results[i].error();
        data.notes.push_back(what[i] + " failed: " + results[i].error().describe());
        continue;
      }
      for (auto& t : *results[i]) traces.push_back(std::move(t));
    }
    if (failed == results.size() && first_error) co_return *first_error;
    TraceSample sample;
    sample.backend = "jaeger";
    sample.service = service_;
    sample.traces = dedupe_traces(std::move(traces));
    sample.link = ui_link(micros_of(q.start), micros_of(q.end));
    if (sample.traces.empty()) data.notes.push_back("jaeger: no traces of " + service_ + " in the window");
    data.traces.push_back(std::move(sample));
    co_return data;
  }

 private:
  std::string search_url(const TimeSlice& s) const {
    return url_ + "/api/traces?" +
           form_encode({{"service", service_}, {"start", std::to_string(s.start_us)}, {"end", std::to_string(s.end_us)},
                        {"limit", std::to_string(kTracesPerSlice)}});
  }

  std::string ui_link(std::int64_t start_us, std::int64_t end_us) const {
    return url_ + "/search?" +
           form_encode({{"service", service_}, {"start", std::to_string(start_us)}, {"end", std::to_string(end_us)},
                        {"limit", std::to_string(kTracesPerSlice)}, {"lookback", "custom"}});
  }

  awaitable<Result<std::vector<Trace>>> get_traces(std::string url) {
    HttpRequest req;
    req.url = url;
    req.headers = {{"Accept", "application/json"}};
    req.idempotent = true;  // a read, safe to retry
    auto resp = co_await http_.send(std::move(req));
    if (!resp) co_return resp.error();
    if (!resp->is_json()) co_return not_json("jaeger", *resp, url);
    auto traces = parse_jaeger_traces(resp->body);
    if (!traces) co_return fail(traces.error().code, traces.error().message + " from " + url);
    if (!resp->ok()) co_return fail(Errc::HttpStatus, "jaeger: HTTP " + std::to_string(resp->status) + " from " + url);
    co_return std::move(*traces);
  }

  HttpClient& http_;
  std::string url_;
  std::string service_;
};

class JaegerFactory final : public SourceFactory {
 public:
  explicit JaegerFactory(HttpClient& http) : http_(http) {}
  std::string name() const override { return "jaeger"; }
  std::unique_ptr<Source> create(const ServiceSettings& service) const override {
    if (!service.traces || service.traces->jaeger.empty()) return nullptr;
    const std::string& svc = service.traces->service.empty() ? service.name : service.traces->service;
    return std::make_unique<JaegerSource>(http_, service.traces->jaeger, svc);
  }

 private:
  HttpClient& http_;
};

}  // namespace

std::unique_ptr<SourceFactory> make_jaeger_factory(HttpClient& http) { return std::make_unique<JaegerFactory>(http); }

std::vector<TimeSlice> split_window(Time start, Time end, int n) {
  std::int64_t a = micros_of(start), b = micros_of(end);
  std::vector<TimeSlice> out;
  if (b <= a || n < 1) return out;
  std::int64_t width = b - a;
  for (int i = 0; i < n; ++i) {
    // width * i / n without overflow for any realistic window (width < 2^63 / n).
    out.push_back({a + width / n * i + width % n * i / n, i + 1 == n ? b : a + width / n * (i + 1) + width % n * (i + 1) / n});
  }
  return out;
}

std::string alert_trace_id(const Alert* alert) {
  if (!alert) return {};
  for (const auto* map : {&alert->annotations, &alert->labels}) {
    for (const char* key : {"trace_id", "traceID"}) {
      auto it = map->find(key);
      if (it == map->end()) continue;
      std::string id = it->second;
      if (id.size() < 16 || id.size() > 32) continue;
      bool hex = std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isxdigit(c); });
      if (!hex) continue;
      for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return id;
    }
  }
  return {};
}

std::vector<Trace> dedupe_traces(std::vector<Trace> traces) {
  std::vector<Trace> out;
  std::unordered_set<std::string> seen;
  for (auto& t : traces) {
    if (seen.insert(t.trace_id).second) out.push_back(std::move(t));
  }
  auto first_start = [](const Trace& t) {
    std::int64_t m = std::numeric_limits<std::int64_t>::max();
    for (const auto& s : t.spans) m = std::min(m, s.start_us);
    return m;
  };
  std::vector<std::pair<std::int64_t, std::size_t>> order;
  for (std::size_t i = 0; i < out.size(); ++i) order.emplace_back(first_start(out[i]), i);
  std::sort(order.begin(), order.end(), [&](const auto& x, const auto& y) {
    return x.first != y.first ? x.first < y.first : out[x.second].trace_id < out[y.second].trace_id;
  });
  std::vector<Trace> sorted;
  sorted.reserve(out.size());
  for (const auto& [start, i] : order) sorted.push_back(std::move(out[i]));
  return sorted;
}

}  // namespace alertbot::investigators
