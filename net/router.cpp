// Router and the plain server request/response helpers (no Beast here).
#include <boost/url/decode_view.hpp>
#include <boost/url/parse_query.hpp>

#include "net/http_server.hpp"

namespace alertbot {

std::optional<std::string> ServerRequest::query_param(std::string_view name) const {
  auto params = boost::urls::parse_query(query);
  if (!params) return std::nullopt;
  for (auto p : *params) {
    if (*p.key == name) {
      boost::urls::decode_view value = *p.value;
      return std::string(value.begin(), value.end());
    }
  }
  return std::nullopt;
}

ServerResponse ServerResponse::text(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

ServerResponse ServerResponse::json(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

void Router::add(std::string method, std::string path, HttpHandler handler) {
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler), nullptr});
}

void Router::add_websocket(std::string path, WebSocketHandler handler) {
  routes_.push_back(Route{{}, std::move(path), nullptr, std::move(handler)});
}

namespace {

// Length of the match of `pattern` against `path`: exact matches rank above every prefix match;
// -1 when it does not match.
long match_rank(std::string_view pattern, std::string_view path) {
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == "/*") {
    std::string_view prefix = pattern.substr(0, pattern.size() - 1);  // keep the '/'
    if (path.substr(0, prefix.size()) == prefix) return static_cast<long>(prefix.size());
    return -1;
  }
  return pattern == path ? 1'000'000 : -1;
}

}  // namespace

Router::Match Router::find(std::string_view method, std::string_view path, bool websocket) const {
  Match best;
  long best_rank = -1;
  bool path_known = false;
  for (const auto& r : routes_) {
    if (websocket != static_cast<bool>(r.ws)) continue;
    long rank = match_rank(r.path, path);
    if (rank < 0) continue;
    path_known = true;
    if (!websocket && r.method != method) continue;
    if (rank > best_rank) {
      best_rank = rank;
      best.route = &r;
    }
  }
  best.path_known = path_known;
  return best;
}

}  // namespace alertbot
