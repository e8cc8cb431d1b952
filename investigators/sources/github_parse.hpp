// GitHub REST helpers shared by the GitHub deploy and compare sources: the request every call
// sends (Accept, API version, Bearer token), response checks that turn GitHub's JSON errors into
// clear messages, the Link header, and parsers for deployments, deployment statuses, compare and
// single-commit answers. Parsers treat the body as untrusted: they return ParseError naming the
// field and cap counts and string sizes; unknown fields are ignored.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/evidence.hpp"
#include "investigators/service_settings.hpp"
#include "net/gather.hpp"
#include "net/http_types.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// A patch longer than this is cut (FileChange::patch_missing = true).
inline constexpr std::size_t kMaxPatchBytes = 64 * 1024;

struct GitHubDeployment {
  std::int64_t id = 0;
  std::string sha;
  std::string ref;
  std::string environment;
  std::string description;
  std::string creator;  // creator.login
  Time created_at;
};

struct GitHubStatus {
  std::string state;  // success | failure | error | inactive | in_progress | queued | pending
  Time created_at;
  std::string log_url;
  std::string target_url;
};

struct GitHubCompare {
  std::string status;  // ahead | behind | identical | diverged
  int total_commits = 0;
  std::string html_url;
  std::vector<Commit> commits;  // oldest first, without files
};

// GET `url` with the GitHub headers; the token (if any) as a Bearer token.
HttpRequest github_request(const RepoSettings& repo, std::string url);

// The body of a 2xx JSON answer. Errors: HttpStatus "github: HTTP 401 from <what>: Bad credentials
// (check repo.github_token)", NotFound for 404, RateLimited for 403/429 with the rate limit
// exhausted, HttpStatus for a non-JSON answer.
Result<std::string> github_body(const HttpResponse& resp, const std::string& what);

// The URL of rel="next" in a Link header, or "".
std::string link_next(std::string_view link_header);

// "https://github.com/acme/orders" for api.github.com, "https://ghe.example/acme/orders" for
// "https://ghe.example/api/v3"; "" when the API URL has neither shape.
std::string github_web_url(const RepoSettings& repo);

// True for "owner/name" made of letters, digits, '.', '_' and '-' (safe to put in a URL path).
bool is_github_repo_name(std::string_view repo);

// `api_url` without trailing slashes.
std::string github_api_base(const RepoSettings& repo);

Result<std::vector<GitHubDeployment>> parse_github_deployments(std::string_view body);
Result<std::vector<GitHubStatus>> parse_github_statuses(std::string_view body);
Result<GitHubCompare> parse_github_compare(std::string_view body);
// One commit with its files. `files_capped` is set when GitHub's file list looks cut (300 files).
Result<Commit> parse_github_commit(std::string_view body, bool& files_capped);

// Runs `op(i)` for i in [0, n) with at most `width` in flight; results in index order.
template <class T, class Op>
awaitable<std::vector<T>> gather_bounded(std::size_t n, std::size_t width, Op op) {
  auto results = std::make_shared<std::vector<std::optional<T>>>(n);
  auto next = std::make_shared<std::atomic<std::size_t>>(0);
  std::vector<awaitable<int>> workers;
  for (std::size_t w = 0; w < std::min(n, width); ++w) {
    workers.push_back([](std::shared_ptr<std::vector<std::optional<T>>> out, std::shared_ptr<std::atomic<std::size_t>> at,
                         Op f, std::size_t count) -> awaitable<int> {
      for (std::size_t i = (*at)++; i < count; i = (*at)++) {
        auto r = co_await f(i);
        (*out)[i].emplace(std::move(r));
      }
      co_return 0;
    }(results, next, op, n));
  }
  co_await gather(std::move(workers));
  std::vector<T> out;
  out.reserve(n);
  for (auto& r : *results) out.push_back(std::move(*r));
  co_return out;
}

}  // namespace alertbot::investigators
