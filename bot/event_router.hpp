// EventRouter: the bot's side of "persist, then ack". on_envelope() stores the raw envelope and
// returns (the Socket Mode client then acks); the slower work (parsing, filtering, intake) is
// scheduled to start only after that, and its outcome is written back on the stored event
// (processed, ignored with why, rejected with why). An event whose processing failed for a
// reason that may pass (store busy, Slack down) or never finished (a crash after the ack) stays
// "received", and replay() processes it again later. Runs on the bot's executor.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <unordered_set>
#include <string>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "slack/envelope.hpp"
#include "slack/web_api.hpp"
#include "store/records.hpp"

namespace alertbot {
class Clock;
}
namespace alertbot::store {
class Store;
}

namespace alertbot::bot {

struct Config;
class AlertIntake;
class Commands;
struct BotMetrics;

class EventRouter {
 public:
  EventRouter(asio::any_io_executor executor, store::Store& store, const Config& config, AlertIntake& intake,
              slack::Identity self, Clock& clock);

  // Slash commands, mentions outside report threads, buttons and App Home go to `commands`
  // (must outlive the router); without it they are ignored.
  void set_commands(Commands* commands) { commands_ = commands; }
  // Envelopes received and acked, ack latency (nullptr: not counted); must outlive the router.
  void set_metrics(BotMetrics* metrics) { metrics_ = metrics; }
  // The EnvelopeHandler of slack::SocketModeClient. Errors: the store's (then no ack is sent).
  // A slash command's ack carries Commands::ack (which counts it against the rate limits).
  awaitable<Result<std::optional<std::string>>> on_envelope(const slack::Envelope& env);
  // Envelopes persisted whose processing has not finished.
  int in_flight() const { return in_flight_; }
  // Completes when no processing is in flight (shutdown waits on it before the parts go away).
  awaitable<void> drain();
  // Processes again every stored event still "received" that arrived between `give_up_before`
  // and `received_before` and is not in flight here; older ones are marked rejected (given up).
  // Returns how many were processed.
  awaitable<int> replay(store::Time received_before, store::Time give_up_before);

 private:
  // `received_at`: when the event was first stored.
  awaitable<void> process(slack::Envelope env, store::Time received_at);
  // What to do with a message event; sets `note` when the answer is to ignore it.
  awaitable<store::EventStatus> route(const slack::Envelope& env, store::Time received_at, std::string& note);
  // A person's reply in a thread, or a mention of the bot: a follow-up question when the thread
  // holds a report and the message is for the bot (see followup_question).
  awaitable<store::EventStatus> route_followup(const slack::MessageEvent& ev, std::string& note);
  // Slash commands and button clicks.
  awaitable<store::EventStatus> route_interaction(const slack::Envelope& env, std::string& note);
  // An alert body that arrived on a hook (type "hook:<format>"): parsed, posted to hooks.channel
  // and investigated in that message's thread.
  awaitable<store::EventStatus> route_hook(const slack::Envelope& env, store::Time received_at, std::string& note);

  asio::any_io_executor executor_;
  store::Store& store_;
  const Config& config_;
  AlertIntake& intake_;
  Commands* commands_ = nullptr;
  BotMetrics* metrics_ = nullptr;
  const slack::Identity self_;
  Clock& clock_;
  int in_flight_ = 0;
  std::unordered_set<std::string> in_flight_keys_;  // dedupe keys being processed here
  asio::steady_timer idle_;  // cancelled whenever in_flight_ drops to zero
};

}  // namespace alertbot::bot
