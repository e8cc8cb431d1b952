// SqliteStore: the Store interface over sqlite_ops, each call hopped to the database thread.
#include "store/sqlite_store.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <type_traits>
#include <utility>

#include "net/clock.hpp"
#include "store/migrations.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_ops.hpp"

namespace alertbot::store {
namespace {

using std::chrono::milliseconds;
using sqlite::Db;

// Attempts per call when SQLite stays busy past the busy timeout (each attempt re-runs the whole
// statement or transaction, which rolled back).
constexpr int kBusyAttempts = 3;

template <class Work>
using ResultOf = std::invoke_result_t<Work&, Db&>;

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Db> db, Clock& clock) : clock_(clock), db_(std::move(db)) {}
  // Finishes the calls already queued, then stops the thread; db_ closes after.
  ~SqliteStore() override { pool_.join(); }

  awaitable<Result<int>> migrate() override {
    return on_db([t = now()](Db& db) { return sqlite::migrate(db, t); });
  }
  awaitable<Result<int>> schema_version() override {
    return on_db([](Db& db) { return sqlite::schema_version(db); });
  }

  awaitable<Result<bool>> record_event(InboundEvent ev) override {
    return on_db([ev = std::move(ev), t = now()](Db& db) { return sqlite::record_event(db, ev, t); });
  }
  awaitable<Result<void>> set_event_status(std::string key, EventStatus status, std::string note) override {
    return on_db([key = std::move(key), status, note = std::move(note)](Db& db) {
      return sqlite::set_event_status(db, key, status, note);
    });
  }
  awaitable<Result<std::optional<InboundEventRow>>> get_event(std::string key) override {
    return on_db([key = std::move(key)](Db& db) { return sqlite::get_event(db, key); });
  }

  awaitable<Result<std::vector<InboundEventRow>>> list_events(EventStatus status, Time before, int limit) override {
    return on_db([status, before, limit](Db& db) { return sqlite::list_events(db, status, before, limit); });
  }

  awaitable<Result<Id>> add_alert(AlertRow alert) override {
    return on_db([alert = std::move(alert), t = now()](Db& db) { return sqlite::add_alert(db, alert, t); });
  }
  awaitable<Result<std::optional<AlertGroupRow>>> find_open_group(std::string key) override {
    return on_db([key = std::move(key)](Db& db) { return sqlite::find_open_group(db, key); });
  }
  awaitable<Result<AlertGroupRow>> create_group(AlertGroupRow group) override {
    return on_db([group = std::move(group), t = now()](Db& db) { return sqlite::create_group(db, group, t); });
  }
  awaitable<Result<AlertGroupRow>> touch_group(Id id) override {
    return on_db([id, t = now()](Db& db) { return sqlite::touch_group(db, id, t); });
  }
  awaitable<Result<void>> set_group_counter(Id id, std::string ts) override {
    return on_db([id, ts = std::move(ts)](Db& db) { return sqlite::set_group_counter(db, id, ts); });
  }
  awaitable<Result<std::optional<AlertGroupRow>>> reopen_group(std::string key, Time closed_since) override {
    return on_db([key = std::move(key), closed_since, t = now()](Db& db) { return sqlite::reopen_group(db, key, closed_since, t); });
  }
  awaitable<Result<std::int64_t>> close_if_resolved(Id id) override {
    return on_db([id, t = now()](Db& db) { return sqlite::close_if_resolved(db, id, t); });
  }
  awaitable<Result<std::int64_t>> count_resolutions(std::string fingerprint, Time since) override {
    return on_db([fp = std::move(fingerprint), since](Db& db) { return sqlite::count_resolutions(db, fp, since); });
  }
  awaitable<Result<Id>> add_silence(SilenceRow silence) override {
    return on_db([s = std::move(silence), t = now()](Db& db) { return sqlite::add_silence(db, s, t); });
  }
  awaitable<Result<std::optional<SilenceRow>>> active_silence(std::string service, Time at) override {
    return on_db([service = std::move(service), at](Db& db) { return sqlite::active_silence(db, service, at); });
  }
  awaitable<Result<void>> close_group(Id id) override {
    return on_db([id, t = now()](Db& db) { return sqlite::close_group(db, id, t); });
  }
  awaitable<Result<void>> set_group_thread(Id id, std::string channel, std::string thread_ts) override {
    return on_db([id, channel = std::move(channel), thread_ts = std::move(thread_ts)](Db& db) {
      return sqlite::set_group_thread(db, id, channel, thread_ts);
    });
  }

