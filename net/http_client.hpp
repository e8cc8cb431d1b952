// HttpClient: asynchronous HTTP(S) requests for coroutines. One client serves many concurrent
// requests on one executor (hundreds in flight on one thread). Any HTTP status, 4xx and 5xx
// included, is a successful Result carrying the response (after retries); the error side is for
// transport failures: Timeout, Cancelled (the awaiting coroutine's cancellation slot fired),
// ConnectFailed, TlsError, TooLarge (response above the cap), Internal.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "net/asio_fwd.hpp"
#include "net/http_types.hpp"
#include "net/result.hpp"

namespace alertbot {

class Clock;

struct HttpClientSettings {
  // Verify the server's certificate chain and host name. Off only for local experiments.
  bool verify_peer = true;
  // PEM bundle of trusted CAs; empty means the system default store.
  std::string ca_file;
  // Default per-attempt deadline when a request does not set one.
  std::chrono::milliseconds default_timeout{30000};
  // Default attempts for idempotent requests (first try included).
  int default_max_attempts = 3;
  // Exponential backoff between attempts: base * 2^(n-1), capped, with full jitter.
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_max{10000};
  // A 429 Retry-After longer than this is not waited for: the 429 response is returned.
  std::chrono::milliseconds max_retry_after{60000};
  // Responses larger than this fail with TooLarge.
  std::size_t max_response_bytes = 32 * 1024 * 1024;
  std::string user_agent = "alertbot";
  // Proxies come from the environment (http_proxy, https_proxy, no_proxy), as libcurl reads them.
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Sends `req`, retrying idempotent requests on connection errors and 5xx with backoff, and any
  // request on 429 after its Retry-After (bounded by max_retry_after). Suspends; never throws for
  // network or HTTP errors. Cancellation through the awaiting coroutine's slot aborts the transfer
  // and any backoff sleep and yields Errc::Cancelled.
  virtual awaitable<Result<HttpResponse>> send(HttpRequest req) = 0;
};

// libcurl multi (socket-action API) driven by asio on `executor`; all work runs on that executor's
// strand. `clock` is used for backoff sleeps and must outlive the client; the client must outlive
// every send() in progress (destroying it aborts transfers, but not a send() asleep in backoff).
std::unique_ptr<HttpClient> make_curl_http_client(asio::any_io_executor executor, Clock& clock,
                                                  HttpClientSettings settings = {});

}  // namespace alertbot
