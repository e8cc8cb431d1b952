// FakeArgoCd: Argo CD's GET /api/v1/applications/{name} on 127.0.0.1, answering the Application
// (metadata, spec.destination, status.sync, status.history oldest first as Argo CD keeps it).
// Errors look like Argo CD's gRPC-gateway JSON ({"error","code","message"}): 401 code 16 when the
// Bearer token is wrong or missing (if a token is set), 404 code 5 for an unknown application.
// Thread-safe accessors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot::fakes {

struct FakeArgoHistory {
  std::int64_t id = 0;
  std::string revision;                // single-source apps
  std::vector<std::string> revisions;  // multi-source apps (then revision is empty)
  std::string deployed_at;             // RFC 3339
  std::string deploy_started_at;
  std::string username;  // initiatedBy.username
  bool automated = false;
  std::string repo_url = "https://github.com/acme/deploy";
  std::string path;
  std::string target_revision = "main";
};

struct FakeArgoApp {
  std::string name;
  std::string destination_namespace = "production";
  std::vector<FakeArgoHistory> history;  // oldest first
};

struct FakeArgoCdData {
  std::string token;  // required when non-empty
  std::vector<FakeArgoApp> apps;
};

struct FakeArgoCdRequest {
  std::string target;
  std::string authorization;
};

class FakeArgoCd {
 public:
  static Result<std::unique_ptr<FakeArgoCd>> start(asio::any_io_executor executor, FakeArgoCdData data,
                                                   std::string listen = "127.0.0.1:0");
  virtual ~FakeArgoCd() = default;
  virtual std::string url() const = 0;
  virtual std::vector<FakeArgoCdRequest> requests() const = 0;
  virtual awaitable<void> stop() = 0;
};

}  // namespace alertbot::fakes
