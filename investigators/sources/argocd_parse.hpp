// Parsing Argo CD answers: GET /api/v1/applications/{name} (the Application; we read
// status.history, oldest first, and spec.destination.namespace) and Argo CD's JSON errors
// ({"error","code","message"}). The body is untrusted: ParseError names the field; counts and
// strings are capped; unknown fields are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/evidence.hpp"
#include "net/http_types.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

struct ArgoHistoryEntry {
  std::int64_t id = 0;
  std::string revision;  // revision, or revisions[0] for multi-source apps
  Time deployed_at;
  std::string username;  // initiatedBy.username
  bool automated = false;
  std::string repo_url;
  std::string path;
  std::string target_revision;
};

struct ArgoApplication {
  std::string name;
  std::string destination_namespace;
  std::vector<ArgoHistoryEntry> history;  // oldest first, as Argo CD keeps it
};

// Errors: ParseError (not JSON, a malformed history entry; the message names the field).
Result<ArgoApplication> parse_argocd_application(std::string_view body);

// The body of a 2xx JSON answer. Errors: HttpStatus "argocd: HTTP 401 from <what>: <message>
// (check deploys.argocd.token)", NotFound for 404, HttpStatus for a non-JSON answer.
Result<std::string> argocd_body(const HttpResponse& resp, const std::string& what);

}  // namespace alertbot::investigators
