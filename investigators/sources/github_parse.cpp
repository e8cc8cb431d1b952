#include "investigators/sources/github_parse.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "investigators/sources/source_text.hpp"
#include "net/json_fields.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;

// More items than this in one answer are ignored (GitHub pages hold at most 100; compare 250).
constexpr std::size_t kMaxItems = 300;
constexpr std::size_t kMaxText = 16 * 1024;  // messages, descriptions
constexpr std::size_t kGitHubFileCap = 300;  // GitHub's own cap on files per commit

std::string capped(std::string s, std::size_t n = kMaxText) {
  if (s.size() > n) s.resize(n);
  return s;
}

const json::object* child(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string nested_string(const json::object& o, std::string_view outer, std::string_view key) {
  auto* c = child(o, outer);
  return c ? json_string(*c, key) : std::string();
}

Result<Time> time_field(const json::object& o, std::string_view key, const std::string& where) {
  std::string text = json_string(o, key);
  auto t = parse_rfc3339(text);
  if (!t) return fail(Errc::ParseError, where + "." + std::string(key) + ": expected an RFC 3339 time, got \"" + capped(text, 40) + "\"");
  return *t;
}

Result<json::array> top_array(std::string_view body, const char* what) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return fail(Errc::ParseError, std::string("github ") + what + ": not JSON (" + ec.message() + ")");
  if (!v.is_array()) return fail(Errc::ParseError, std::string("github ") + what + ": expected an array");
  return std::move(v.as_array());
}

bool is_hex40(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The commit fields common to compare's commits[] and the single-commit answer.
Result<Commit> parse_commit_head(const json::object& o, const std::string& where) {
  Commit c;
  c.sha = json_string(o, "sha");
  if (!is_hex40(c.sha)) return fail(Errc::ParseError, where + ".sha: expected 40 hex digits, got \"" + capped(c.sha, 48) + "\"");
  c.link = json_string(o, "html_url");
  const json::object* commit = child(o, "commit");
  if (!commit) return fail(Errc::ParseError, where + ".commit: expected an object");
  c.message = capped(json_string(*commit, "message"));
  c.author = nested_string(o, "author", "login");  // null when the email maps to no account
  if (c.author.empty()) c.author = capped(nested_string(*commit, "author", "name"), 200);
  if (const json::object* a = child(*commit, "author")) {
    auto t = time_field(*a, "date", where + ".commit.author");
    if (!t) return t.error();
    c.at = *t;
  }
  return c;
}

Result<FileChange> parse_file(const json::object& o, const std::string& where) {
  FileChange f;
  f.path = capped(json_string(o, "filename"), 4096);
  if (f.path.empty()) return fail(Errc::ParseError, where + ".filename: missing");
  f.previous_path = capped(json_string(o, "previous_filename"), 4096);
  f.status = json_string(o, "status");
  f.additions = static_cast<int>(std::clamp<std::int64_t>(json_int(o, "additions"), 0, 1 << 30));
  f.deletions = static_cast<int>(std::clamp<std::int64_t>(json_int(o, "deletions"), 0, 1 << 30));
  auto* patch = o.if_contains("patch");
  if (patch && patch->is_string()) {
    f.patch = std::string(patch->get_string());
    if (f.patch.size() > kMaxPatchBytes) {
      f.patch.resize(kMaxPatchBytes);
      f.patch_missing = true;
    }
  } else {
    // Binary, too large, or past GitHub's diff limit: the counts (often zeros) are not to be trusted.
    f.patch_missing = true;
  }
  return f;
}

}  // namespace

HttpRequest github_request(const RepoSettings& repo, std::string url) {
  HttpRequest req;
  req.url = std::move(url);
  req.headers = {{"Accept", "application/vnd.github+json"}, {"X-GitHub-Api-Version", "2022-11-28"}};
  if (!repo.github_token.empty()) req.headers.emplace_back("Authorization", "Bearer " + repo.github_token);
  req.idempotent = true;
  return req;
}

Result<std::string> github_body(const HttpResponse& resp, const std::string& what) {
  const bool is_json = resp.is_json();
  if (resp.ok()) {
    if (!is_json) return not_json("github", resp, what);
    return resp.body;
  }
  std::string detail;
  if (is_json) {
    if (auto o = parse_json_object(resp.body, "github error")) detail = capped(json_string(*o, "message"), 300);
  }
  std::string msg = "github: HTTP " + std::to_string(resp.status) + " from " + what + (detail.empty() ? "" : ": " + detail);
  if (resp.status == 401) return fail(Errc::HttpStatus, msg + " (check repo.github_token)");
  if (resp.status == 404) return fail(Errc::NotFound, msg + " (check repo.github, or the token cannot see the repository)");
  bool exhausted = resp.header("x-ratelimit-remaining").value_or("") == "0";
  if (resp.status == 429 || (resp.status == 403 && exhausted)) return fail(Errc::RateLimited, msg);
  return fail(Errc::HttpStatus, msg);
}

