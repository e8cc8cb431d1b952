// BackendStore: the Store interface over one backend's operations (store/sqlite_ops.hpp,
// store/pg_ops.hpp): each call captures its arguments and the store clock's "now", and hands a
// piece of work `(Conn&) -> Result<T>` to the backend's Runner, which runs it off the event loop
// and resumes the caller on its own executor.
//
// Included by exactly one .cpp per backend, after that file has declared the namespace
// alertbot::store::ops_call with a using-directive naming its operations' namespace; the class
// lives in an unnamed namespace, so each backend's file has its own. A Runner provides
//   template <class Work> awaitable<std::invoke_result_t<Work&, Conn&>> run(Work work);
// and must finish work already handed to it before it is destroyed.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "net/clock.hpp"
#include "store/store.hpp"

namespace alertbot::store {
namespace {

template <class Runner>
class BackendStore final : public Store {
 public:
  // `args` construct the runner.
  template <class... Args>
  explicit BackendStore(Clock& clock, Args&&... args) : clock_(clock), runner_(std::forward<Args>(args)...) {}

  awaitable<Result<int>> migrate() override {
    return runner_.run([t = now()](auto& db) { return ops_call::migrate(db, t); });
  }
  awaitable<Result<int>> schema_version() override {
    return runner_.run([](auto& db) { return ops_call::schema_version(db); });
  }

  awaitable<Result<bool>> record_event(InboundEvent ev) override {
    return runner_.run([ev = std::move(ev), t = now()](auto& db) { return ops_call::record_event(db, ev, t); });
  }
  awaitable<Result<void>> set_event_status(std::string key, EventStatus status, std::string note) override {
    return runner_.run([key = std::move(key), status, note = std::move(note)](auto& db) {
      return ops_call::set_event_status(db, key, status, note);
    });
  }
  awaitable<Result<std::optional<InboundEventRow>>> get_event(std::string key) override {
    return runner_.run([key = std::move(key)](auto& db) { return ops_call::get_event(db, key); });
  }

  awaitable<Result<std::vector<InboundEventRow>>> list_events(EventStatus status, Time before, int limit) override {
    return runner_.run([status, before, limit](auto& db) { return ops_call::list_events(db, status, before, limit); });
  }

  awaitable<Result<Id>> add_alert(AlertRow alert) override {
    return runner_.run([alert = std::move(alert), t = now()](auto& db) { return ops_call::add_alert(db, alert, t); });
  }
  awaitable<Result<std::optional<AlertGroupRow>>> find_open_group(std::string key) override {
    return runner_.run([key = std::move(key)](auto& db) { return ops_call::find_open_group(db, key); });
  }
  awaitable<Result<AlertGroupRow>> create_group(AlertGroupRow group) override {
    return runner_.run([group = std::move(group), t = now()](auto& db) { return ops_call::create_group(db, group, t); });
  }
  awaitable<Result<AlertGroupRow>> touch_group(Id id) override {
    return runner_.run([id, t = now()](auto& db) { return ops_call::touch_group(db, id, t); });
  }
  awaitable<Result<void>> set_group_counter(Id id, std::string ts) override {
    return runner_.run([id, ts = std::move(ts)](auto& db) { return ops_call::set_group_counter(db, id, ts); });
  }
  awaitable<Result<std::optional<AlertGroupRow>>> reopen_group(std::string key, Time closed_since) override {
    return runner_.run([key = std::move(key), closed_since, t = now()](auto& db) { return ops_call::reopen_group(db, key, closed_since, t); });
  }
  awaitable<Result<std::int64_t>> close_if_resolved(Id id) override {
    return runner_.run([id, t = now()](auto& db) { return ops_call::close_if_resolved(db, id, t); });
  }
  awaitable<Result<std::int64_t>> count_resolutions(std::string fingerprint, Time since) override {
    return runner_.run([fp = std::move(fingerprint), since](auto& db) { return ops_call::count_resolutions(db, fp, since); });
  }
  awaitable<Result<Id>> add_silence(SilenceRow silence) override {
    return runner_.run([s = std::move(silence), t = now()](auto& db) { return ops_call::add_silence(db, s, t); });
  }
  awaitable<Result<std::optional<SilenceRow>>> active_silence(std::string service, Time at) override {
    return runner_.run([service = std::move(service), at](auto& db) { return ops_call::active_silence(db, service, at); });
  }
  awaitable<Result<void>> close_group(Id id) override {
    return runner_.run([id, t = now()](auto& db) { return ops_call::close_group(db, id, t); });
  }
  awaitable<Result<void>> set_group_thread(Id id, std::string channel, std::string thread_ts) override {
    return runner_.run([id, channel = std::move(channel), thread_ts = std::move(thread_ts)](auto& db) {
      return ops_call::set_group_thread(db, id, channel, thread_ts);
    });
  }

