// Replicas: several `alertbot run` processes behind one Slack app (the workspace emulator, one
// Socket Mode connection each) and one PostgreSQL database, as a Deployment with replicas runs.
// Alerts reach them through the alert hook, spread over the replicas as a load balancer would.
// Shown here: a storm of 1,000 alerts in 200 incidents gets 200 investigations and 200 reports,
// none twice and none missing; a replica killed with SIGKILL in the middle of an investigation
// leaves it to another replica, and the thread still gets exactly one report; SIGTERM in the
// middle of an investigation finishes it before the process exits.
#include <gtest/gtest.h>
#include <curl/curl.h>
#include <csignal>
#include <sys/wait.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <boost/asio/post.hpp>
#include <future>
#include <map>
#include <memory>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net/clock.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/pg_server.hpp"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using alertbot::testing::free_port;
using alertbot::testing::read_file;
using alertbot::testing::spawn;
using alertbot::testing::tail;
using alertbot::testing::write_file;

constexpr const char* kChannel = "C0ALERTS";
constexpr const char* kHookToken = "hook-token-for-replica-tests";

// One blocking HTTP request with libcurl; status 0 when the connection failed.
struct Answer {
  long status = 0;
  std::string body;
};

Answer http(const std::string& method, const std::string& url, const std::string& body = {}) {
  Answer a;
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, (std::string("Authorization: Bearer ") + kHookToken).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* out) {
    static_cast<std::string*>(out)->append(p, s * n);
    return s * n;
  });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return a;
}

// An Alertmanager webhook (version 4) carrying one firing alert of `service`.
std::string alert_body(const std::string& service, int n) {
  const std::string name = "HighErrorRate";
  json::object labels{{"alertname", name}, {"service", service}, {"severity", "critical"},
                      {"instance", "pod-" + std::to_string(n)}};
  json::object alert{{"status", "firing"},
                     {"labels", labels},
                     {"annotations", json::object{{"summary", "errors on " + service}}},
                     {"startsAt", "2026-12-02T10:00:00Z"},
                     {"endsAt", "0001-01-01T00:00:00Z"},
                     {"generatorURL", "http://prometheus/graph"},
                     {"fingerprint", service + "-" + std::to_string(n)}};
  json::object body{{"version", "4"},
                    {"groupKey", "{}:{service=\"" + service + "\"}"},
                    {"truncatedAlerts", 0},
                    {"status", "firing"},
                    {"receiver", "alertbot"},
                    {"groupLabels", json::object{{"service", service}}},
                    {"commonLabels", labels},
                    {"commonAnnotations", json::object{}},
                    {"externalURL", "http://alertmanager"},
                    {"alerts", json::array{alert}}};
  return json::serialize(body);
}

// An Alertmanager notification as its Slack integration posts it (the community template), of one
// firing alert of `service`.
std::string slack_alert(const std::string& service, int n) {
  json::object att{{"title", "[FIRING:1] HighErrorRate (" + service + " critical)"},
                   {"title_link", "http://alertmanager:9093/#/alerts"},
                   {"text", "*Alert:* errors on " + service + "\n• *service:* `" + service +
                                "`\n• *severity:* `critical`\n• *instance:* `pod-" + std::to_string(n) + "`"},
                   {"color", "danger"}};
  return json::serialize(json::object{{"username", "Alertmanager"}, {"attachments", json::array{att}}});
}

// A TCP port that accepts connections and never answers: a source that hangs until its deadline.
class BlackHole {
 public:
  BlackHole() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~BlackHole() {
    io_.stop();
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      held_.push_back(std::move(s));
      accept();
    });
  }
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::vector<asio::ip::tcp::socket> held_;
  std::thread thread_;
};

