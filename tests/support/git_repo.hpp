// GitRepo: builds a real git repository for tests, synchronously, with the git command (never on
// an event loop that matters: each call runs its own io_context). Author and committer dates come
// from the caller and config from nowhere (GIT_CONFIG_GLOBAL=/dev/null, no system config), so the
// same calls give the same SHAs on every machine. TempDir: a fresh directory removed on scope exit.
// Failures throw std::runtime_error with git's message (test setup, not code under test).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace alertbot::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "alertbot-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class GitRepo {
 public:
  using Files = std::vector<std::pair<std::string, std::string>>;  // path -> content (may hold NULs)

  // `git init` in `dir` (created if missing) on branch main. Throws when git fails.
  static GitRepo create(const std::filesystem::path& dir);
  // True when a git command is on PATH (tests GTEST_SKIP otherwise).
  static bool available();

  // Writes `files`, deletes `deleted`, commits everything as `author` <author@example.com> at `at`
  // (author and committer date). Returns the new commit's full SHA.
  std::string commit(const std::string& message, const std::string& author, std::chrono::system_clock::time_point at,
                     const Files& files, const std::vector<std::string>& deleted = {});
  // A lightweight tag `name` on `rev` (default HEAD).
  void tag(const std::string& name, const std::string& rev = "HEAD");
  // Runs git with `args` in the repository; returns stdout. Throws on a non-zero exit.
  std::string git(std::vector<std::string> args, std::vector<std::pair<std::string, std::string>> env = {}) const;

  const std::filesystem::path& path() const { return dir_; }

 private:
  explicit GitRepo(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace alertbot::testing
