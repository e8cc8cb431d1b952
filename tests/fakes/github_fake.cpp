#include "tests/fakes/github_fake.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <mutex>

#include "net/http_server.hpp"

namespace alertbot::fakes {
namespace {

namespace json = boost::json;

struct State {
  FakeGitHubData data;
  std::string base;  // http://127.0.0.1:PORT, set once the server is bound
  mutable std::mutex mutex;
  std::vector<FakeGitHubRequest> requests;  // guarded by mutex
};

ServerResponse error(int status, const std::string& message) {
  return ServerResponse::json(status, json::serialize(json::object{
                                          {"message", message}, {"documentation_url", "https://docs.github.com/rest"},
                                          {"status", std::to_string(status)}}));
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto slash = path.find('/', pos);
    std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return out;
}

// The index of `rev` (tag, full SHA or unique prefix of 7+) in the history, or -1.
int resolve(const FakeGitHubData& d, const std::string& rev) {
  std::string sha = d.tags.count(rev) ? d.tags.at(rev) : rev;
  int found = -1;
  for (std::size_t i = 0; i < d.commits.size(); ++i) {
    bool hit = d.commits[i].sha == sha || (sha.size() >= 7 && d.commits[i].sha.rfind(sha, 0) == 0);
    if (hit && found >= 0) return -1;  // ambiguous
    if (hit) found = static_cast<int>(i);
  }
  return found;
}

json::object file_json(const FakeGitHubFile& f, const std::string& web) {
  json::object o{{"sha", "0000000000000000000000000000000000000000"}, {"filename", f.filename}, {"status", f.status},
                 {"additions", f.additions}, {"deletions", f.deletions}, {"changes", f.additions + f.deletions},
                 {"blob_url", web + "/blob/main/" + f.filename}, {"raw_url", web + "/raw/main/" + f.filename}};
  if (f.patch) o["patch"] = *f.patch;
  if (!f.previous_filename.empty()) o["previous_filename"] = f.previous_filename;
  return o;
}

json::object commit_json(const FakeGitHubData& d, std::size_t i, const std::string& web, bool with_files) {
  const auto& c = d.commits[i];
  json::object person{{"name", c.author_name}, {"email", c.author_name + "@example.com"}, {"date", c.date}};
  json::array parents;
  if (i > 0) parents.push_back(json::object{{"sha", d.commits[i - 1].sha}});
  json::object o{{"sha", c.sha}, {"html_url", web + "/commit/" + c.sha},
                 {"commit", json::object{{"message", c.message}, {"author", person}, {"committer", person}}},
                 {"parents", parents}};
  if (c.author_login.empty()) o["author"] = nullptr;
  else o["author"] = json::object{{"login", c.author_login}};
  if (with_files) {
    json::array files;
    int add = 0, del = 0;
    for (const auto& f : c.files) {
      files.push_back(file_json(f, web));
      add += f.additions;
      del += f.deletions;
    }
    o["stats"] = json::object{{"additions", add}, {"deletions", del}, {"total", add + del}};
    o["files"] = files;
  }
  return o;
}

ServerResponse deployments(State& st, const ServerRequest& req, const std::string& prefix) {
  auto env = req.query_param("environment");
  int per_page = std::clamp(std::atoi(req.query_param("per_page").value_or("30").c_str()), 1, std::max(1, st.data.max_per_page));
  int page = std::max(1, std::atoi(req.query_param("page").value_or("1").c_str()));
  std::vector<const FakeGitHubDeployment*> list;
  for (const auto& d : st.data.deployments) {
    if (!env || env->empty() || d.environment == *env) list.push_back(&d);
  }
  std::stable_sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->created_at > b->created_at; });
  json::array out;
  for (std::size_t i = static_cast<std::size_t>(page - 1) * static_cast<std::size_t>(per_page); i < list.size() && out.size() < static_cast<std::size_t>(per_page); ++i) {
    const auto& d = *list[i];
    out.push_back(json::object{{"id", d.id}, {"sha", d.sha}, {"ref", d.ref}, {"task", "deploy"}, {"environment", d.environment},
                               {"original_environment", d.environment}, {"description", d.description},
                               {"payload", json::object{}}, {"creator", json::object{{"login", d.creator}}},
                               {"created_at", d.created_at}, {"updated_at", d.created_at},
                               {"statuses_url", st.base + prefix + "/deployments/" + std::to_string(d.id) + "/statuses"},
                               {"production_environment", d.environment == "production"}, {"transient_environment", false}});
  }
  auto resp = ServerResponse::json(200, json::serialize(out));
  int last = std::max(1, static_cast<int>((list.size() + per_page - 1) / per_page));
  auto page_url = [&](int p) {
    std::string q = "per_page=" + std::to_string(per_page) + "&page=" + std::to_string(p);
    if (env) q = "environment=" + *env + "&" + q;
    return "<" + st.base + prefix + "/deployments?" + q + ">";
  };
  if (page < last) resp.headers.emplace_back("Link", page_url(page + 1) + "; rel=\"next\", " + page_url(last) + "; rel=\"last\"");
  return resp;
}

