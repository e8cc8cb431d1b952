#include "tests/fakes/argocd_fake.hpp"

#include <boost/json.hpp>
#include <mutex>

#include "net/http_server.hpp"

namespace alertbot::fakes {
namespace {

namespace json = boost::json;

struct State {
  FakeArgoCdData data;
  mutable std::mutex mutex;
  std::vector<FakeArgoCdRequest> requests;  // guarded by mutex
};

ServerResponse error(int status, int code, const std::string& message) {
  return ServerResponse::json(status, json::serialize(json::object{{"error", message}, {"code", code}, {"message", message}}));
}

json::object history_json(const FakeArgoHistory& h) {
  json::object source{{"repoURL", h.repo_url}, {"path", h.path}, {"targetRevision", h.target_revision}};
  json::object o{{"id", h.id}, {"deployedAt", h.deployed_at}, {"source", source}};
  if (!h.revision.empty()) o["revision"] = h.revision;
  if (!h.revisions.empty()) {
    json::array revs;
    for (const auto& r : h.revisions) revs.push_back(json::value(r));
    o["revisions"] = revs;
  }
  if (!h.deploy_started_at.empty()) o["deployStartedAt"] = h.deploy_started_at;
  json::object by;
  if (!h.username.empty()) by["username"] = h.username;
  if (h.automated) by["automated"] = true;
  if (!by.empty()) o["initiatedBy"] = by;
  return o;
}

ServerResponse answer(State& st, const ServerRequest& req) {
  {
    std::lock_guard lock(st.mutex);
    st.requests.push_back({req.target, std::string(req.header("authorization").value_or(""))});
  }
  if (!st.data.token.empty() && req.header("authorization").value_or("") != "Bearer " + st.data.token) {
    return error(401, 16, "invalid session: token signature is invalid");
  }
  std::string name = req.path.substr(std::string("/api/v1/applications/").size());
  for (const auto& app : st.data.apps) {
    if (app.name != name) continue;
    json::array history;
    for (const auto& h : app.history) history.push_back(history_json(h));
    std::string last = app.history.empty() ? "" : app.history.back().revision;
    json::object o{{"metadata", json::object{{"name", app.name}, {"namespace", "argocd"}}},
                   {"spec", json::object{{"destination", json::object{{"server", "https://kubernetes.default.svc"},
                                                                       {"namespace", app.destination_namespace}}}}},
                   {"status", json::object{{"sync", json::object{{"status", "Synced"}, {"revision", last}}},
                                           {"health", json::object{{"status", "Healthy"}}},
                                           {"history", history}}}};
    return ServerResponse::json(200, json::serialize(o));
  }
  return error(404, 5, "applications.argoproj.io \"" + name + "\" not found");
}

class Fake final : public FakeArgoCd {
 public:
  Fake(std::shared_ptr<State> st, std::unique_ptr<HttpServer> server) : st_(std::move(st)), server_(std::move(server)) {}
  std::string url() const override { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<FakeArgoCdRequest> requests() const override {
    std::lock_guard lock(st_->mutex);
    return st_->requests;
  }
  awaitable<void> stop() override { co_await server_->stop(); }

 private:
  std::shared_ptr<State> st_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

Result<std::unique_ptr<FakeArgoCd>> FakeArgoCd::start(asio::any_io_executor executor, FakeArgoCdData data, std::string listen) {
  auto st = std::make_shared<State>();
  st->data = std::move(data);
  Router r;
  r.add("GET", "/api/v1/applications/*", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return answer(*st, req); });
  HttpServerSettings hs;
  hs.listen = std::move(listen);
  hs.shutdown_grace = std::chrono::milliseconds(200);
  auto server = start_http_server(std::move(executor), hs, std::move(r));
  if (!server) return server.error();
  return std::unique_ptr<FakeArgoCd>(std::make_unique<Fake>(st, std::move(*server)));
}

}  // namespace alertbot::fakes