struct Replica {
  pid_t pid = -1;
  int port = 0;
  std::string log;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

class Replicas : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = alertbot::make_system_clock();
    alertbot::fakes::SlackWorkspaceSettings settings;
    auto ws = alertbot::fakes::SlackWorkspace::start(io_.get_executor(), *clock_, settings);
    ASSERT_TRUE(ws) << ws.error().describe();
    ws_ = std::move(*ws);
    io_thread_ = std::thread([this] { io_.run(); });
    db_url_ = alertbot::testing::fresh_postgres_database();
    dir_ = (fs::temp_directory_path() / ("alertbot-replicas-" + std::to_string(::getpid()))).string();
    fs::create_directories(dir_);
  }

  void TearDown() override {
    for (auto& r : replicas_) {
      if (r.pid > 0) alertbot::testing::stop_process(r.pid, 20000);
    }
    if (HasFailure()) {
      for (auto& r : replicas_) std::cerr << "replica log " << r.log << ":\n" << tail(read_file(r.log), 40);
    }
    std::promise<void> stopped;
    asio::co_spawn(io_, ws_->stop(), [&](std::exception_ptr) { stopped.set_value(); });
    stopped.get_future().wait_for(10s);
    work_.reset();
    io_.stop();
    io_thread_.join();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string channel_list() const {
    std::string out;
    for (const auto& c : channels_) out += "  - { id: " + c + ", investigate: auto }\n";
    return out;
  }

  // Starts `alertbot run` on the shared database and workspace; returns once /readyz says 200.
  Replica& start_replica(const std::string& extra_services = "") {
    Replica r;
    r.port = free_port();
    const std::string name = "replica-" + std::to_string(replicas_.size());
    r.log = dir_ + "/" + name + ".log";
    const std::string config = dir_ + "/" + name + ".yaml";
    write_file(config, "slack:\n"
                       "  mode: socket\n"
                       "  app_token: ${SLACK_APP_TOKEN}\n"
                       "  bot_token: ${SLACK_BOT_TOKEN}\n"
                       "  api_url: " + ws_->api_url() + "\n"
                       "  connections: 1\n"
                       "server:\n"
                       "  listen: 127.0.0.1:" + std::to_string(r.port) + "\n"
                       "  public_url: http://127.0.0.1:" + std::to_string(r.port) + "\n"
                       "hooks:\n"
                       "  token: ${ALERTBOT_HOOK_TOKEN}\n"
                       "  channel: " + kChannel + "\n"
                       "store:\n"
                       "  url: ${ALERTBOT_STORE_URL}\n"
                       "log: { level: info, format: text }\n"
                       "channels:\n" + channel_list() +
                       (extra_services.empty() ? "" : "services:\n" + extra_services));
    alertbot::testing::SpawnOptions options;
    options.env = {"SLACK_APP_TOKEN=" + ws_->settings().app_token, "SLACK_BOT_TOKEN=" + ws_->settings().bot_token,
                   std::string("ALERTBOT_HOOK_TOKEN=") + kHookToken, "ALERTBOT_STORE_URL=" + db_url_};
    r.pid = spawn({ALERTBOT_BIN, "run", "--config", config}, r.log, options);
    replicas_.push_back(r);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (http("GET", r.url() + "/readyz").status == 200) return replicas_.back();
      if (alertbot::testing::wait_exit(r.pid, 0) != -1) break;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << name << " did not become ready; log:\n" << tail(read_file(r.log), 40);
    return replicas_.back();
  }

  // Runs `f` on the workspace's thread and returns what it returns.
  template <class F>
  auto on_io(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  // Runs one SQL query on the shared database and returns the first column of the first row.
  std::string sql(const std::string& query) {
    pqxx::connection c(db_url_);
    pqxx::nontransaction tx(c);
    auto rows = tx.exec(query);
    return rows.empty() || rows[0][0].is_null() ? "" : rows[0][0].c_str();
  }

  // Waits (real time, bounded) until `query` gives `want`.
  bool wait_sql(const std::string& query, const std::string& want, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (sql(query) == want) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // The bot's replies in the thread of `thread_ts`: reports (and placeholders) apart from
  // the incident counter messages.
  std::vector<alertbot::fakes::SlackMessage> report_replies(const std::string& channel, const std::string& thread_ts) {
    std::vector<alertbot::fakes::SlackMessage> out;
    for (const auto& m : on_io([&] { return ws_->thread(channel, thread_ts); })) {
      if (m.ts == thread_ts || m.bot_id.empty()) continue;
      if (m.text.rfind(":repeat:", 0) == 0) continue;  // the incident's counter
      out.push_back(m);
    }
    return out;
  }

  // Every incident thread holds exactly one report reply, the one the store records, final.
  void expect_one_final_report_per_thread() {
    pqxx::connection c(db_url_);
    pqxx::nontransaction tx(c);
    auto rows = tx.exec("SELECT g.channel, g.thread_ts, r.message_ts FROM alert_groups g "
                        "JOIN investigations i ON i.group_id = g.id JOIN reports r ON r.investigation_id = i.id");
    ASSERT_FALSE(rows.empty());
    for (const auto& row : rows) {
      const std::string channel = row[0].c_str(), thread = row[1].c_str(), message = row[2].c_str();
      auto replies = report_replies(channel, thread);
      ASSERT_EQ(replies.size(), 1u) << "thread " << thread << " has " << replies.size() << " report replies";
      EXPECT_EQ(replies[0].ts, message) << "thread " << thread;
      EXPECT_EQ(replies[0].text.rfind(":mag: Investigating", 0), std::string::npos)
          << "thread " << thread << " still shows the placeholder: " << replies[0].text;
    }
  }

  // Every incident thread holds at most one counter message, however many replicas counted its
  // repeats (each replica updates the one message; none posts a second).
  void expect_at_most_one_counter_per_thread() {
    pqxx::connection c(db_url_);
    pqxx::nontransaction tx(c);
    auto rows = tx.exec("SELECT channel, thread_ts FROM alert_groups");
    ASSERT_FALSE(rows.empty());
    int shown = 0;  // threads with a counter (they are paced: not all have one yet)
    for (const auto& row : rows) {
      const std::string channel = row[0].c_str(), thread = row[1].c_str();
      int counters = 0;
      for (const auto& m : on_io([&] { return ws_->thread(channel, thread); })) {
        counters += !m.bot_id.empty() && m.text.rfind(":repeat:", 0) == 0;
      }
      EXPECT_LE(counters, 1) << "thread " << thread << " has " << counters << " counter messages";
      shown += counters > 0;
    }
    EXPECT_GT(shown, 0) << "no thread shows a counter";
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<alertbot::Clock> clock_;
  std::unique_ptr<alertbot::fakes::SlackWorkspace> ws_;
  std::thread io_thread_;
  std::string db_url_;
  std::string dir_;
  std::vector<Replica> replicas_;
  std::vector<std::string> channels_{kChannel};  // alert channels every replica watches
};

TEST_F(Replicas, AStormOf1000AlertsIn200IncidentsGets200ReportsNoneTwiceNoneMissing) {
  constexpr int kChannels = 10;
  constexpr int kIncidents = 200;  // 20 per channel
  constexpr int kAlertsEach = 5;
  for (int c = 0; c < kChannels; ++c) channels_.push_back("C0STORM" + std::to_string(c));
  // Slack sends every envelope twice, on two sockets (two replicas): each is handled once.
  on_io([&] { ws_->set_duplicate_deliveries(true); });
  for (int i = 0; i < 3; ++i) start_replica();
  ASSERT_FALSE(HasFailure());

  // Round after round, every incident gets one more notification: the notifications of one
  // incident reach different replicas (envelopes go to the sockets in turn).
  for (int repeat = 0; repeat < kAlertsEach; ++repeat) {
    for (int incident = 0; incident < kIncidents; ++incident) {
      char service[32];
      std::snprintf(service, sizeof service, "svc-%03d", incident);
      const std::string channel = channels_[static_cast<std::size_t>(incident % kChannels)];
      auto ts = on_io([&] { return ws_->post_webhook_message(channel, slack_alert(service, repeat)); });
      ASSERT_TRUE(ts) << ts.error().describe();
    }
  }

  // Every notification stored once; one incident and one investigation per service.
  EXPECT_TRUE(wait_sql("SELECT COUNT(*) FROM alerts", std::to_string(kIncidents * kAlertsEach), 120s))
      << sql("SELECT COUNT(*) FROM alerts");
  EXPECT_TRUE(wait_sql("SELECT COUNT(*) FROM investigations WHERE status = 'done'", std::to_string(kIncidents), 180s))
      << sql("SELECT COUNT(*) FROM investigations WHERE status = 'done'") << " done";
  EXPECT_EQ(sql("SELECT COUNT(*) FROM investigations"), std::to_string(kIncidents));
  EXPECT_EQ(sql("SELECT COUNT(*) FROM alert_groups"), std::to_string(kIncidents));
  EXPECT_EQ(sql("SELECT COUNT(DISTINCT group_key) FROM alert_groups"), std::to_string(kIncidents));
  EXPECT_EQ(sql("SELECT SUM(alert_count) FROM alert_groups"), std::to_string(kIncidents * kAlertsEach));
  EXPECT_TRUE(wait_sql("SELECT COUNT(*) FROM reports WHERE state = 'final'", std::to_string(kIncidents), 60s))
      << sql("SELECT COUNT(*) FROM reports WHERE state = 'final'");
  EXPECT_EQ(sql("SELECT COUNT(DISTINCT message_ts) FROM reports"), std::to_string(kIncidents));
  EXPECT_EQ(sql("SELECT COUNT(*) FROM jobs WHERE status <> 'done'"), "0");
  expect_one_final_report_per_thread();
  expect_at_most_one_counter_per_thread();
  // The replicas shared the work: each opened some of the incidents (envelopes go to the sockets
  // in turn).
  for (const auto& r : replicas_) {
    EXPECT_NE(read_file(r.log).find(" opened for HighErrorRate"), std::string::npos) << r.log << " opened no incident";
  }
}

// A service whose Prometheus accepts connections and never answers: its investigation takes the
// source deadline, long enough to kill or stop the replica running it.
std::string slow_service(int port) {
  return "  - name: slow\n"
         "    match: { service: slow }\n"
         "    prometheus:\n"
         "      url: http://127.0.0.1:" + std::to_string(port) + "\n"
         "      errors: 'sum(rate(http_requests_total{service=\"slow\",code=~\"5..\"}[1m]))'\n";
}

TEST_F(Replicas, AReplicaKilledMidInvestigationLeavesItToAnotherAndTheThreadGetsOneReport) {
  BlackHole prometheus;
  Replica first = start_replica(slow_service(prometheus.port()));
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(http("POST", first.url() + "/hooks/alertmanager", alert_body("slow", 1)).status, 200);
  // The first replica (the only one) holds the job and is waiting for the hanging source.
  ASSERT_TRUE(wait_sql("SELECT status FROM jobs WHERE kind = 'investigate'", "running", 20s));
  ASSERT_TRUE(wait_sql("SELECT state FROM reports", "placeholder", 10s)) << sql("SELECT state FROM reports");
  ASSERT_EQ(::kill(first.pid, SIGKILL), 0);
  alertbot::testing::wait_exit(first.pid, 5000);
  replicas_.front().pid = -1;

  Replica second = start_replica(slow_service(prometheus.port()));
  ASSERT_FALSE(HasFailure());
  // The lease runs out; the second replica takes the job and posts the report where the
  // placeholder is.
  ASSERT_TRUE(wait_sql("SELECT state FROM reports", "final", 90s)) << sql("SELECT state FROM reports");
  EXPECT_EQ(sql("SELECT status FROM jobs WHERE kind = 'investigate'"), "done");
  EXPECT_EQ(sql("SELECT attempts FROM jobs WHERE kind = 'investigate'"), "2");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM investigations"), "1");
  expect_one_final_report_per_thread();
  (void)second;
}

TEST_F(Replicas, SigtermMidInvestigationFinishesItBeforeExiting) {
  BlackHole prometheus;
  Replica only = start_replica(slow_service(prometheus.port()));
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(http("POST", only.url() + "/hooks/alertmanager", alert_body("slow", 1)).status, 200);
  ASSERT_TRUE(wait_sql("SELECT status FROM jobs WHERE kind = 'investigate'", "running", 20s));
  ASSERT_EQ(::kill(only.pid, SIGTERM), 0);
  const int status = alertbot::testing::wait_exit(only.pid, 60000);
  replicas_.front().pid = -1;
  ASSERT_NE(status, -1) << "still running a minute after SIGTERM";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
  // Finished before exiting: the report is in the thread and nothing is left for another replica.
  EXPECT_EQ(sql("SELECT state FROM reports"), "final");
  EXPECT_EQ(sql("SELECT status FROM jobs WHERE kind = 'investigate'"), "done");
  expect_one_final_report_per_thread();
}

}  // namespace