ServerResponse statuses(State& st, const std::string& id) {
  for (const auto& d : st.data.deployments) {
    if (std::to_string(d.id) != id) continue;
    auto list = d.statuses;
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
    json::array out;
    for (const auto& s : list) {
      out.push_back(json::object{{"id", s.id}, {"state", s.state}, {"description", s.description}, {"environment", d.environment},
                                 {"log_url", s.log_url}, {"target_url", s.target_url}, {"environment_url", ""},
                                 {"created_at", s.created_at}, {"updated_at", s.created_at}});
    }
    return ServerResponse::json(200, json::serialize(out));
  }
  return error(404, "Not Found");
}

ServerResponse compare(State& st, const std::string& spec, const std::string& web) {
  auto dots = spec.find("...");
  if (dots == std::string::npos) return error(404, "Not Found");
  int base = resolve(st.data, spec.substr(0, dots));
  int head = resolve(st.data, spec.substr(dots + 3));
  if (base < 0 || head < 0) return error(404, "Not Found");
  json::array commits;
  std::map<std::string, json::object> files;
  for (int i = base + 1; i <= head; ++i) {
    commits.push_back(commit_json(st.data, i, web, false));
    for (const auto& f : st.data.commits[i].files) files[f.filename] = file_json(f, web);
  }
  json::array file_list;
  for (auto& [name, f] : files) file_list.push_back(f);
  std::string status = head == base ? "identical" : head > base ? "ahead" : "behind";
  json::object o{{"status", status}, {"ahead_by", std::max(0, head - base)}, {"behind_by", std::max(0, base - head)},
                 {"total_commits", commits.size()}, {"commits", commits}, {"files", file_list},
                 {"html_url", web + "/compare/" + spec}, {"diff_url", web + "/compare/" + spec + ".diff"}};
  return ServerResponse::json(200, json::serialize(o));
}

ServerResponse answer(State& st, const ServerRequest& req) {
  {
    std::lock_guard lock(st.mutex);
    st.requests.push_back({req.method, req.target, std::string(req.header("authorization").value_or("")),
                           std::string(req.header("accept").value_or("")), std::string(req.header("x-github-api-version").value_or(""))});
  }
  if (!st.data.token.empty()) {
    auto auth = req.header("authorization").value_or("");
    if (auth != "Bearer " + st.data.token && auth != "token " + st.data.token) return error(401, "Bad credentials");
  }
  auto parts = split(req.path);  // repos, owner, repo, ...
  if (parts.size() < 4 || parts[1] != st.data.owner || parts[2] != st.data.repo) return error(404, "Not Found");
  std::string prefix = "/repos/" + parts[1] + "/" + parts[2];
  std::string web = "https://github.com/" + parts[1] + "/" + parts[2];
  if (parts[3] == "deployments" && parts.size() == 4) return deployments(st, req, prefix);
  if (parts[3] == "deployments" && parts.size() == 6 && parts[5] == "statuses") return statuses(st, parts[4]);
  if (parts[3] == "compare" && parts.size() >= 5) {
    std::string spec = req.path.substr(req.path.find("/compare/") + 9);
    return compare(st, spec, web);
  }
  if (parts[3] == "commits" && parts.size() == 5) {
    int i = resolve(st.data, parts[4]);
    if (i < 0) return error(422, "No commit found for SHA: " + parts[4]);
    return ServerResponse::json(200, json::serialize(commit_json(st.data, i, web, true)));
  }
  return error(404, "Not Found");
}

class Fake final : public FakeGitHub {
 public:
  Fake(std::shared_ptr<State> st, std::unique_ptr<HttpServer> server) : st_(std::move(st)), server_(std::move(server)) {}
  std::string url() const override { return st_->base; }
  std::vector<FakeGitHubRequest> requests() const override {
    std::lock_guard lock(st_->mutex);
    return st_->requests;
  }
  awaitable<void> stop() override { co_await server_->stop(); }

 private:
  std::shared_ptr<State> st_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

Result<std::unique_ptr<FakeGitHub>> FakeGitHub::start(asio::any_io_executor executor, FakeGitHubData data, std::string listen) {
  auto st = std::make_shared<State>();
  st->data = std::move(data);
  Router r;
  r.add("GET", "/repos/*", [st](ServerRequest req) -> awaitable<ServerResponse> { co_return answer(*st, req); });
  HttpServerSettings hs;
  hs.listen = std::move(listen);
  hs.shutdown_grace = std::chrono::milliseconds(200);
  auto server = start_http_server(executor, hs, std::move(r));
  if (!server) return server.error();
  st->base = "http://127.0.0.1:" + std::to_string((*server)->port());
  return std::unique_ptr<FakeGitHub>(std::make_unique<Fake>(st, std::move(*server)));
}

}  // namespace alertbot::fakes
