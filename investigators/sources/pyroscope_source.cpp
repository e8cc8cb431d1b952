#include "investigators/sources/pyroscope_source.hpp"

#include <optional>

#include "investigators/sources/pyroscope_parse.hpp"
#include "net/form.hpp"
#include "net/gather.hpp"
#include "net/http_client.hpp"
#include "investigators/sources/source_text.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators {
namespace {

std::string seconds_text(Time t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

// The sample unit of a profile type name:sample_type:sample_unit:period_type:period_unit.
std::string unit_of(const std::string& profile_type) {
  auto a = profile_type.find(':');
  auto b = a == std::string::npos ? a : profile_type.find(':', a + 1);
  auto c = b == std::string::npos ? b : profile_type.find(':', b + 1);
  return c == std::string::npos ? "samples" : profile_type.substr(b + 1, c - b - 1);
}

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

class PyroscopeSource final : public Source {
 public:
  PyroscopeSource(HttpClient& http, std::string url, const std::string& app) : http_(http), url_(std::move(url)) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
    query_ = std::string(kCpuProfileType) + "{service_name=\"" + label_value(app) + "\"}";
  }

  std::string name() const override { return "pyroscope"; }
  SourceKind kind() const override { return SourceKind::Profiles; }

  awaitable<Result<SourceData>> fetch(const Query& q) override {
    if (q.end <= q.start) co_return fail(Errc::InvalidArgument, "pyroscope: empty window for " + q.service);
    std::vector<awaitable<Result<ProfileSlice>>> calls;
    std::vector<Time> starts;
    auto len = q.end - q.start;
    for (int i = 0; i < kPyroscopeSlices; ++i) {
      Time a = q.start + len * i / kPyroscopeSlices;
      Time b = i + 1 == kPyroscopeSlices ? q.end : q.start + len * (i + 1) / kPyroscopeSlices;
      starts.push_back(a);
      calls.push_back(read_slice(a, b));
    }
    auto results = co_await gather(std::move(calls));
    SourceData data;
    ProfileSample sample;
    sample.backend = "pyroscope";
    sample.profile_type = kCpuProfileType;
    sample.unit = unit_of(sample.profile_type);
    std::optional<Error> first_error;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i]) {
        sample.slices.push_back(std::move(*results[i]));
        continue;
      }
      if (!first_error) first_error = results[i].error();
      data.notes.push_back("pyroscope: slice from " + clock_time(starts[i]) + " UTC failed: " + results[i].error().describe());
    }
    if (sample.slices.empty() && first_error) co_return *first_error;
    data.profiles.push_back(std::move(sample));
    co_return data;
  }

 private:
  awaitable<Result<ProfileSlice>> read_slice(Time a, Time b) {
    std::string target = url_ + "/pyroscope/render";
    FormFields params{{"query", query_}, {"from", seconds_text(a)}, {"until", seconds_text(b)}, {"format", "json"}};
    HttpRequest req;
    req.url = target + "?" + form_encode(params);
    req.headers = {{"Accept", "application/json"}};
    req.idempotent = true;  // a read, safe to retry
    auto resp = co_await http_.send(std::move(req));
    if (!resp) co_return resp.error();
    if (!resp->ok()) {
      co_return fail(Errc::HttpStatus, "pyroscope: HTTP " + std::to_string(resp->status) + " from " + target + " for " +
                                           query_ + ": " + body_snippet(resp->body));
    }
    auto ct = resp->header("content-type").value_or("");
    bool plain = ct.find("text/plain") != std::string_view::npos;
    if (!plain && ct.find("json") == std::string_view::npos) {
      co_return fail(Errc::ParseError, "pyroscope: unexpected content type '" + std::string(ct) + "' from " + target);
    }
    auto stacks = plain ? parse_folded(resp->body) : parse_flamebearer(resp->body);
    if (!stacks) co_return fail(stacks.error().code, stacks.error().message + " (from " + target + ")");
    ProfileSlice slice;
    slice.start = a;
    slice.end = b;
    slice.stacks = std::move(*stacks);
    co_return slice;
  }

  HttpClient& http_;
  std::string url_;
  std::string query_;
};

class PyroscopeFactory final : public SourceFactory {
 public:
  explicit PyroscopeFactory(HttpClient& http) : http_(http) {}
  std::string name() const override { return "pyroscope"; }
  std::unique_ptr<Source> create(const ServiceSettings& service) const override {
    if (!service.profiles || service.profiles->pyroscope.empty()) return nullptr;
    std::string app = service.profiles->app.empty() ? service.name : service.profiles->app;
    return std::make_unique<PyroscopeSource>(http_, service.profiles->pyroscope, app);
  }

 private:
  HttpClient& http_;
};

}  // namespace

std::unique_ptr<SourceFactory> make_pyroscope_factory(HttpClient& http) { return std::make_unique<PyroscopeFactory>(http); }

}  // namespace alertbot::investigators
