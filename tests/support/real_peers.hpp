// RealPeer: a real Prometheus or Alertmanager (the Debian binaries) running as a child process
// of the test, in a fresh temp dir, listening on a free 127.0.0.1 port, with a config written by
// the helper. start_*() returns once the peer answers /-/ready; the destructor stops it (SIGTERM,
// then SIGKILL after 5 s), reaps it and removes its dir. Children die with the test process
// (PR_SET_PDEATHSIG). Everything here blocks the calling thread: use it before or after the
// io_context work, never from a coroutine. Trouble (missing binary, no readiness within 20 s)
// throws std::runtime_error with a readable message and the peer's log tail, so the test fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

namespace alertbot::testing {

class RealPeer {
 public:
  RealPeer(std::string name, std::string dir, std::string log_path, pid_t pid, int port);
  RealPeer(const RealPeer&) = delete;
  RealPeer& operator=(const RealPeer&) = delete;
  ~RealPeer();

  const std::string& name() const { return name_; }  // "prometheus" | "alertmanager"
  const std::string& dir() const { return dir_; }    // its temp dir (configs, data, log)
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  // The last `lines` lines of its stdout+stderr, for failure messages.
  std::string log_tail(int lines = 25) const;

 private:
  std::string name_;
  std::string dir_;
  std::string log_path_;
  pid_t pid_;
  int port_;
};

struct PrometheusOptions {
  // OpenMetrics text (ending in "# EOF") loaded into the TSDB before start with
  // `promtool tsdb create-blocks-from openmetrics`: history for range queries. Samples must lie in
  // the past, within the retention (30 days here).
  std::string backfill_openmetrics;
};

// Prometheus scraping itself every 1 s, evaluating rules every 1 s (one recording rule).
std::unique_ptr<RealPeer> start_prometheus(const PrometheusOptions& options = {});

struct AlertmanagerOptions {
  std::string slack_api_url;          // slack_configs api_url: the emulator's incoming webhook
  std::string slack_channel = "#alerts";  // the `channel` field Alertmanager puts in the JSON
  std::string webhook_url;     // when set: a webhook_configs receiver instead of Slack
  std::string webhook_bearer;  // its http_config.authorization credentials (Bearer)
};

// Alertmanager: one route (group_by alertname, group_wait 0s, group_interval 1s, repeat 1h) to a
// slack_configs (or webhook_configs) receiver with send_resolved: true; gossip disabled.
std::unique_ptr<RealPeer> start_alertmanager(const AlertmanagerOptions& options);

// Polls Prometheus' instant query API every 100 ms until `query` returns a sample >= at_least;
// throws (with the log tail) after `limit`. For "up has been scraped a few times".
void wait_for_prometheus_value(const RealPeer& prometheus, const std::string& query, double at_least,
                               std::chrono::seconds limit = std::chrono::seconds(25));

}  // namespace alertbot::testing
