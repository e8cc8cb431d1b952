#include "bot/event_router.hpp"

#include "bot/bot_metrics.hpp"
#include "bot/commands.hpp"
#include "bot/followup.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "bot/config.hpp"
#include "bot/intake.hpp"
#include "bot/hook_routes.hpp"
#include "investigators/alerts/parse_alert.hpp"
#include "net/clock.hpp"
#include "investigators/service_map.hpp"
#include "net/logging.hpp"
#include "net/time_format.hpp"
#include "slack/interactions.hpp"
#include "store/store.hpp"

namespace alertbot::bot {

using store::EventStatus;

namespace {

using investigators::AlertFormat;

// A follow-up marker still "received" after this long was left by an attempt that failed.
constexpr std::chrono::seconds kFollowupRetryAfter{30};

std::optional<AlertFormat> hook_format(std::string_view route) {
  if (route == "alertmanager") return AlertFormat::AlertmanagerWebhook;
  if (route == "grafana") return AlertFormat::GrafanaWebhook;
  if (route == "datadog") return AlertFormat::Datadog;
  if (route == "pagerduty") return AlertFormat::PagerDuty;
  if (route == "generic") return AlertFormat::Generic;
  return std::nullopt;
}

// Every alert of a notification, each group's representative first (the first firing one,
// counting the group's firing alerts; with none firing, its first resolved one): the
// representative opens the incident, the others are counted in it, so every alert's status is
// stored and an incident closes when its last alert resolves.
std::vector<investigators::Alert> representatives_first(std::vector<investigators::Alert> alerts) {
  std::vector<std::size_t> reps;          // index of each group's representative
  std::map<std::string, std::size_t> at;  // group key -> index in reps
  std::vector<int> counts;
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    const auto& a = alerts[i];
    const std::string key = a.group_key.empty() ? a.fingerprint : a.group_key;
    const bool firing = a.status == investigators::AlertStatus::Firing;
    auto it = at.find(key);
    if (it == at.end()) {
      at.emplace(key, reps.size());
      reps.push_back(i);
      counts.push_back(firing ? 1 : 0);
      continue;
    }
    if (!firing) continue;
    if (alerts[reps[it->second]].status != investigators::AlertStatus::Firing) reps[it->second] = i;
    ++counts[it->second];
  }
  std::vector<investigators::Alert> out;
  std::vector<bool> taken(alerts.size(), false);
  for (std::size_t g = 0; g < reps.size(); ++g) {
    taken[reps[g]] = true;
    alerts[reps[g]].count = std::max(counts[g], 1);
    out.push_back(std::move(alerts[reps[g]]));
  }
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    if (!taken[i]) out.push_back(std::move(alerts[i]));
  }
  return out;
}

}  // namespace


EventRouter::EventRouter(asio::any_io_executor executor, store::Store& store, const Config& config, AlertIntake& intake,
                         slack::Identity self, Clock& clock)
    : executor_(std::move(executor)),
      store_(store),
      config_(config),
      intake_(intake),
      self_(std::move(self)),
      clock_(clock),
      idle_(executor_, asio::steady_timer::time_point::max()) {}

