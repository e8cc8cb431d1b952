#include "tests/support/real_peers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <csignal>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/form.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_certs.hpp"

namespace alertbot::testing {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

constexpr milliseconds kReadyLimit{20000};
constexpr milliseconds kPollEvery{50};
constexpr int kPortAttempts = 3;

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// One blocking HTTP/1.0 GET to 127.0.0.1:port (the peers are Go servers: no chunking for 1.0).
// nullopt when the connection fails or times out (2 s).
std::optional<HttpAnswer> http_get(int port, const std::string& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  std::string raw;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string req = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  auto sp = raw.find(' ');
  auto end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/", 0) != 0 || sp == std::string::npos || end == std::string::npos) return std::nullopt;
  return HttpAnswer{std::atoi(raw.c_str() + sp + 1), raw.substr(end + 4)};
}

enum class Readiness { Ready, AddressInUse };

// Polls /-/ready until 200. Throws with the log tail if the process exits or the limit passes.
Readiness wait_ready(const std::string& name, pid_t pid, int port, const std::string& log_path) {
  auto deadline = Steady::now() + kReadyLimit;
  while (true) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      std::string log = read_file(log_path);
      if (log.find("address already in use") != std::string::npos) return Readiness::AddressInUse;
      std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                          : "was killed by signal " + std::to_string(WTERMSIG(status));
      if (WIFEXITED(status) && WEXITSTATUS(status) == 127) how += " (exec failed)";
      throw std::runtime_error(name + " " + how + " before it was ready; log " + log_path + ":\n" + tail(log, 25));
    }
    auto answer = http_get(port, "/-/ready");
    if (answer && answer->status == 200) return Readiness::Ready;
    if (Steady::now() > deadline) {
      stop_process(pid);
      throw std::runtime_error(name + " did not answer /-/ready on 127.0.0.1:" + std::to_string(port) + " within " +
                               std::to_string(kReadyLimit.count() / 1000) + " s; log " + log_path + ":\n" +
                               tail(read_file(log_path), 25));
    }
    std::this_thread::sleep_for(kPollEvery);
  }
}

using ArgvFor = std::vector<std::string> (*)(const std::string& binary, const std::string& dir, int port);

std::unique_ptr<RealPeer> start_peer(const std::string& name, const std::string& binary, const std::string& dir,
                                     ArgvFor argv_for) {
  std::string log_path = dir + "/" + name + ".log";
  for (int attempt = 1;; ++attempt) {
    int port = free_port();
    pid_t pid = spawn(argv_for(binary, dir, port), log_path);
    if (wait_ready(name, pid, port, log_path) == Readiness::Ready) {
      return std::make_unique<RealPeer>(name, dir, log_path, pid, port);
    }
    if (attempt == kPortAttempts) {
      throw std::runtime_error(name + ": port taken " + std::to_string(kPortAttempts) + " times in a row; log:\n" +
                               tail(read_file(log_path), 10));
    }
  }
}

std::string missing_binary(const std::string& what, const std::string& package) {
  return what + " is not installed (no executable on $PATH or in /usr/bin; Debian package '" + package +
         "'). Run scripts/install-deps.sh (CI installs it); the integration tests need the real binary.";
}

std::vector<std::string> prometheus_argv(const std::string& binary, const std::string& dir, int port) {
  std::string addr = "127.0.0.1:" + std::to_string(port);
  // The config scrapes this very address, so it is written per attempt.
  write_file(dir + "/prometheus.yml",
             "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
             "rule_files: [rules.yml]\n"
             "scrape_configs:\n"
             "  - {job_name: prometheus, static_configs: [{targets: ['" + addr + "']}]}\n");
  return {binary,
          "--config.file=" + dir + "/prometheus.yml",
          "--storage.tsdb.path=" + dir + "/prom-data",
          "--storage.tsdb.retention.time=30d",  // backfilled history must not be deleted at start
          "--web.listen-address=" + addr,
          "--web.external-url=http://" + addr};
}

std::vector<std::string> alertmanager_argv(const std::string& binary, const std::string& dir, int port) {
  std::string addr = "127.0.0.1:" + std::to_string(port);
  return {binary,
          "--config.file=" + dir + "/alertmanager.yml",
          "--storage.path=" + dir + "/am-data",
          "--web.listen-address=" + addr,
          "--web.external-url=http://" + addr,
          "--cluster.listen-address="};  // no gossip (it would bind 0.0.0.0:9094)
}

// YAML single-quoted scalar.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

