// Plain HTTP request/response values shared by the client and the server. Header names are
// matched case-insensitively; bodies are bytes in std::string.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace alertbot {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// ASCII case-insensitive comparison (header names, schemes).
bool iequals(std::string_view a, std::string_view b);

// First value of header `name` (case-insensitive), if any.
std::optional<std::string_view> find_header(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL
  HttpHeaders headers;
  std::string body;
  // Whole-request deadline per attempt (connect + send + receive). Zero means the client default.
  std::chrono::milliseconds timeout{0};
  // Retries on connection errors and 5xx apply only when true; defaults by method
  // (GET, HEAD, PUT, DELETE, OPTIONS are idempotent). Set explicitly for idempotent POSTs.
  std::optional<bool> idempotent;
  // Maximum attempts including the first; zero means the client default.
  int max_attempts = 0;
  // When set, called with each piece of a 2xx answer's body as it arrives (streamed answers such
  // as server-sent events), on the thread that drives the client's transfers (the client's
  // executor or its strand); the body is still collected whole in the response. An attempt that
  // fails after pieces were delivered and is retried delivers its pieces again from the start.
  // Should not throw (a throw aborts the transfer).
  std::function<void(std::string_view)> on_body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names lower-cased
  std::string body;
  int attempts = 1;  // how many attempts it took

  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
  bool ok() const { return status >= 200 && status < 300; }
  // The answer says it is JSON (Content-Type holds "json"): an error page of a proxy or a plain-text
  // "404 page not found" does not.
  bool is_json() const { return header("content-type").value_or("").find("json") != std::string_view::npos; }
};

}  // namespace alertbot