  awaitable<Result<Id>> create_investigation(InvestigationRow inv) override {
    return runner_.run([inv = std::move(inv), t = now()](auto& db) { return ops_call::create_investigation(db, inv, t); });
  }
  awaitable<Result<std::optional<InvestigationRow>>> get_investigation(Id id) override {
    return runner_.run([id](auto& db) { return ops_call::get_investigation(db, id); });
  }
  awaitable<Result<void>> update_investigation(Id id, InvestigationStatus status, std::string report_json,
                                               std::string error) override {
    return runner_.run([id, status, report = std::move(report_json), error = std::move(error), t = now()](auto& db) {
      return ops_call::update_investigation(db, id, status, report, error, t);
    });
  }
  awaitable<Result<std::vector<InvestigationRow>>> recent_investigations(int limit) override {
    return runner_.run([limit](auto& db) { return ops_call::recent_investigations(db, limit); });
  }
  awaitable<Result<Id>> add_finding(FindingRow finding) override {
    return runner_.run([f = std::move(finding), t = now()](auto& db) { return ops_call::add_finding(db, f, t); });
  }
  awaitable<Result<std::vector<FindingRow>>> list_findings(Id investigation_id) override {
    return runner_.run([investigation_id](auto& db) { return ops_call::list_findings(db, investigation_id); });
  }
  awaitable<Result<void>> put_report(ReportRow report) override {
    return runner_.run([r = std::move(report), t = now()](auto& db) { return ops_call::put_report(db, r, t); });
  }
  awaitable<Result<std::optional<ReportRow>>> get_report(Id investigation_id) override {
    return runner_.run([investigation_id](auto& db) { return ops_call::get_report(db, investigation_id); });
  }
  awaitable<Result<void>> add_llm_usage(Id investigation_id, LlmUsage usage) override {
    return runner_.run([investigation_id, usage](auto& db) { return ops_call::add_llm_usage(db, investigation_id, usage); });
  }
  awaitable<Result<std::optional<ReportRow>>> find_report_by_thread(std::string channel, std::string thread_ts) override {
    return runner_.run([channel = std::move(channel), thread_ts = std::move(thread_ts)](auto& db) {
      return ops_call::find_report_by_thread(db, channel, thread_ts);
    });
  }
  awaitable<Result<Id>> add_feedback(FeedbackRow feedback) override {
    return runner_.run([f = std::move(feedback), t = now()](auto& db) { return ops_call::add_feedback(db, f, t); });
  }