  awaitable<Result<Id>> create_investigation(InvestigationRow inv) override {
    return on_db([inv = std::move(inv), t = now()](Db& db) { return sqlite::create_investigation(db, inv, t); });
  }
  awaitable<Result<std::optional<InvestigationRow>>> get_investigation(Id id) override {
    return on_db([id](Db& db) { return sqlite::get_investigation(db, id); });
  }
  awaitable<Result<void>> update_investigation(Id id, InvestigationStatus status, std::string report_json,
                                               std::string error) override {
    return on_db([id, status, report = std::move(report_json), error = std::move(error), t = now()](Db& db) {
      return sqlite::update_investigation(db, id, status, report, error, t);
    });
  }
  awaitable<Result<std::vector<InvestigationRow>>> recent_investigations(int limit) override {
    return on_db([limit](Db& db) { return sqlite::recent_investigations(db, limit); });
  }
  awaitable<Result<Id>> add_finding(FindingRow finding) override {
    return on_db([f = std::move(finding), t = now()](Db& db) { return sqlite::add_finding(db, f, t); });
  }
  awaitable<Result<std::vector<FindingRow>>> list_findings(Id investigation_id) override {
    return on_db([investigation_id](Db& db) { return sqlite::list_findings(db, investigation_id); });
  }
  awaitable<Result<void>> put_report(ReportRow report) override {
    return on_db([r = std::move(report), t = now()](Db& db) { return sqlite::put_report(db, r, t); });
  }
  awaitable<Result<std::optional<ReportRow>>> get_report(Id investigation_id) override {
    return on_db([investigation_id](Db& db) { return sqlite::get_report(db, investigation_id); });
  }
  awaitable<Result<void>> add_llm_usage(Id investigation_id, LlmUsage usage) override {
    return on_db([investigation_id, usage](Db& db) { return sqlite::add_llm_usage(db, investigation_id, usage); });
  }
  awaitable<Result<std::optional<ReportRow>>> find_report_by_thread(std::string channel, std::string thread_ts) override {
    return on_db([channel = std::move(channel), thread_ts = std::move(thread_ts)](Db& db) {
      return sqlite::find_report_by_thread(db, channel, thread_ts);
    });
  }
  awaitable<Result<Id>> add_feedback(FeedbackRow feedback) override {
    return on_db([f = std::move(feedback), t = now()](Db& db) { return sqlite::add_feedback(db, f, t); });
  }

  awaitable<Result<void>> set_first_reply(Id investigation_id, Time at) override {
    return on_db([investigation_id, at](Db& db) { return sqlite::set_first_reply(db, investigation_id, at); });
  }
  awaitable<Result<bool>> claim_digest(std::string week, std::string owner) override {
    return on_db([week = std::move(week), owner = std::move(owner), t = now()](Db& db) {
      return sqlite::claim_digest(db, week, owner, t);
    });
  }
  awaitable<Result<void>> mark_digest_posted(std::string week, std::string owner, std::string channel,
                                             std::string message_ts) override {
    return on_db([week = std::move(week), owner = std::move(owner), channel = std::move(channel),
                  ts = std::move(message_ts), t = now()](Db& db) {
      return sqlite::mark_digest_posted(db, week, owner, channel, ts, t);
    });
  }
  awaitable<Result<void>> release_digest(std::string week, std::string owner) override {
    return on_db([week = std::move(week), owner = std::move(owner)](Db& db) {
      return sqlite::release_digest(db, week, owner);
    });
  }
  awaitable<Result<std::optional<DigestPost>>> get_digest(std::string week) override {
    return on_db([week = std::move(week)](Db& db) { return sqlite::get_digest(db, week); });
  }
  awaitable<Result<DigestData>> digest_data(Time from, Time to) override {
    return on_db([from, to](Db& db) { return sqlite::digest_data(db, from, to); });
  }

  awaitable<Result<void>> index_investigation(SearchDocument doc) override {
    return on_db([d = std::move(doc)](Db& db) { return sqlite::index_investigation(db, d); });
  }
  awaitable<Result<std::vector<SearchHit>>> search_investigations(std::string service, std::string words, Time before,
                                                                  int limit) override {
    return on_db([s = std::move(service), w = std::move(words), before, limit](Db& db) {
      return sqlite::search_investigations(db, s, w, before, limit);
    });
  }

