// FakeGitHub: the parts of the GitHub REST API the deploy and diff sources read, on 127.0.0.1,
// with GitHub's shapes: GET /repos/{o}/{r}/deployments (newest first; environment filter;
// per_page (default 30, max 100) and page with a Link header carrying rel="next"/"last"),
// /deployments/{id}/statuses (newest first), /compare/{base}...{head} (commits oldest first plus
// the files of the range) and /commits/{sha} (files with patches; a file without a patch has no
// "patch" key). Revisions are full SHAs, unique SHA prefixes (>= 7) or tags. When a token is set
// every request needs "Authorization: Bearer <token>" (or "token <token>"), else 401 with
// GitHub's JSON error. Unknown things get 404 {"message":"Not Found"}. Thread-safe accessors.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot::fakes {

struct FakeGitHubStatus {
  std::int64_t id = 0;
  std::string state;       // success | failure | error | inactive | in_progress | queued | pending
  std::string created_at;  // RFC 3339
  std::string log_url;
  std::string target_url;
  std::string description;
};

struct FakeGitHubDeployment {
  std::int64_t id = 0;
  std::string sha;
  std::string ref = "main";
  std::string environment = "production";
  std::string description;
  std::string creator;     // creator.login
  std::string created_at;  // RFC 3339
  std::vector<FakeGitHubStatus> statuses;  // any order; served newest first
};

struct FakeGitHubFile {
  std::string filename;
  std::string status = "modified";
  int additions = 0;
  int deletions = 0;
  std::optional<std::string> patch;  // nullopt: no "patch" key (binary, too large)
  std::string previous_filename;
};

struct FakeGitHubCommit {
  std::string sha;  // 40 hex
  std::string message;
  std::string author_name;
  std::string author_login;  // "" -> "author": null
  std::string date;          // RFC 3339
  std::vector<FakeGitHubFile> files;
};

struct FakeGitHubData {
  std::string owner = "acme";
  std::string repo = "orders";
  std::string token;  // required when non-empty
  std::vector<FakeGitHubDeployment> deployments;  // any order; served newest first by created_at
  std::vector<FakeGitHubCommit> commits;          // history, oldest first (a straight line)
  std::map<std::string, std::string> tags;        // tag -> sha
  int max_per_page = 100;  // GitHub's cap; lower it to exercise paging with few deployments
};

struct FakeGitHubRequest {
  std::string method;
  std::string target;  // path and query as received
  std::string authorization;
  std::string accept;
  std::string api_version;  // X-GitHub-Api-Version
};

class FakeGitHub {
 public:
  static Result<std::unique_ptr<FakeGitHub>> start(asio::any_io_executor executor, FakeGitHubData data,
                                                   std::string listen = "127.0.0.1:0");
  virtual ~FakeGitHub() = default;
  virtual std::string url() const = 0;  // http://127.0.0.1:PORT (the API base URL)
  virtual std::vector<FakeGitHubRequest> requests() const = 0;
  virtual awaitable<void> stop() = 0;
};

}  // namespace alertbot::fakes