  awaitable<Result<void>> set_first_reply(Id investigation_id, Time at) override {
    return runner_.run([investigation_id, at](auto& db) { return ops_call::set_first_reply(db, investigation_id, at); });
  }
  awaitable<Result<bool>> claim_digest(std::string week, std::string owner) override {
    return runner_.run([week = std::move(week), owner = std::move(owner), t = now()](auto& db) {
      return ops_call::claim_digest(db, week, owner, t);
    });
  }
  awaitable<Result<void>> mark_digest_posted(std::string week, std::string owner, std::string channel,
                                             std::string message_ts) override {
    return runner_.run([week = std::move(week), owner = std::move(owner), channel = std::move(channel),
                  ts = std::move(message_ts), t = now()](auto& db) {
      return ops_call::mark_digest_posted(db, week, owner, channel, ts, t);
    });
  }
  awaitable<Result<void>> release_digest(std::string week, std::string owner) override {
    return runner_.run([week = std::move(week), owner = std::move(owner)](auto& db) {
      return ops_call::release_digest(db, week, owner);
    });
  }
  awaitable<Result<std::optional<DigestPost>>> get_digest(std::string week) override {
    return runner_.run([week = std::move(week)](auto& db) { return ops_call::get_digest(db, week); });
  }
  awaitable<Result<DigestData>> digest_data(Time from, Time to) override {
    return runner_.run([from, to](auto& db) { return ops_call::digest_data(db, from, to); });
  }

  awaitable<Result<void>> index_investigation(SearchDocument doc) override {
    return runner_.run([d = std::move(doc)](auto& db) { return ops_call::index_investigation(db, d); });
  }
  awaitable<Result<std::vector<SearchHit>>> search_investigations(std::string service, std::string words, Time before,
                                                                  int limit) override {
    return runner_.run([s = std::move(service), w = std::move(words), before, limit](auto& db) {
      return ops_call::search_investigations(db, s, w, before, limit);
    });
  }

  awaitable<Result<Id>> add_deploy(DeployRow deploy) override {
    return runner_.run([d = std::move(deploy)](auto& db) { return ops_call::add_deploy(db, d); });
  }
  awaitable<Result<std::vector<DeployRow>>> list_deploys(std::string service, Time from, Time to) override {
    return runner_.run([s = std::move(service), from, to](auto& db) { return ops_call::list_deploys(db, s, from, to); });
  }

  awaitable<Result<Id>> enqueue_job(std::string kind, std::string payload, std::optional<Time> run_at,
                                    int max_attempts) override {
    const Time t = now();
    return runner_.run([kind = std::move(kind), payload = std::move(payload), at = run_at.value_or(t), max_attempts,
                  t](auto& db) { return ops_call::enqueue_job(db, kind, payload, at, max_attempts, t); });
  }
  awaitable<Result<std::optional<Job>>> claim_job(std::string worker, std::chrono::milliseconds lease) override {
    return runner_.run([w = std::move(worker), lease, t = now()](auto& db) { return ops_call::claim_job(db, w, lease, t); });
  }
  awaitable<Result<void>> heartbeat_job(Id id, std::string worker, std::chrono::milliseconds lease) override {
    return runner_.run([id, w = std::move(worker), lease, t = now()](auto& db) {
      return ops_call::heartbeat_job(db, id, w, lease, t);
    });
  }
  awaitable<Result<void>> complete_job(Id id, std::string worker) override {
    return runner_.run([id, w = std::move(worker), t = now()](auto& db) { return ops_call::complete_job(db, id, w, t); });
  }
  awaitable<Result<void>> fail_job(Id id, std::string worker, std::string error, std::chrono::milliseconds retry_after) override {
    return runner_.run([id, w = std::move(worker), e = std::move(error), retry_after, t = now()](auto& db) {
      return ops_call::fail_job(db, id, w, e, retry_after, t);
    });
  }
  awaitable<Result<std::optional<Job>>> get_job(Id id) override {
    return runner_.run([id](auto& db) { return ops_call::get_job(db, id); });
  }
  awaitable<Result<std::int64_t>> pending_jobs() override {
    return runner_.run([](auto& db) { return ops_call::pending_jobs(db); });
  }

 private:
  Time now() const { return clock_.system_now(); }

  Clock& clock_;    // read on the calling thread, when each call is made
  Runner runner_;   // destroyed first: finishes the work already handed to it
};

}  // namespace
}  // namespace alertbot::store
