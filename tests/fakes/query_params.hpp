// Reading a fake backend's query parameters: an integer parameter, strictly (nothing after the
// digits), or nullopt when absent or malformed.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>

#include "net/http_server.hpp"

namespace alertbot::fakes {

inline std::optional<std::int64_t> int_param(const ServerRequest& req, const char* name) {
  auto v = req.query_param(name);
  if (!v) return std::nullopt;
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size()) return std::nullopt;
  return out;
}

}  // namespace alertbot::fakes
