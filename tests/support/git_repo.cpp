#include "tests/support/git_repo.hpp"

#include <cstdlib>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <stdexcept>

#include "net/subprocess.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::testing {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;

Env base_env() {
  return {{"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_CONFIG_NOSYSTEM", "1"}, {"LC_ALL", "C"}, {"GIT_TERMINAL_PROMPT", "0"}};
}

Result<ProcessResult> run_sync(std::vector<std::string> argv, Env env) {
  asio::io_context io;
  ProcessOptions o;
  o.timeout = std::chrono::seconds(30);
  o.env = std::move(env);
  return run_coro(io, run_process(std::move(argv), std::move(o)));
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool GitRepo::available() {
  auto r = run_sync({"git", "--version"}, {});
  return r && r->exit_code == 0;
}

GitRepo GitRepo::create(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  GitRepo repo(dir);
  repo.git({"init", "-q", "-b", "main"});
  return repo;
}

std::string GitRepo::git(std::vector<std::string> args, Env env) const {
  std::vector<std::string> argv{"git", "-C", dir_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  Env full = base_env();
  full.insert(full.end(), env.begin(), env.end());
  auto r = run_sync(argv, std::move(full));
  std::string what = "git";
  for (const auto& a : args) what += " " + a;
  if (!r) throw std::runtime_error(what + ": " + r.error().describe());
  if (r->exit_code != 0) throw std::runtime_error(what + " exited " + std::to_string(r->exit_code) + ": " + r->err);
  return r->out;
}

std::string GitRepo::commit(const std::string& message, const std::string& author, std::chrono::system_clock::time_point at,
                            const Files& files, const std::vector<std::string>& deleted) {
  for (const auto& [path, content] : files) {
    auto p = dir_ / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  for (const auto& path : deleted) std::filesystem::remove(dir_ / path);
  git({"add", "-A"});
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  std::string date = "@" + std::to_string(secs) + " +0000";
  std::string email = author + "@example.com";
  Env who{{"GIT_AUTHOR_NAME", author}, {"GIT_AUTHOR_EMAIL", email}, {"GIT_AUTHOR_DATE", date},
          {"GIT_COMMITTER_NAME", author}, {"GIT_COMMITTER_EMAIL", email}, {"GIT_COMMITTER_DATE", date}};
  git({"commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", message}, who);
  std::string sha = git({"rev-parse", "HEAD"});
  while (!sha.empty() && (sha.back() == '\n' || sha.back() == ' ')) sha.pop_back();
  return sha;
}

void GitRepo::tag(const std::string& name, const std::string& rev) { git({"tag", name, rev}); }

}  // namespace alertbot::testing
