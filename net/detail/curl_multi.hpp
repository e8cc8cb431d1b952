// CurlMulti: one libcurl multi handle driven by asio through the socket-action API. Sockets that
// curl opens are watched with asio descriptors; curl's timer is an asio steady_timer. Everything
// touching the multi handle runs on one strand; async_perform() and cancellation may be used from
// any thread. Internal to net/ (only curl_http_client.cpp includes it).
#pragma once

#include <curl/curl.h>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <cstdint>
#include <memory>

#include "net/asio_fwd.hpp"

namespace alertbot::detail {

class CurlMulti {
 public:
  // A type-erased completion handler and the executor it must run on.
  struct Handler {
    asio::any_io_executor executor;
    asio::any_completion_handler<void(CURLcode)> fn;
  };

  // Creates the multi handle on a new strand of `executor`.
  static std::shared_ptr<CurlMulti> create(asio::any_io_executor executor);
  virtual ~CurlMulti() = default;

  // Runs the transfer configured on `easy` (which the caller keeps alive and unchanged until the
  // handler runs) and completes with curl's result code. Cancellation through the handler's slot
  // removes the transfer and completes with CURLE_ABORTED_BY_CALLBACK.
  template <class Token>
  auto async_perform(CURL* easy, Token&& token) {
    return asio::async_initiate<Token, void(CURLcode)>(
        [this](auto handler, CURL* e) {
          asio::any_io_executor ex = asio::get_associated_executor(handler, executor());
          start(e, Handler{std::move(ex), std::move(handler)});
        },
        token, easy);
  }

  // Aborts every transfer (each completes with CURLE_ABORTED_BY_CALLBACK). Used at destruction.
  virtual void shutdown() = 0;

 protected:
  virtual void start(CURL* easy, Handler handler) = 0;
  virtual asio::any_io_executor executor() const = 0;
};

}  // namespace alertbot::detail