awaitable<void> EventRouter::drain() {
  while (in_flight_ > 0) {
    idle_.expires_at(asio::steady_timer::time_point::max());
    co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

awaitable<Result<std::optional<std::string>>> EventRouter::on_envelope(const slack::Envelope& env) {
  const auto arrived = clock_.steady_now();
  if (metrics_) metrics_->events_received.with({env.type}).inc();
  // Named, not braced inside the co_await: GCC 12 destroys such temporaries twice.
  const std::string origin = env.type.starts_with(kHookTypePrefix) ? "hook" : "slack";
  store::InboundEvent event{origin, env.dedupe_key, env.type, env.payload_json};
  auto stored = co_await store_.record_event(std::move(event));
  if (!stored) co_return stored.error();
  if (metrics_) {
    // Stored: the ack goes out as soon as this returns (a redelivery is acked too).
    metrics_->events_acked.inc();
    metrics_->ack_seconds.observe(std::chrono::duration<double>(clock_.steady_now() - arrived).count());
  }
  if (!*stored) {
    spdlog::debug("envelope {}: event {} already stored (redelivery)", env.envelope_id, env.dedupe_key);
    co_return std::nullopt;
  }
  // A slash command is answered in its ack ("on it", a refusal, help, "slow down"): nothing
  // awaited. Decided before its processing is posted, so that run() finds the ack's verdict.
  std::optional<std::string> ack;
  if (env.type == "slash_commands" && commands_) {
    if (auto command = slack::parse_slash_command(env.payload_json)) {
      if (std::string payload = commands_->ack(*command); !payload.empty()) ack = std::move(payload);
    }
  }
  ++in_flight_;
  in_flight_keys_.insert(env.dedupe_key);
  const store::Time received_at = clock_.system_now();  // what the store wrote, to the millisecond
  // Posted, not dispatched: processing starts after this handler has returned and the ack is on
  // its way, never before.
  asio::post(executor_, [this, env, received_at] {
    asio::co_spawn(executor_, process(env, received_at), [this, id = env.envelope_id, key = env.dedupe_key](std::exception_ptr e) {
      in_flight_keys_.erase(key);
      if (--in_flight_ == 0) idle_.cancel();
      log_exception(e, "envelope " + id + ": processing threw (it stays stored for replay)");
    });
  });
  co_return ack;
}

// The kind of the rows that claim a replay (see replay()).
constexpr const char* kReplayClaimKind = "replay_claim";

awaitable<int> EventRouter::replay(store::Time received_before, store::Time give_up_before) {
  auto events = co_await store_.list_events(EventStatus::Received, received_before, 100);
  if (!events) {
    spdlog::warn("replay: cannot list stored events: {}", events.error().describe());
    co_return 0;
  }
  int replayed = 0;
  for (const auto& row : *events) {
    const auto& key = row.event.dedupe_key;
    if (in_flight_keys_.count(key)) continue;
    if (row.event.kind == "followup" || row.event.kind == kReplayClaimKind || row.event.kind == kCounterClaimKind) {
      continue;  // markers, not events
    }
    if (row.received_at < give_up_before) {
      (void)co_await store_.set_event_status(key, EventStatus::Rejected, "gave up: not processed in time; last note: " + row.note);
      spdlog::error("event {}: given up after failing to process it for too long ({})", key, row.note);
      continue;
    }
    // Replicas replay from one table: the first to store this claim (one per event per ten
    // minutes, so a replica that dies mid-replay is followed by another later) replays it.
    const auto bucket = std::chrono::duration_cast<std::chrono::minutes>(received_before.time_since_epoch()).count() / 10;
    const store::InboundEvent claim{"replay", "replay:" + key + ":" + std::to_string(bucket), kReplayClaimKind, ""};
    auto claimed = co_await store_.record_event(claim);
    if (!claimed || !*claimed) continue;
    const std::string claim_key = claim.dedupe_key, claim_note = "replay claim";
    (void)co_await store_.set_event_status(claim_key, EventStatus::Processed, claim_note);
    slack::Envelope env;
    env.envelope_id = key;
    env.type = row.event.kind;
    env.payload_json = row.event.payload;
    env.dedupe_key = key;
    spdlog::info("replay: processing stored event {} again", key);
    in_flight_keys_.insert(key);
    co_await process(std::move(env), row.received_at);
    in_flight_keys_.erase(key);
    ++replayed;
  }
  co_return replayed;
}

awaitable<void> EventRouter::process(slack::Envelope env, store::Time received_at) {
  std::string note;
  EventStatus status = co_await route(env, received_at, note);
  if (auto r = co_await store_.set_event_status(env.dedupe_key, status, note); !r) {
    spdlog::warn("event {}: status not saved: {}", env.dedupe_key, r.error().describe());
  }
}

awaitable<EventStatus> EventRouter::route(const slack::Envelope& env, store::Time received_at, std::string& note) {
  if (env.type == "invalid") {
    note = "malformed envelope from Slack";
    co_return EventStatus::Rejected;
  }
  if (env.type.starts_with(kHookTypePrefix)) co_return co_await route_hook(env, received_at, note);
  if (env.type == "slash_commands" || env.type == "interactive") co_return co_await route_interaction(env, note);
  if (env.type != "events_api") {
    note = env.type + " is not handled yet";
    co_return EventStatus::Ignored;
  }
  if (auto home = slack::parse_app_home_opened(env.payload_json)) {
    if (!commands_) {
      note = "app home: no commands";
      co_return EventStatus::Ignored;
    }
    co_return co_await commands_->on_home(*home, note);
  }
  auto ev = slack::parse_message_event(env.payload_json);
  if (!ev) {
    note = ev.error().describe();
    co_return ev.error().code == Errc::NotFound ? EventStatus::Ignored : EventStatus::Rejected;
  }
  // Never react to our own messages: by bot id and by user id, not only by subtype.
  if ((!self_.bot_id.empty() && ev->bot_id == self_.bot_id) || (!self_.user_id.empty() && ev->user == self_.user_id)) {
    note = "the bot's own message";
    co_return EventStatus::Ignored;
  }
  if (!ev->subtype.empty() && ev->subtype != "bot_message") {
    note = "message subtype " + ev->subtype;
    co_return EventStatus::Ignored;
  }
  if (!ev->thread_ts.empty() || ev->type == "app_mention") co_return co_await route_followup(*ev, note);
  const ChannelSettings* channel = config_.channel(ev->channel);
  if (!channel || channel->investigate == InvestigateMode::Off || !ev->thread_ts.empty()) {
    note = !channel ? "channel not watched" : channel->investigate == InvestigateMode::Off ? "channel set to off" : "thread reply";
    co_return EventStatus::Ignored;
  }
  auto posted_at = parse_slack_ts(ev->ts);
  investigators::AlertContext ctx;
  ctx.received_at = posted_at ? *posted_at : received_at;
  for (const auto& s : config_.services) ctx.services.push_back(s.name);
  // Alertmanager's, Grafana's and Datadog's Slack messages; an integration's plain text counts
  // when it carries key=value labels. People talking in the channel are not alerts.
  auto batch = investigators::parse_alerts(ev->event_json, investigators::AlertFormat::Auto, ctx);
  const bool from_integration = ev->subtype == "bot_message" || !ev->bot_id.empty();
  if (!batch && batch.error().code == Errc::NotFound && from_integration) {
    auto text = investigators::parse_alerts(ev->event_json, investigators::AlertFormat::Text, ctx);
    if (text && !text->alerts.empty() && text->alerts.front().labels.size() > 1) batch = std::move(text);
  }
  AlertOrigin origin{ev->channel, ev->ts, env.dedupe_key, received_at};
  if (!batch) {
    note = batch.error().describe();
    if (batch.error().code == Errc::NotFound) co_return EventStatus::Ignored;
    if (auto r = co_await intake_.on_unreadable(origin, batch.error().message); !r) {
      spdlog::warn("event {}: could not reply about an unreadable alert: {}", env.dedupe_key, r.error().describe());
    }
    co_return EventStatus::Rejected;
  }
  if (channel->investigate == InvestigateMode::OnRequest) {
    note = "alert seen; channel investigates on request only";
    co_return EventStatus::Ignored;
  }
  for (auto& alert : representatives_first(std::move(batch->alerts))) {
    alert.service = investigators::map_service(alert, config_.services);
    if (auto r = co_await intake_.on_alert(std::move(alert), origin); !r) {
      // The store or Slack failed: keep it "received" so replay() tries again.
      note = "will retry: " + r.error().describe();
      spdlog::error("event {}: alert intake failed, will retry: {}", env.dedupe_key, r.error().describe());
      co_return EventStatus::Received;
    }
  }
  co_return EventStatus::Processed;
}

awaitable<EventStatus> EventRouter::route_interaction(const slack::Envelope& env, std::string& note) {
  if (!commands_) {
    note = env.type + ": no commands";
    co_return EventStatus::Ignored;
  }
  if (env.type == "slash_commands") {
    auto command = slack::parse_slash_command(env.payload_json);
    if (!command) {
      note = command.error().describe();
      co_return EventStatus::Rejected;
    }
    co_return co_await commands_->run(*command, note);
  }
  auto action = slack::parse_block_action(env.payload_json);
  if (!action) {
    note = action.error().describe();
    co_return action.error().code == Errc::NotFound ? EventStatus::Ignored : EventStatus::Rejected;
  }
  co_return co_await commands_->on_action(*action, note);
}

awaitable<EventStatus> EventRouter::route_followup(const slack::MessageEvent& ev, std::string& note) {
  if (!ev.bot_id.empty() || ev.user.empty()) {
    note = "a bot's message in a thread";
    co_return EventStatus::Ignored;
  }
  std::string question = followup_question(ev, self_.user_id);
  if (question.empty()) {
    note = "thread reply not addressed to the bot";
    co_return EventStatus::Ignored;
  }
  // Asking the model (and its tools) is governed like starting an investigation.
  if (std::string no = command_refusal(config_, "investigate", ev.user, ev.channel); !no.empty()) {
    note = "follow-up refused: " + ev.user;
    slack::MessageContent refusal{no, {}};
    if (auto r = co_await intake_.tell(ev.channel, ev.user, std::move(refusal)); !r) {
      spdlog::warn("event: could not tell {} why: {}", ev.user, r.error().describe());
    }
    co_return EventStatus::Processed;
  }
  const std::string thread = ev.thread_ts.empty() ? ev.ts : ev.thread_ts;
  auto report = co_await store_.find_report_by_thread(ev.channel, thread);
  if (!report) {
    note = "will retry: " + report.error().describe();
    co_return EventStatus::Received;
  }
  if (!*report) {
    // A mention elsewhere reads like a command ("@alertbot checkout 30m"); the message event of
    // the same mention is left to the app_mention.
    if (ev.type == "app_mention" && commands_) co_return co_await commands_->on_mention(ev, question, note);
    note = ev.thread_ts.empty() ? "a mention outside a report thread" : "not a report thread";
    co_return EventStatus::Ignored;
  }
  // A mention arrives twice (message and app_mention events, often at the same moment): the
  // first one to store the marker queues the question. The marker stays "received" until the job
  // is queued; one left "received" for longer than kFollowupRetryAfter belongs to an attempt that
  // failed, and a later replay of the event queues the question then.
  store::InboundEvent marker{"slack", followup_marker(ev.channel, ev.ts), "followup", ""};
  auto fresh = co_await store_.record_event(marker);
  if (!fresh) {
    note = "will retry: " + fresh.error().describe();
    co_return EventStatus::Received;
  }
  if (!*fresh) {
    auto earlier = co_await store_.get_event(marker.dedupe_key);
    const bool stale = earlier && *earlier && (*earlier)->status == EventStatus::Received &&
                       (*earlier)->received_at < clock_.system_now() - kFollowupRetryAfter;
    if (!stale) {
      note = "question already taken (the same message came as message and app_mention)";
      co_return EventStatus::Ignored;
    }
  }
  // A question is work like a command: counted once (after the duplicate above), within the limits.
  if (std::string slow = commands_ ? commands_->admit_work(ev.user, ev.channel) : std::string(); !slow.empty()) {
    note = "follow-up rate limited: " + ev.user;
    (void)co_await store_.set_event_status(marker.dedupe_key, EventStatus::Processed, "rate limited");
    slack::MessageContent refusal{slow, {}};
    if (auto r = co_await intake_.tell(ev.channel, ev.user, std::move(refusal)); !r) {
      spdlog::warn("event: could not tell {} to slow down: {}", ev.user, r.error().describe());
    }
    co_return EventStatus::Processed;
  }
  // Marked before the job exists: the worker then notes its reply on the marker (see followup.hpp).
  if (auto r = co_await store_.set_event_status(marker.dedupe_key, EventStatus::Processed, "queued"); !r) {
    note = "will retry: " + r.error().describe();
    co_return EventStatus::Received;
  }
  FollowupRequest req{(*report)->investigation_id, ev.channel, thread, ev.ts, ev.user, std::move(question)};
  if (auto r = co_await intake_.on_followup(std::move(req)); !r) {
    (void)co_await store_.set_event_status(marker.dedupe_key, EventStatus::Received, "");  // a replay queues it
    note = "will retry: " + r.error().describe();
    co_return EventStatus::Received;
  }
  note = "follow-up question queued";
  co_return EventStatus::Processed;
}

awaitable<EventStatus> EventRouter::route_hook(const slack::Envelope& env, store::Time received_at, std::string& note) {
  const auto format = hook_format(std::string_view(env.type).substr(kHookTypePrefix.size()));
  if (!format || config_.hooks.channel.empty()) {
    note = "no hook route " + env.type;
    co_return EventStatus::Rejected;
  }
  investigators::AlertContext ctx;
  ctx.received_at = received_at;
  for (const auto& s : config_.services) ctx.services.push_back(s.name);
  auto batch = investigators::parse_alerts(env.payload_json, *format, ctx);
  if (!batch) {
    note = batch.error().describe();
    spdlog::warn("hook event {}: not an alert we can read: {}", env.dedupe_key, note);
    co_return batch.error().code == Errc::NotFound ? EventStatus::Ignored : EventStatus::Rejected;
  }
  for (const auto& w : batch->warnings) spdlog::info("hook event {}: {}", env.dedupe_key, w);
  for (auto& alert : representatives_first(std::move(batch->alerts))) {
    alert.service = investigators::map_service(alert, config_.services);
    // No thread yet: intake posts the alert to the hooks channel when it opens an incident.
    AlertOrigin origin{config_.hooks.channel, "", env.dedupe_key, received_at};
    if (auto r = co_await intake_.on_alert(std::move(alert), origin); !r) {
      note = r.error().describe();
      spdlog::error("hook event {}: alert intake failed, will retry: {}", env.dedupe_key, note);
      co_return EventStatus::Received;
    }
  }
  co_return EventStatus::Processed;
}

}  // namespace alertbot::bot
