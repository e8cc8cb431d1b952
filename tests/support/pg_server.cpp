#include "tests/support/pg_server.hpp"

#include <csignal>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <stdexcept>
#include <thread>

#include "tests/support/child_process.hpp"

namespace alertbot::testing {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

constexpr auto kReadyLimit = std::chrono::seconds(30);
constexpr int kPortAttempts = 3;

std::string admin_url(int port, const std::string& db = "postgres") {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/" + db;
}

class Server {
 public:
  Server() {
    bin_ = postgres_bin_dir();
    if (bin_.empty()) {
      throw std::runtime_error(
          "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin): apt-get install postgresql, or set "
          "ALERTBOT_PG_BIN");
    }
    std::string dir = (fs::temp_directory_path() / "alertbot-pg-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + dir);
    dir_ = dir;
    SpawnOptions as_postgres;
    as_postgres.run_as_root_as = "postgres";
    if (::geteuid() == 0) {
      fs::permissions(dir_, fs::perms::all);  // the postgres user creates data/ and the socket here
    }
    run_to_end({bin_ + "/initdb", "-D", dir_ + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--locale=C", "--no-sync", "--no-instructions"},
               dir_ + "/initdb.log", as_postgres);
    for (int attempt = 1;; ++attempt) {
      port_ = free_port();
      const std::string log = dir_ + "/postgres.log";
      pid_ = spawn({bin_ + "/postgres", "-D", dir_ + "/data", "-k", dir_, "-p", std::to_string(port_), "-c",
                    "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                    "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=64MB"},
                   log, as_postgres);
      if (wait_ready(log)) break;
      stop_process(pid_);
      if (attempt == kPortAttempts) {
        throw std::runtime_error("postgres did not start; log:\n" + tail(read_file(log), 25));
      }
    }
  }
  ~Server() {
    // SIGINT: PostgreSQL's fast shutdown.
    if (pid_ > 0) {
      ::kill(pid_, SIGINT);
      if (wait_exit(pid_, 10000) == -1) stop_process(pid_, 1000);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string create_database() {
    const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
    pqxx::connection c(admin_url(port_));
    pqxx::nontransaction tx(c);
    tx.exec("CREATE DATABASE " + name);
    return admin_url(port_, name);
  }

  void drop_database(const std::string& name) {
    pqxx::connection c(admin_url(port_));
    pqxx::nontransaction tx(c);
    tx.exec("DROP DATABASE IF EXISTS " + name);
  }

 private:
  // True once a connection succeeds; false when the process exited (e.g. the port was taken).
  bool wait_ready(const std::string& log) {
    const auto deadline = Steady::now() + kReadyLimit;
    while (Steady::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (read_file(log).find("Address already in use") != std::string::npos) return false;
        throw std::runtime_error("postgres exited before it was ready; log:\n" + tail(read_file(log), 25));
      }
      try {
        pqxx::connection c(admin_url(port_));
        return true;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    throw std::runtime_error("postgres not ready within 30 s; log:\n" + tail(read_file(log), 25));
  }

  std::string bin_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::atomic<int> databases_{0};
};

std::mutex g_mu;
std::unique_ptr<Server> g_server;  // started on first use, stopped at exit

Server& server() {
  std::lock_guard lock(g_mu);
  if (!g_server) {
    g_server = std::make_unique<Server>();
    std::atexit([] { g_server.reset(); });
  }
  return *g_server;
}

}  // namespace

std::string postgres_bin_dir() {
  if (const char* env = std::getenv("ALERTBOT_PG_BIN"); env != nullptr && *env != '\0') return env;
  std::string best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && fs::exists(entry.path() / "bin" / "postgres")) {
      best_version = version;
      best = (entry.path() / "bin").string();
    }
  }
  return best;
}

std::string fresh_postgres_database() { return server().create_database(); }

void drop_postgres_database(const std::string& url) {
  const auto slash = url.rfind('/');
  if (slash == std::string::npos) return;
  server().drop_database(url.substr(slash + 1));
}

}  // namespace alertbot::testing
