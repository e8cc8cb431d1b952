// AlertIntake: what happens when an alert arrives in a watched channel. A new incident (no open
// group with its group key) becomes an alert group, an investigation and a durable job, and gets
// a placeholder reply in the alert's thread at once; a repeat only counts in the existing thread;
// a resolved notification closes the group and says how long it was open. Everything is stored
// before anything is posted. Runs on the bot's executor; one instance per process.
#pragma once

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
}
namespace alertbot::investigators {
class SourceRegistry;
}

namespace alertbot::bot {

struct Config;
class Wakeup;

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

class AlertIntake {
 public:
  AlertIntake(store::Store& store, slack::WebApi& api, const Config& config,
              const investigators::SourceRegistry& sources, Clock& clock, Wakeup& worker_wakeup);

  // Errors: store or Slack errors; the caller logs them and marks the event.
  awaitable<Result<void>> on_alert(investigators::Alert alert, AlertOrigin origin);
  // Queues the answer to a follow-up question in a report's thread (a "followup" job) and wakes
  // the worker. Errors: the store's.
  awaitable<Result<void>> on_followup(FollowupRequest request);
  // Replies in the thread that the message looked like an alert but could not be read.
  awaitable<Result<void>> on_unreadable(AlertOrigin origin, std::string reason);

 private:
  awaitable<Result<void>> open_incident(investigators::Alert alert, const AlertOrigin& origin);
  awaitable<Result<void>> repeat(const investigators::Alert& alert, const store::AlertGroupRow& group);

  store::Store& store_;
  slack::WebApi& api_;
  const Config& config_;
  const investigators::SourceRegistry& sources_;
  Clock& clock_;
  Wakeup& wakeup_;
};

}  // namespace alertbot::bot
