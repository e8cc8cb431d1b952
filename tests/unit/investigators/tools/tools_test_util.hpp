// Helpers for the tool tests: reading answer fields (a missing field fails the test, never
// throws), and MiniLoki, a Loki query endpoint that accepts any LogQL (line filters included,
// which FakeLoki refuses), records it, and answers one line per request.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/http_server.hpp"

namespace alertbot::investigators::tools_test {

inline double num(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_number()) {
    ADD_FAILURE() << "no number at " << key << " in " << boost::json::serialize(o);
    return -1;
  }
  return v->to_number<double>();
}

inline std::string str(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) {
    ADD_FAILURE() << "no string at " << key << " in " << boost::json::serialize(o);
    return {};
  }
  return std::string(v->get_string());
}

class MiniLoki {
 public:
  explicit MiniLoki(asio::any_io_executor ex) : state_(std::make_shared<State>()) {
    Router r;
    r.add("GET", "/loki/api/v1/query_range", [st = state_](ServerRequest req) -> awaitable<ServerResponse> {
      {
        std::lock_guard lock(st->mutex);
        st->queries.push_back(req.query_param("query").value_or(""));
      }
      co_return ServerResponse::json(200, answer(req.query_param("start").value_or("0")));
    });
    HttpServerSettings hs;
    hs.listen = "127.0.0.1:0";
    hs.shutdown_grace = std::chrono::milliseconds(200);
    auto server = start_http_server(ex, hs, std::move(r));
    if (!server) throw std::runtime_error(server.error().describe());
    server_ = std::move(*server);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<std::string> queries() const {
    std::lock_guard lock(state_->mutex);
    return state_->queries;
  }
  awaitable<void> stop() { return server_->stop(); }

 private:
  // One stream with one line at `start` (nanoseconds, as sent).
  static std::string answer(const std::string& start) {
    boost::json::array entry;
    entry.emplace_back(start);
    entry.emplace_back("say \"hi\" \\ now: request failed");
    boost::json::array values;
    values.push_back(std::move(entry));
    boost::json::object stream;
    stream["stream"] = boost::json::object{{"service_name", "checkout"}, {"level", "error"}};
    stream["values"] = std::move(values);
    boost::json::array result;
    result.push_back(std::move(stream));
    boost::json::object data{{"resultType", "streams"}, {"result", std::move(result)}};
    boost::json::object body{{"status", "success"}, {"data", std::move(data)}};
    return boost::json::serialize(body);
  }

  struct State {
    mutable std::mutex mutex;
    std::vector<std::string> queries;
  };
  std::shared_ptr<State> state_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace alertbot::investigators::tools_test
