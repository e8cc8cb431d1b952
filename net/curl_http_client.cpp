#include <curl/curl.h>

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <mutex>
#include <random>
#include <spdlog/spdlog.h>

#include "net/clock.hpp"
#include "net/detail/curl_multi.hpp"
#include "net/http_client.hpp"

namespace alertbot {
namespace {

using std::chrono::milliseconds;

bool is_idempotent_method(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
}

// The URL without its query string: error messages and logs must not carry tokens in queries.
std::string redacted_url(const std::string& url) { return url.substr(0, url.find('?')); }

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// One attempt's libcurl handle and the buffers it writes into. Lives in the coroutine frame for
// the duration of the transfer.
class Transfer {
 public:
  Transfer(const HttpRequest& req, const HttpClientSettings& settings) : easy_(curl_easy_init()) {
    max_bytes_ = settings.max_response_bytes;
    if (req.on_body) on_piece_ = &req.on_body;
    for (const auto& [k, v] : req.headers) headers_ = curl_slist_append(headers_, (k + ": " + v).c_str());
    headers_ = curl_slist_append(headers_, "Expect:");  // no 100-continue round trip for bodies
    curl_easy_setopt(easy_, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, settings.user_agent.c_str());
    curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, settings.verify_peer ? 1L : 0L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, settings.verify_peer ? 2L : 0L);
    if (!settings.ca_file.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, settings.ca_file.c_str());
    milliseconds timeout = req.timeout.count() > 0 ? req.timeout : settings.default_timeout;
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    if (req.method == "HEAD") {
      curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
    } else if (req.method != "GET" || !req.body.empty()) {
      curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, req.method.c_str());
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, req.body.data());
    }
  }
  ~Transfer() {
    curl_easy_cleanup(easy_);
    curl_slist_free_all(headers_);
  }
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  CURL* handle() const { return easy_; }

  // Turns curl's result into the attempt's outcome.
  Result<HttpResponse> result(CURLcode code, const HttpRequest& req) {
    std::string what = req.method + " " + redacted_url(req.url);
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
      response_.status = static_cast<int>(status);
      return std::move(response_);
    }
    if (too_large_) return fail(Errc::TooLarge, what + ": response larger than " + std::to_string(max_bytes_) + " bytes");
    std::string detail = error_[0] ? std::string(error_) : std::string(curl_easy_strerror(code));
    switch (code) {
      case CURLE_ABORTED_BY_CALLBACK: return fail(Errc::Cancelled, what + ": cancelled");
      case CURLE_OPERATION_TIMEDOUT: return fail(Errc::Timeout, what + ": " + detail);
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL: return fail(Errc::InvalidArgument, what + ": " + detail);
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR: return fail(Errc::TlsError, what + ": " + detail);
      default: return fail(Errc::ConnectFailed, what + ": " + detail);
    }
  }

 private:
  static size_t on_body(char* data, size_t size, size_t n, void* self_p) {
    auto* self = static_cast<Transfer*>(self_p);
    size_t bytes = size * n;
    if (self->response_.body.size() + bytes > self->max_bytes_) {
      self->too_large_ = true;
      return CURL_WRITEFUNC_ERROR;
    }
    self->response_.body.append(data, bytes);
    if (self->on_piece_ && bytes > 0) {
      long status = 0;
      curl_easy_getinfo(self->easy_, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 200 && status < 300) {
        try {
          (*self->on_piece_)(std::string_view(data, bytes));
        } catch (...) {
          return CURL_WRITEFUNC_ERROR;  // never through libcurl's C frames
        }
      }
    }
    return bytes;
  }

  static size_t on_header(char* data, size_t size, size_t n, void* self_p) {
    auto* self = static_cast<Transfer*>(self_p);
    std::string_view line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
      self->response_.headers.clear();  // a new response (after 100 Continue or a proxy CONNECT)
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      std::string name = trim(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      self->response_.headers.emplace_back(std::move(name), trim(line.substr(colon + 1)));
    }
    return size * n;
  }

  CURL* easy_;
  curl_slist* headers_ = nullptr;
  HttpResponse response_;
  std::size_t max_bytes_;
  bool too_large_ = false;
  const std::function<void(std::string_view)>* on_piece_ = nullptr;  // the request's on_body
  char error_[CURL_ERROR_SIZE] = {0};
};

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient(asio::any_io_executor ex, Clock& clock, HttpClientSettings settings)
      : multi_(detail::CurlMulti::create(std::move(ex))),
        clock_(clock),
        settings_(std::move(settings)),
        rng_(std::random_device{}()) {}
  ~CurlHttpClient() override { multi_->shutdown(); }

  awaitable<Result<HttpResponse>> send(HttpRequest req) override {
    const bool idempotent = req.idempotent.value_or(is_idempotent_method(req.method));
    const int max_attempts = req.max_attempts > 0 ? req.max_attempts : settings_.default_max_attempts;
    for (int attempt = 1;; ++attempt) {
      Result<HttpResponse> r = co_await perform(req);
      if (!r && r.error().code == Errc::Cancelled) co_return r;
      std::optional<milliseconds> wait;
      if (attempt < max_attempts) wait = retry_delay(r, idempotent, attempt);
      if (!wait) {
        if (r) r->attempts = attempt;
        co_return r;
      }
      spdlog::debug("http client: {} {}: attempt {} gave {}, retrying in {} ms", req.method, redacted_url(req.url),
                    attempt, r ? "HTTP " + std::to_string(r->status) : r.error().describe(), wait->count());
      if (!co_await clock_.sleep_for(*wait)) {
        co_return fail(Errc::Cancelled, req.method + " " + redacted_url(req.url) + ": cancelled during backoff");
      }
    }
  }

 private:
  awaitable<Result<HttpResponse>> perform(const HttpRequest& req) {
    Transfer t(req, settings_);
    CURLcode code = co_await multi_->async_perform(t.handle(), asio::use_awaitable);
    co_return t.result(code, req);
  }

  // How long to wait before the next attempt, or nullopt when `r` is final.
  std::optional<milliseconds> retry_delay(const Result<HttpResponse>& r, bool idempotent, int attempt) {
    if (!r) {
      if (idempotent && r.error().code == Errc::ConnectFailed) return backoff(attempt);
      return std::nullopt;
    }
    if (r->status == 429 || (r->status == 503 && r->header("retry-after"))) {
      if (auto after = retry_after(*r)) {
        if (*after > settings_.max_retry_after) return std::nullopt;
        return *after;
      }
      return r->status == 429 ? std::optional(backoff(attempt)) : std::nullopt;
    }
    if (r->status >= 500 && idempotent) return backoff(attempt);
    return std::nullopt;
  }

  // Retry-After as delta seconds or an HTTP date.
  std::optional<milliseconds> retry_after(const HttpResponse& r) {
    auto v = r.header("retry-after");
    if (!v) return std::nullopt;
    std::string s = trim(*v);
    if (!s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return milliseconds(std::stoll(s.substr(0, 9)) * 1000);
    }
    time_t when = curl_getdate(s.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    auto now = std::chrono::system_clock::to_time_t(clock_.system_now());
    return milliseconds(std::max<long long>(0, static_cast<long long>(when - now)) * 1000);
  }

  // base * 2^(attempt-1), capped, with equal jitter: half fixed, half random.
  milliseconds backoff(int attempt) {
    long long cap = settings_.backoff_base.count() << std::min(attempt - 1, 20);
    cap = std::min<long long>(cap, settings_.backoff_max.count());
    std::lock_guard lock(rng_mutex_);
    std::uniform_int_distribution<long long> dist(0, cap / 2);
    return milliseconds(cap - cap / 2 + dist(rng_));
  }

  std::shared_ptr<detail::CurlMulti> multi_;
  Clock& clock_;
  const HttpClientSettings settings_;
  std::mutex rng_mutex_;  // guards rng_: send() may run on several threads
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_http_client(asio::any_io_executor executor, Clock& clock,
                                                  HttpClientSettings settings) {
  return std::make_unique<CurlHttpClient>(std::move(executor), clock, std::move(settings));
}

}  // namespace alertbot
