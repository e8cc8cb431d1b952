// AlertIntake: what happens when an alert arrives in a watched channel or on a hook.
// Incidents: alerts of one service in one channel share an incident while it is active (a storm
// of many alert names and instances becomes one thread); alerts with no service group by their
// own group key. A new incident becomes an alert group, an investigation and a durable job, and
// gets a placeholder reply in the alert's thread at once. Repeats only count: one counter message
// per thread, updated in place at most every kCounterEvery (not a message per notification). A
// resolved notification counts too; when no alert of the incident is still firing the group closes
// and the thread says how long it was open. An alert that fires again within kFlapWindow of its
// incident closing reopens that incident (no new investigation) and is called flapping.
// Automatic investigation is gated per channel (investigate mode, severities, quiet hours) and by
// silences; gated alerts are recorded and counted, not investigated. Everything is stored before
// anything is posted. Runs on the bot's executor; one instance per process.
#pragma once

#include <chrono>
#include <optional>
#include <map>
#include <set>
#include <string>

#include "investigators/alert.hpp"
#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "store/records.hpp"

namespace alertbot {
class Clock;
}
namespace alertbot::store {
class Store;
}
namespace alertbot::slack {
class WebApi;
struct MessageContent;
}
namespace alertbot::investigators {
class SourceRegistry;
}

namespace alertbot::bot {

struct Config;
class Wakeup;

// An incident takes new alerts while its last notification is at most this old.
inline constexpr std::chrono::minutes kIncidentWindow{30};
// An alert firing again this soon after its incident closed reopens it (flapping).
inline constexpr std::chrono::minutes kFlapWindow{60};
// Counter messages are updated at most this often per thread (chat.update is Tier 3).
inline constexpr std::chrono::seconds kCounterEvery{3};
// The kind of the inbound-event rows that claim posting an incident's counter message: replicas
// count the same incident, the one that stores the claim first posts the message, the others
// update it once its ts is recorded with the group. Markers, not events: never replayed.
inline constexpr const char* kCounterClaimKind = "counter_claim";

// Where an alert was seen.
struct AlertOrigin {
  std::string channel;
  std::string ts;         // the alert message (the thread parent); "" for hooks: intake posts one

  std::string event_key;  // the inbound event it came from
  // When the bot received it (stored with the event; a replay keeps the first arrival). The
  // investigation's "now", so a retried job or a replayed event looks at the same window.
  std::chrono::system_clock::time_point received_at{};
};

struct FollowupRequest;

// An investigation someone asked for (/investigate, a mention).
struct OnDemand {
  std::string service;
  std::chrono::milliseconds window{std::chrono::hours(1)};
  std::string trace_id;
  std::string channel;
  std::string thread_ts;  // "" : a new message in the channel starts the thread
  std::string user;
  std::string trigger = "command";  // command | mention
};

class AlertIntake {
 public:
  AlertIntake(store::Store& store, slack::WebApi& api, const Config& config,
              const investigators::SourceRegistry& sources, Clock& clock, Wakeup& worker_wakeup);

  // Errors: store or Slack errors; the caller logs them and marks the event.
  awaitable<Result<void>> on_alert(investigators::Alert alert, AlertOrigin origin);
  // Starts an investigation someone asked for: a message in the channel (unless a thread is
  // given), the placeholder in its thread, the job. Returns the investigation id.
  awaitable<Result<store::Id>> on_request(OnDemand request);
  // "Re-run with a wider window": a new investigation of the same alert over three times the
  // window (at most 24 h), reported as a new reply in the same thread. NotFound when `previous`
  // has no report or thread yet.
  awaitable<Result<store::Id>> on_rerun(store::Id previous, std::string user);
  // Queues the answer to a follow-up question in a report's thread (a "followup" job) and wakes
  // the worker. Errors: the store's.
  awaitable<Result<void>> on_followup(FollowupRequest request);
  // Updates the counter messages of incidents that changed, every kCounterEvery (sleeping on
  // `wakeup`), until stop() (then `wakeup` must be notified); a last flush shows the final counts.
  awaitable<void> run_counters(Wakeup& wakeup);
  void stop();
  // An ephemeral message to `user` in `channel` (refusals). Errors: Slack's.
  awaitable<Result<void>> tell(std::string channel, std::string user, slack::MessageContent content);
  // Replies in the thread that the message looked like an alert but could not be read.
  awaitable<Result<void>> on_unreadable(AlertOrigin origin, std::string reason);

  // The incident key of `alert` seen in `channel` (see the class comment).
  static std::string incident_key(const investigators::Alert& alert, const std::string& channel);

 private:
  // What the counter message of one thread will say at the next flush.
  struct Counter {
    std::string group_key, channel, thread_ts, counter_ts;
    bool claimed = false;            // this process stored the claim to post the message
    int waited = 0;                  // flushes spent waiting for another replica's message
    std::int64_t notifications = 0;
    std::int64_t still_firing = -1;  // unknown until a resolved notification was counted
    std::set<std::string> names;     // alert names seen (capped)
    std::string flapping;            // the name of an alert found flapping, if any
    bool closed = false;             // the incident closed: forgotten kFlapWindow after closed_at
    store::Time closed_at{};
    bool dirty = false;
    std::uint64_t shown = 0;         // when it was last shown (flush order), 0: never
  };
  // Counter messages sent per kCounterEvery at most (2 per 3 s: 40 a minute, under Tier 3).
  static constexpr std::size_t kCountersPerTick = 2;
  std::uint64_t shown_seq_ = 0;
  static constexpr std::size_t kMaxCounterNames = 50;
  // Flushes to wait for the message of the replica that claimed a counter (it may have died
  // between claim and post) before this one stops trying until the incident's next notification.
  static constexpr int kMaxCounterWaits = 20;
  awaitable<Result<void>> open_incident(investigators::Alert alert, store::AlertRow row, const AlertOrigin& given);
  // Stores the notification, counted in `group_id` (none: recorded only).
  awaitable<Result<void>> record(store::AlertRow row, std::optional<store::Id> group_id);
  // The counter of a group that closed without resolving is dropped once shown.
  void forget_counter(store::Id group_id);
  // Posts the placeholder in (channel, thread_ts), records it, and queues the job.
  awaitable<Result<void>> queue_investigation(store::Id id, const investigators::Alert& alert, std::string channel,
                                              std::string thread_ts, store::Time received,
                                              std::optional<std::chrono::milliseconds> window);
  awaitable<Result<void>> repeat(const investigators::Alert& alert, const store::AlertGroupRow& group, bool reopened);
  awaitable<Result<void>> resolved(const investigators::Alert& alert, const store::AlertGroupRow& group);
  // Why `alert` is not investigated automatically in `channel` ("" when it is).
  awaitable<std::string> gated(const investigators::Alert& alert, const std::string& channel);
  Counter& counter_of(const store::AlertGroupRow& group);
  awaitable<void> flush_counters();
  // Whether this process may post the counter of group `id` (it stored the claim); when another
  // replica holds it, copies that replica's message ts into the counter once recorded. Errors: the
  // store's.
  awaitable<Result<bool>> claim_counter(store::Id id);

  store::Store& store_;
  slack::WebApi& api_;
  const Config& config_;
  const investigators::SourceRegistry& sources_;
  Clock& clock_;
  Wakeup& wakeup_;
  std::map<store::Id, Counter> counters_;  // by group id
  bool stopping_ = false;
};

}  // namespace alertbot::bot