RealPeer::RealPeer(std::string name, std::string dir, std::string log_path, pid_t pid, int port)
    : name_(std::move(name)), dir_(std::move(dir)), log_path_(std::move(log_path)), pid_(pid), port_(port) {}

RealPeer::~RealPeer() {
  stop_process(pid_);
  if (std::getenv("ALERTBOT_KEEP_PEER_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string RealPeer::log_tail(int lines) const { return tail(read_file(log_path_), lines); }

std::unique_ptr<RealPeer> start_prometheus(const PrometheusOptions& options) {
  std::string binary = find_binary({"prometheus"});
  if (binary.empty()) throw std::runtime_error(missing_binary("Prometheus", "prometheus"));
  std::string dir = make_temp_dir("alertbot-prometheus");
  write_file(dir + "/rules.yml",
             "groups:\n"
             "  - name: integration\n"
             "    interval: 1s\n"
             "    rules:\n"
             "      - {record: 'job:up:sum', expr: 'sum by (job) (up)'}\n");
  if (!options.backfill_openmetrics.empty()) {
    std::string promtool = find_binary({"promtool"});
    if (promtool.empty()) throw std::runtime_error(missing_binary("promtool", "prometheus"));
    write_file(dir + "/backfill.om", options.backfill_openmetrics);
    run_to_end({promtool, "tsdb", "create-blocks-from", "openmetrics", dir + "/backfill.om", dir + "/prom-data"},
               dir + "/promtool.log");
  }
  return start_peer("prometheus", binary, dir, prometheus_argv);
}

std::unique_ptr<RealPeer> start_alertmanager(const AlertmanagerOptions& options) {
  std::string binary = find_binary({"prometheus-alertmanager", "alertmanager"});
  if (binary.empty()) throw std::runtime_error(missing_binary("Alertmanager", "prometheus-alertmanager"));
  std::string dir = make_temp_dir("alertbot-alertmanager");
  std::string receiver;
  if (!options.webhook_url.empty()) {
    receiver = "    webhook_configs:\n"
               "      - url: " + quoted(options.webhook_url) + "\n" +
               "        send_resolved: true\n";
    if (!options.webhook_bearer.empty()) {
      receiver += "        http_config: {authorization: {credentials: " + quoted(options.webhook_bearer) + "}}\n";
    }
  } else {
    receiver = "    slack_configs:\n"
               "      - api_url: " + quoted(options.slack_api_url) + "\n" +
               "        channel: " + quoted(options.slack_channel) + "\n" +
               "        send_resolved: true\n";
  }
  write_file(dir + "/alertmanager.yml",
             "route:\n"
             "  receiver: out\n"
             "  group_by: [alertname]\n"
             "  group_wait: 0s\n"
             "  group_interval: 1s\n"
             "  repeat_interval: 1h\n"
             "receivers:\n"
             "  - name: out\n" + receiver);
  return start_peer("alertmanager", binary, dir, alertmanager_argv);
}

void wait_for_prometheus_value(const RealPeer& prometheus, const std::string& query, double at_least,
                               std::chrono::seconds limit) {
  namespace json = boost::json;
  std::string target = "/api/v1/query?" + form_encode({{"query", query}});
  auto deadline = Steady::now() + limit;
  std::string last = "(no answer)";
  while (Steady::now() <= deadline) {
    if (auto answer = http_get(prometheus.port(), target)) {
      last = "HTTP " + std::to_string(answer->status) + ": " + answer->body.substr(0, 300);
      boost::system::error_code ec;
      json::value v = json::parse(answer->body, ec);
      const json::value* result = nullptr;
      if (!ec && v.is_object()) {
        if (auto* data = v.as_object().if_contains("data"); data && data->is_object()) {
          result = data->as_object().if_contains("result");
        }
      }
      if (result && result->is_array()) {
        for (const auto& item : result->as_array()) {
          const json::value* sample = item.is_object() ? item.as_object().if_contains("value") : nullptr;
          if (!sample || !sample->is_array() || sample->as_array().size() != 2 || !sample->as_array()[1].is_string()) continue;
          if (std::strtod(sample->as_array()[1].get_string().c_str(), nullptr) >= at_least) return;
        }
      }
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  throw std::runtime_error("prometheus: '" + query + "' did not reach " + std::to_string(at_least) + " within " +
                           std::to_string(limit.count()) + " s; last answer: " + last + "\nlog:\n" + prometheus.log_tail());
}

}  // namespace alertbot::testing
