// The durable job queue under concurrent workers, per store backend: JOBS jobs are enqueued
// (CLAIMERS coroutines at once), then CLAIMERS workers each claim (lease) and complete jobs until
// the queue is empty, through the Store interface as the bot's worker uses it. Checks what the
// queue promises: every job enqueued is claimed exactly once ("claimed_twice", "never_claimed"
// must be 0). SQLite: a file in a temporary folder. PostgreSQL: the URL in the environment
// variable ALERTBOT_BENCH_PG_URL (or the first argument that starts with postgres), migrated
// first; without one that side says it was skipped. Prints one JSON object.
// Usage: bench_job_queue [JOBS=2000] [CLAIMERS=8] [postgresql://...]
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "investigators/analysis/stats.hpp"
#include "net/clock.hpp"
#include "net/logging.hpp"
#include "store/store.hpp"
#include "tests/support/run_coro.hpp"

using namespace alertbot;
namespace json = boost::json;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

namespace {

constexpr milliseconds kLease{60000};
constexpr milliseconds kLimit{300000};  // safety net for one phase

double us_since(Steady::time_point from) { return std::chrono::duration<double, std::micro>(Steady::now() - from).count(); }

// Quantiles of durations in microseconds, as whole numbers.
json::object summary(const std::vector<double>& v) {
  using investigators::analysis::quantile;
  if (v.empty()) return {};
  auto q = [&](double p) { return std::llround(quantile(v, p)); };
  return {{"p50", q(0.5)}, {"p99", q(0.99)}, {"max", q(1.0)}};
}

struct Tally {
  std::vector<double> enqueue_us, claim_us, complete_us;
  std::map<store::Id, int> claims;  // job id -> times claimed
  std::vector<store::Id> enqueued;
  int errors = 0;
  std::string first_error;
  void error(const Error& e) {
    if (errors++ == 0) first_error = e.describe();
  }
};

awaitable<void> enqueuer(store::Store& s, Tally& t, int count, int from) {
  for (int i = 0; i < count; ++i) {
    const auto started = Steady::now();
    const std::string payload = "{\"bench\":" + std::to_string(from + i) + "}";
    auto id = co_await s.enqueue_job("bench", payload);
    t.enqueue_us.push_back(us_since(started));
    if (id) {
      t.enqueued.push_back(*id);
    } else {
      t.error(id.error());
    }
  }
}

awaitable<void> claimer(store::Store& s, Tally& t, std::string worker) {
  for (;;) {
    auto started = Steady::now();
    auto job = co_await s.claim_job(worker, kLease);
    t.claim_us.push_back(us_since(started));
    if (!job) {
      t.error(job.error());
      if (t.errors > 1000) co_return;
      continue;  // Busy: try again, as the worker does on its next poll
    }
    if (!*job) co_return;  // nothing runnable: the queue is empty
    ++t.claims[(*job)->id];
    started = Steady::now();
    auto done = co_await s.complete_job((*job)->id, worker);
    t.complete_us.push_back(us_since(started));
    if (!done) t.error(done.error());
  }
}

// Runs `body` for `n` coroutines at once on `io` until all finished.
template <class Make>
double run_parallel(asio::io_context& io, int n, Make make) {
  int left = n;
  const auto started = Steady::now();
  for (int i = 0; i < n; ++i) asio::co_spawn(io, make(i), [&](std::exception_ptr) { --left; });
  testing::run_until(io, [&] { return left == 0; }, kLimit);
  return us_since(started) / 1000;  // ms
}

json::value bench_backend(asio::io_context& io, Clock& clock, const std::string& url, int jobs, int claimers) {
  store::StoreSettings settings;
  settings.url = url;
  auto opened = store::open_store(settings, clock);
  if (!opened) return json::object{{"error", opened.error().describe()}};
  store::Store& s = **opened;
  auto migrated = testing::run_coro(io, s.migrate(), kLimit);
  if (!migrated) return json::object{{"error", "migrate: " + migrated.error().describe()}};
  auto before = testing::run_coro(io, s.pending_jobs(), kLimit);
  if (!before) return json::object{{"error", "pending_jobs: " + before.error().describe()}};

  Tally t;
  const int per = (jobs + claimers - 1) / claimers;
  const double enqueue_ms = run_parallel(io, claimers, [&](int i) {
    const int from = i * per;
    return enqueuer(s, t, std::max(0, std::min(per, jobs - from)), from);
  });
  const double drain_ms = run_parallel(io, claimers, [&](int i) { return claimer(s, t, "bench-" + std::to_string(i)); });

  int twice = 0, never = 0, foreign = 0;
  for (store::Id id : t.enqueued) {
    auto it = t.claims.find(id);
    if (it == t.claims.end()) {
      ++never;
    } else if (it->second > 1) {
      ++twice;
    }
  }
  foreign = static_cast<int>(t.claims.size()) - static_cast<int>(t.enqueued.size()) + never;
  json::object out{{"enqueued", t.enqueued.size()},
                   {"enqueue_per_s", std::llround(static_cast<double>(t.enqueued.size()) / (enqueue_ms / 1000.0))},
                   {"claim_complete_per_s", std::llround(static_cast<double>(t.claims.size()) / (drain_ms / 1000.0))},
                   {"enqueue_us", summary(t.enqueue_us)},
                   {"claim_us", summary(t.claim_us)},
                   {"complete_us", summary(t.complete_us)},
                   {"claimed_twice", twice},
                   {"never_claimed", never},
                   {"errors", t.errors}};
  if (foreign > 0) out["other_jobs_drained"] = foreign;  // left in a shared database by earlier runs
  if (*before > 0) out["pending_before"] = *before;
  if (!t.first_error.empty()) out["first_error"] = t.first_error;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = 2000, claimers = 8;
  std::string pg_url;
  if (const char* env = std::getenv("ALERTBOT_BENCH_PG_URL")) pg_url = env;
  std::vector<int> numbers;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("postgres")) {
      pg_url = arg;
    } else {
      numbers.push_back(std::atoi(argv[i]));
    }
  }
  if (!numbers.empty()) jobs = std::max(1, numbers[0]);
  if (numbers.size() > 1) claimers = std::clamp(numbers[1], 1, 256);
  init_logging(LogLineFormat::Text, "error");
  asio::io_context io;
  auto clock = make_system_clock();

  const auto dir = std::filesystem::temp_directory_path() / ("alertbot-jobq-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  json::value sqlite = bench_backend(io, *clock, "sqlite://" + (dir / "jobs.db").string(), jobs, claimers);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  json::value postgres = pg_url.empty() ? json::value("skipped (set ALERTBOT_BENCH_PG_URL)")
                                        : bench_backend(io, *clock, pg_url, jobs, claimers);

  json::object out{{"bench", "job_queue"}, {"jobs", jobs}, {"claimers", claimers}, {"sqlite", sqlite}, {"postgres", postgres}};
  std::printf("%s\n", json::serialize(out).c_str());
  auto clean = [](const json::value& v) {
    if (!v.is_object()) return true;  // skipped
    const auto& o = v.as_object();
    return !o.contains("error") && o.at("claimed_twice").to_number<int>() == 0 && o.at("never_claimed").to_number<int>() == 0;
  };
  return clean(sqlite) && clean(postgres) ? 0 : 1;
}