std::string link_next(std::string_view header) {
  // <https://api.github.com/...&page=2>; rel="next", <...>; rel="last"
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto open = header.find('<', pos);
    if (open == std::string_view::npos) break;
    auto close = header.find('>', open);
    if (close == std::string_view::npos) break;
    auto end = header.find(',', close);
    std::string_view params = header.substr(close + 1, end == std::string_view::npos ? std::string_view::npos : end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos || params.find("rel=next") != std::string_view::npos) {
      return std::string(header.substr(open + 1, close - open - 1));
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return {};
}

bool is_github_repo_name(std::string_view repo) {
  auto slash = repo.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == repo.size() || repo.size() > 200) return false;
  for (std::size_t i = 0; i < repo.size(); ++i) {
    char c = repo[i];
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || (c == '/' && i == slash);
    if (!ok) return false;
  }
  return repo.find("..") == std::string_view::npos;
}

std::string github_api_base(const RepoSettings& repo) {
  std::string base = repo.github_api_url.empty() ? "https://api.github.com" : repo.github_api_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

std::string github_web_url(const RepoSettings& repo) {
  std::string base = github_api_base(repo);
  if (base == "https://api.github.com") return "https://github.com/" + repo.github;
  constexpr std::string_view kGhe = "/api/v3";
  if (base.size() > kGhe.size() && base.compare(base.size() - kGhe.size(), kGhe.size(), kGhe) == 0) {
    return base.substr(0, base.size() - kGhe.size()) + "/" + repo.github;
  }
  return {};
}

Result<std::vector<GitHubDeployment>> parse_github_deployments(std::string_view body) {
  auto arr = top_array(body, "deployments");
  if (!arr) return arr.error();
  std::vector<GitHubDeployment> out;
  for (std::size_t i = 0; i < arr->size() && i < kMaxItems; ++i) {
    std::string where = "github deployments[" + std::to_string(i) + "]";
    if (!(*arr)[i].is_object()) return fail(Errc::ParseError, where + ": expected an object");
    const auto& o = (*arr)[i].as_object();
    GitHubDeployment d;
    d.id = json_int(o, "id");
    if (d.id <= 0) return fail(Errc::ParseError, where + ".id: expected a positive integer");
    d.sha = capped(json_string(o, "sha"), 200);
    d.ref = capped(json_string(o, "ref"), 200);
    d.environment = capped(json_string(o, "environment"), 200);
    d.description = capped(json_string(o, "description"), 1000);
    d.creator = capped(nested_string(o, "creator", "login"), 200);
    auto t = time_field(o, "created_at", where);
    if (!t) return t.error();
    d.created_at = *t;
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<GitHubStatus>> parse_github_statuses(std::string_view body) {
  auto arr = top_array(body, "deployment statuses");
  if (!arr) return arr.error();
  std::vector<GitHubStatus> out;
  for (std::size_t i = 0; i < arr->size() && i < kMaxItems; ++i) {
    std::string where = "github statuses[" + std::to_string(i) + "]";
    if (!(*arr)[i].is_object()) return fail(Errc::ParseError, where + ": expected an object");
    const auto& o = (*arr)[i].as_object();
    GitHubStatus s;
    s.state = capped(json_string(o, "state"), 40);
    if (s.state.empty()) return fail(Errc::ParseError, where + ".state: missing");
    auto t = time_field(o, "created_at", where);
    if (!t) return t.error();
    s.created_at = *t;
    s.log_url = capped(json_string(o, "log_url"), 2000);
    s.target_url = capped(json_string(o, "target_url"), 2000);
    out.push_back(std::move(s));
  }
  return out;
}

Result<GitHubCompare> parse_github_compare(std::string_view body) {
  auto o = parse_json_object(body, "github compare");
  if (!o) return o.error();
  GitHubCompare out;
  out.status = json_string(*o, "status");
  out.total_commits = static_cast<int>(std::clamp<std::int64_t>(json_int(*o, "total_commits"), 0, 1 << 30));
  out.html_url = capped(json_string(*o, "html_url"), 2000);
  auto* commits = o->if_contains("commits");
  if (!commits || !commits->is_array()) return fail(Errc::ParseError, "github compare.commits: expected an array");
  const auto& arr = commits->as_array();
  for (std::size_t i = 0; i < arr.size() && i < kMaxItems; ++i) {
    std::string where = "github compare.commits[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) return fail(Errc::ParseError, where + ": expected an object");
    auto c = parse_commit_head(arr[i].as_object(), where);
    if (!c) return c.error();
    out.commits.push_back(std::move(*c));
  }
  return out;
}

Result<Commit> parse_github_commit(std::string_view body, bool& files_capped) {
  auto o = parse_json_object(body, "github commit");
  if (!o) return o.error();
  auto c = parse_commit_head(*o, "github commit");
  if (!c) return c.error();
  auto* files = o->if_contains("files");
  if (files && !files->is_array()) return fail(Errc::ParseError, "github commit.files: expected an array");
  if (files) {
    const auto& arr = files->as_array();
    files_capped = arr.size() >= kGitHubFileCap;
    for (std::size_t i = 0; i < arr.size() && i < kMaxItems; ++i) {
      std::string where = "github commit.files[" + std::to_string(i) + "]";
      if (!arr[i].is_object()) return fail(Errc::ParseError, where + ": expected an object");
      auto f = parse_file(arr[i].as_object(), where);
      if (!f) return f.error();
      c->files.push_back(std::move(*f));
    }
  }
  return c;
}

}  // namespace alertbot::investigators
