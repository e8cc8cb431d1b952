#include "investigators/sources/tempo_source.hpp"

#include <unordered_set>

#include "investigators/sources/jaeger_source.hpp"
#include "investigators/sources/otlp_parse.hpp"
#include "investigators/sources/source_text.hpp"
#include "net/form.hpp"
#include "net/gather.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators {
namespace {

// The window is searched in this many slices, so both sides of an onset are represented.
constexpr int kSlices = 6;
// Traces asked per slice search: 6 x 20 = 120 trace fetches at most.
constexpr int kTracesPerSlice = 20;
// Trace fetches in flight at once: bounds the load one investigation puts on Tempo.
constexpr std::size_t kMaxInFlight = 8;

// Unix seconds covering the slice: Tempo's search takes whole seconds.
std::int64_t floor_seconds(std::int64_t us) { return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000); }
std::int64_t ceil_seconds(std::int64_t us) { return -floor_seconds(-us); }

class TempoSource final : public Source {
 public:
  TempoSource(HttpClient& http, std::string url, std::string service)
      : http_(http), url_(std::move(url)), service_(std::move(service)) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
  }

  std::string name() const override { return "tempo"; }
  SourceKind kind() const override { return SourceKind::Traces; }

  awaitable<Result<SourceData>> fetch(const Query& q) override {
    auto slices = split_window(q.start, q.end, kSlices);
    if (slices.empty()) co_return fail(Errc::InvalidArgument, "tempo: empty investigation window for " + service_);
    std::vector<awaitable<Result<std::vector<std::string>>>> searches;
    searches.reserve(slices.size());
    for (const auto& s : slices) searches.push_back(search(s));
    auto found = co_await gather(std::move(searches));

    SourceData data;
    std::optional<Error> first_error;
    std::vector<std::string> ids;
    std::unordered_set<std::string> seen;
    std::size_t failed_searches = 0;
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (!found[i]) {
        ++failed_searches;
        if (!first_error) first_error = found[i].error();
        data.notes.push_back("tempo search " + clock_time_us(slices[i].start_us) + "-" + clock_time_us(slices[i].end_us) +
                             " UTC failed: " + found[i].error().describe());
        continue;
      }
      for (auto& id : *found[i]) {
        if (seen.insert(id).second) ids.push_back(std::move(id));
      }
    }
    std::string alert_id = alert_trace_id(q.alert);
    if (!alert_id.empty() && seen.insert(alert_id).second) ids.push_back(alert_id);
    if (failed_searches == found.size() && ids.empty() && first_error) co_return *first_error;

    std::vector<std::optional<Result<Trace>>> fetched(ids.size());
    std::vector<awaitable<std::size_t>> workers;
    for (std::size_t w = 0; w < std::min(kMaxInFlight, ids.size()); ++w) workers.push_back(fetch_stripe(&ids, &fetched, w));
    co_await gather(std::move(workers));

    std::vector<Trace> traces;
    std::size_t failed_fetches = 0;
    for (auto& r : fetched) {
      if (r && *r) {
        traces.push_back(std::move(**r));
        continue;
      }
      if (r && !first_error) first_error = r->error();
      if (failed_fetches++ == 0 && r) data.notes.push_back("tempo: trace fetch failed: " + r->error().describe());
    }
    if (failed_fetches > 1) {
      data.notes.push_back("tempo: " + std::to_string(failed_fetches) + " of " + std::to_string(ids.size()) +
                           " traces could not be fetched");
    }
    if (traces.empty() && failed_fetches > 0 && first_error) co_return *first_error;
    TraceSample sample;
    sample.backend = "tempo";
    sample.service = service_;
    sample.traces = dedupe_traces(std::move(traces));
    sample.link = url_ + "/api/search?" +
                  form_encode({{"q", tempo_service_query(service_)},
                               {"start", std::to_string(floor_seconds(slices.front().start_us))},
                               {"end", std::to_string(ceil_seconds(slices.back().end_us))}});
    if (sample.traces.empty()) data.notes.push_back("tempo: no traces of " + service_ + " in the window");
    data.traces.push_back(std::move(sample));
    co_return data;
  }

 private:
  // Fetches ids[first], ids[first + kMaxInFlight], ... one after another into `out` (each
  // worker owns its own slots, so workers never touch the same element).
  awaitable<std::size_t> fetch_stripe(const std::vector<std::string>* ids, std::vector<std::optional<Result<Trace>>>* out,
                                      std::size_t first) {
    std::size_t done = 0;
    for (std::size_t i = first; i < ids->size(); i += kMaxInFlight) {
      auto r = co_await get_trace((*ids)[i]);
      (*out)[i].emplace(std::move(r));
      ++done;
    }
    co_return done;
  }

  awaitable<Result<std::vector<std::string>>> search(TimeSlice s) {
    std::string url = url_ + "/api/search?" +
                      form_encode({{"q", tempo_service_query(service_)},
                                   {"start", std::to_string(floor_seconds(s.start_us))},
                                   {"end", std::to_string(ceil_seconds(s.end_us))},
                                   {"limit", std::to_string(kTracesPerSlice)}});
    auto body = co_await get_json(url);
    if (!body) co_return body.error();
    auto ids = parse_tempo_search(*body);
    if (!ids) co_return fail(ids.error().code, ids.error().message + " from " + url);
    co_return std::move(*ids);
  }

  awaitable<Result<Trace>> get_trace(std::string id) {
    std::string url = url_ + "/api/traces/" + id;
    auto body = co_await get_json(url);
    if (!body) co_return body.error();
    auto trace = parse_otlp_trace(*body);
    if (!trace) co_return fail(trace.error().code, trace.error().message + " from " + url);
    co_return std::move(*trace);
  }

  // The body of a 2xx JSON answer. Errors: transport errors, HttpStatus (non-JSON or non-2xx).
  awaitable<Result<std::string>> get_json(std::string url) {
    HttpRequest req;
    req.url = url;
    req.headers = {{"Accept", "application/json"}};
    req.idempotent = true;  // a read, safe to retry
    auto resp = co_await http_.send(std::move(req));
    if (!resp) co_return resp.error();
    if (!resp->is_json()) {
      std::string text = resp->body.substr(0, 80);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      co_return fail(Errc::HttpStatus, "tempo: HTTP " + std::to_string(resp->status) + " (not JSON: \"" + text + "\") from " + url);
    }
    if (!resp->ok()) co_return fail(Errc::HttpStatus, "tempo: HTTP " + std::to_string(resp->status) + " from " + url);
    co_return std::move(resp->body);
  }

  HttpClient& http_;
  std::string url_;
  std::string service_;
};

class TempoFactory final : public SourceFactory {
 public:
  explicit TempoFactory(HttpClient& http) : http_(http) {}
  std::string name() const override { return "tempo"; }
  std::unique_ptr<Source> create(const ServiceSettings& service) const override {
    if (!service.traces || service.traces->tempo.empty()) return nullptr;
    const std::string& svc = service.traces->service.empty() ? service.name : service.traces->service;
    return std::make_unique<TempoSource>(http_, service.traces->tempo, svc);
  }

 private:
  HttpClient& http_;
};

}  // namespace

std::unique_ptr<SourceFactory> make_tempo_factory(HttpClient& http) { return std::make_unique<TempoFactory>(http); }

std::string tempo_service_query(const std::string& service) {
  std::string escaped;
  for (char c : service) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "{ resource.service.name = \"" + escaped + "\" }";
}

}  // namespace alertbot::investigators