  awaitable<Result<Id>> add_deploy(DeployRow deploy) override {
    return on_db([d = std::move(deploy)](Db& db) { return sqlite::add_deploy(db, d); });
  }
  awaitable<Result<std::vector<DeployRow>>> list_deploys(std::string service, Time from, Time to) override {
    return on_db([s = std::move(service), from, to](Db& db) { return sqlite::list_deploys(db, s, from, to); });
  }

  awaitable<Result<Id>> enqueue_job(std::string kind, std::string payload, std::optional<Time> run_at,
                                    int max_attempts) override {
    const Time t = now();
    return on_db([kind = std::move(kind), payload = std::move(payload), at = run_at.value_or(t), max_attempts,
                  t](Db& db) { return sqlite::enqueue_job(db, kind, payload, at, max_attempts, t); });
  }
  awaitable<Result<std::optional<Job>>> claim_job(std::string worker, milliseconds lease) override {
    return on_db([w = std::move(worker), lease, t = now()](Db& db) { return sqlite::claim_job(db, w, lease, t); });
  }
  awaitable<Result<void>> heartbeat_job(Id id, std::string worker, milliseconds lease) override {
    return on_db([id, w = std::move(worker), lease, t = now()](Db& db) {
      return sqlite::heartbeat_job(db, id, w, lease, t);
    });
  }
  awaitable<Result<void>> complete_job(Id id, std::string worker) override {
    return on_db([id, w = std::move(worker), t = now()](Db& db) { return sqlite::complete_job(db, id, w, t); });
  }
  awaitable<Result<void>> fail_job(Id id, std::string worker, std::string error, milliseconds retry_after) override {
    return on_db([id, w = std::move(worker), e = std::move(error), retry_after, t = now()](Db& db) {
      return sqlite::fail_job(db, id, w, e, retry_after, t);
    });
  }
  awaitable<Result<std::optional<Job>>> get_job(Id id) override {
    return on_db([id](Db& db) { return sqlite::get_job(db, id); });
  }
  awaitable<Result<std::int64_t>> pending_jobs() override {
    return on_db([](Db& db) { return sqlite::pending_jobs(db); });
  }

 private:
  // Runs `work(*db_)` on the database thread and resumes the caller on its own executor.
  // Not co_spawn: its entry point keeps touching the caller's executor on the database thread after
  // the caller has resumed, which races with a caller that then destroys its io_context. Here the
  // database thread's last touch is the post() that hands the result back; the work guard that
  // keeps the caller's context alive meanwhile is released on the caller's side.
  template <class Work>
  awaitable<ResultOf<Work>> on_db(Work work) {
    auto initiate = [this](auto handler, Work work) {
      auto guard = asio::make_work_guard(asio::get_associated_executor(handler));
      asio::post(pool_, [this, work = std::move(work), handler = std::move(handler),
                         guard = std::move(guard)]() mutable {
        deliver(std::move(handler), std::move(guard), run_guarded(work));
      });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>, void(ResultOf<Work>)>(
        std::move(initiate), asio::use_awaitable, std::move(work));
  }

  // On the database thread: hands `result` to the caller's executor, which releases the guard.
  template <class Handler, class Guard, class R>
  static void deliver(Handler handler, Guard guard, R result) {
    auto caller = guard.get_executor();
    asio::post(caller, [handler = std::move(handler), guard = std::move(guard),
                        result = std::move(result)]() mutable {
      guard.reset();
      std::move(handler)(std::move(result));
    });
  }

  // On the database thread: runs `work`, retrying while SQLite is busy; exceptions become Internal.
  template <class Work>
  ResultOf<Work> run_guarded(Work& work) {
    try {
      for (int attempt = 1;; ++attempt) {
        auto result = work(*db_);
        if (result || result.error().code != Errc::Busy || attempt == kBusyAttempts) return result;
      }
    } catch (const std::exception& e) {
      return fail(Errc::Internal, std::string("sqlite store: ") + e.what());
    } catch (...) {
      return fail(Errc::Internal, "sqlite store: unknown exception");
    }
  }

  Time now() const { return clock_.system_now(); }

  Clock& clock_;                 // read on the calling thread, when each call is made
  std::unique_ptr<Db> db_;       // used only on pool_'s thread once the store is constructed
  asio::thread_pool pool_{1};    // the database thread
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, Clock& clock, SqliteOptions options) {
  auto db = Db::open(path, options.busy_timeout_ms);
  if (!db) return db.error();
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(*db), clock));
}

}  // namespace alertbot::store
