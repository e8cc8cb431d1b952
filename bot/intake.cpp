#include "bot/intake.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bot/alert_json.hpp"
#include "bot/config.hpp"
#include "bot/report_blocks.hpp"
#include "bot/report_marker.hpp"
#include "bot/wakeup.hpp"
#include "bot/followup.hpp"
#include "investigators/source_registry.hpp"
#include "net/clock.hpp"
#include "slack/web_api.hpp"
#include "net/duration.hpp"
#include "net/time_format.hpp"
#include "store/store.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using investigators::Alert;
using investigators::AlertStatus;

std::string labels_json(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return json::serialize(o);
}

}  // namespace

AlertIntake::AlertIntake(store::Store& store, slack::WebApi& api, const Config& config,
                         const investigators::SourceRegistry& sources, Clock& clock, Wakeup& worker_wakeup)
    : store_(store), api_(api), config_(config), sources_(sources), clock_(clock), wakeup_(worker_wakeup) {}

std::string AlertIntake::incident_key(const Alert& alert, const std::string& channel) {
  // Always per channel: the same alert sent to two channels is two threads, and an untrusted
  // group key cannot pose as another channel's service key.
  if (!alert.service.empty()) return channel + "|service:" + alert.service;
  if (!alert.group_key.empty()) return channel + "|group:" + alert.group_key;
  return channel + "|fingerprint:" + alert.fingerprint;
}

awaitable<Result<void>> AlertIntake::record(store::AlertRow row, std::optional<store::Id> group_id) {
  row.group_id = group_id;
  auto id = co_await store_.add_alert(std::move(row));
  if (!id) co_return id.error();
  co_return Result<void>();
}

awaitable<Result<void>> AlertIntake::on_alert(Alert alert, AlertOrigin origin) {
  const std::string key = incident_key(alert, origin.channel);
  store::AlertRow row;
  row.source = alert.source;
  row.name = alert.name;
  row.status = investigators::to_string(alert.status);
  row.severity = alert.severity;
  row.service = alert.service;
  row.fingerprint = alert.fingerprint;
  row.group_key = key;
  row.labels_json = labels_json(alert.labels);
  row.annotations_json = labels_json(alert.annotations);
  row.starts_at = alert.starts_at;
  row.ends_at = alert.ends_at;
  row.event_key = origin.event_key;
  const std::optional<store::Id> no_group;  // named: no conversions inside co_await operands

  const auto now = clock_.system_now();
  auto group = co_await store_.find_open_group(key);
  if (!group) co_return group.error();
  bool went_stale = false;
  if (*group && (*group)->last_seen < now - kIncidentWindow) {
    // Quiet for too long: that incident is over (and is never reopened); this alert starts anew.
    if (auto r = co_await store_.close_group((*group)->id); !r) co_return r.error();
    forget_counter((*group)->id);
    group->reset();
    went_stale = true;
  }
  if (alert.status == AlertStatus::Resolved) {
    if (!*group) co_return co_await record(std::move(row), no_group);  // a resolved we never saw fire
    const std::optional<store::Id> in_group = (*group)->id;
    if (auto r = co_await record(std::move(row), in_group); !r) co_return r;
    co_return co_await resolved(alert, **group);
  }
  if (*group) {
    const std::optional<store::Id> in_group = (*group)->id;
    if (auto r = co_await record(std::move(row), in_group); !r) co_return r;
    co_return co_await repeat(alert, **group, false);
  }
  if (!went_stale) {
    // Fired again soon after its incident resolved: back to that thread, no new investigation.
    auto reopened = co_await store_.reopen_group(key, now - kFlapWindow);
    if (!reopened && reopened.error().code != Errc::Conflict) co_return reopened.error();
    std::optional<store::AlertGroupRow> back;
    if (reopened && *reopened) {
      back = **reopened;
    } else if (!reopened) {  // another notification reopened or opened it a moment ago
      auto open = co_await store_.find_open_group(key);
      if (!open) co_return open.error();
      back = *open;
    }
    if (back) {
      const std::optional<store::Id> in_group = back->id;
      if (auto r = co_await record(std::move(row), in_group); !r) co_return r;
      const bool flapping = reopened.has_value();
      co_return co_await repeat(alert, *back, flapping);
    }
  }
  if (std::string why = co_await gated(alert, origin.channel); !why.empty()) {
    spdlog::info("alert {} on {} recorded, not investigated: {}", alert.name, alert.service.empty() ? "?" : alert.service, why);
    co_return co_await record(std::move(row), no_group);
  }
  co_return co_await open_incident(std::move(alert), std::move(row), origin);
}

awaitable<std::string> AlertIntake::gated(const Alert& alert, const std::string& channel) {
  std::string severity = alert.severity;
  std::transform(severity.begin(), severity.end(), severity.begin(), [](unsigned char c) { return std::tolower(c); });
  if (const ChannelSettings* ch = config_.channel(channel)) {
    auto listed = [&](const std::vector<std::string>& list) {
      return std::find(list.begin(), list.end(), severity) != list.end();
    };
    if (!ch->severities.empty() && !listed(ch->severities)) co_return "severity '" + severity + "' is not investigated in this channel";
    if (ch->quiet_hours) {
      auto since_midnight = clock_.system_now().time_since_epoch() % std::chrono::hours(24);
      int minute = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(since_midnight).count());
      if (ch->quiet_hours->contains(minute) && !listed(ch->quiet_severities)) co_return "quiet hours";
    }
  }
  if (!alert.service.empty()) {
    auto silence = co_await store_.active_silence(alert.service, clock_.system_now());
    if (silence && *silence) co_return "silenced until " + format_rfc3339((*silence)->until, false) + " by " + (*silence)->created_by;
  }
  co_return std::string();
}

AlertIntake::Counter& AlertIntake::counter_of(const store::AlertGroupRow& group) {
  Counter& c = counters_[group.id];
  c.group_key = group.group_key;
  c.channel = group.channel;
  c.thread_ts = group.thread_ts;
  if (c.counter_ts.empty()) c.counter_ts = group.counter_ts;
  c.notifications = std::max(c.notifications, group.alert_count);
  return c;
}

awaitable<Result<void>> AlertIntake::repeat(const Alert& alert, const store::AlertGroupRow& group, bool reopened) {
  store::AlertGroupRow touched = group;
  if (!reopened) {  // reopen_group already counted it
    auto t = co_await store_.touch_group(group.id);
    if (!t) co_return t.error();
    touched = std::move(*t);
  }
  spdlog::info("alert {} counted in open group {} ({} notifications)", alert.name, touched.id, touched.alert_count);
  // A hook incident whose card never made it (a crash in between): count it, post nowhere.
  if (touched.thread_ts.empty()) co_return Result<void>();
  bool flapping = reopened;
  if (!flapping && !alert.fingerprint.empty()) {
    auto resolutions = co_await store_.count_resolutions(alert.fingerprint, clock_.system_now() - kFlapWindow);
    flapping = resolutions && *resolutions >= 2;
  }
  Counter& c = counter_of(touched);  // no co_await below: the reference stays valid
  if (c.names.size() < kMaxCounterNames) c.names.insert(alert.name);
  if (flapping) c.flapping = alert.name;
  if (reopened) c.still_firing = -1;
  c.closed = false;
  c.dirty = true;
  co_return Result<void>();
}

awaitable<Result<void>> AlertIntake::resolved(const Alert& alert, const store::AlertGroupRow& group) {
  auto touched = co_await store_.touch_group(group.id);
  if (!touched) co_return touched.error();
  // Counted and closed in one transaction: two resolved notifications at once close it once.
  auto firing = co_await store_.close_if_resolved(group.id);
  if (!firing) co_return firing.error();
  if (!touched->thread_ts.empty()) {
    Counter& c = counter_of(*touched);
    if (c.names.size() < kMaxCounterNames) c.names.insert(alert.name);
    c.still_firing = std::max<std::int64_t>(*firing, 0);
    c.closed = *firing <= 0;
    if (c.closed) c.closed_at = clock_.system_now();
    c.dirty = true;
  }
  if (*firing != 0 || touched->thread_ts.empty()) co_return Result<void>();  // still firing, or closed by another
  auto open_for = std::chrono::duration_cast<std::chrono::minutes>(clock_.system_now() - group.first_seen);
  auto posted = co_await api_.post_message(touched->channel, resolved_message(alert, open_for), touched->thread_ts);
  if (!posted) co_return posted.error();
  co_return Result<void>();
}

// The counter may be forgotten while this waits on the store: it is looked up after every
// co_await, never held.
awaitable<Result<bool>> AlertIntake::claim_counter(store::Id id) {
  auto it = counters_.find(id);
  if (it == counters_.end()) co_return false;
  if (it->second.claimed) co_return true;
  const std::string key = it->second.group_key;
  const store::InboundEvent claim{"intake", "counter:" + std::to_string(id), kCounterClaimKind, ""};
  auto stored = co_await store_.record_event(claim);
  if (!stored) co_return stored.error();
  if (*stored) {
    const std::string note = "counter claim";
    (void)co_await store_.set_event_status(claim.dedupe_key, store::EventStatus::Processed, note);
    it = counters_.find(id);
    if (it == counters_.end()) co_return false;
    it->second.claimed = true;
    co_return true;
  }
  auto open = co_await store_.find_open_group(key);
  if (!open) co_return open.error();
  it = counters_.find(id);
  if (it != counters_.end() && *open && (*open)->id == id && it->second.counter_ts.empty()) {
    it->second.counter_ts = (*open)->counter_ts;
  }
  co_return false;
}

void AlertIntake::forget_counter(store::Id group_id) {
  auto it = counters_.find(group_id);
  if (it != counters_.end() && !it->second.dirty) counters_.erase(it);
  else if (it != counters_.end()) {
    it->second.closed = true;
    it->second.closed_at = store::Time{};  // never reopened: forgotten at the next flush
  }
}

awaitable<void> AlertIntake::run_counters(Wakeup& wakeup) {
  const std::chrono::milliseconds every = kCounterEvery;  // named: no conversion inside the co_await
  while (!stopping_) {
    if (!co_await wakeup.wait(every)) break;
    co_await flush_counters();
  }
  co_await flush_counters();  // what changed since the last tick
}

void AlertIntake::stop() { stopping_ = true; }

awaitable<void> AlertIntake::flush_counters() {
  std::vector<store::Id> dirty;
  for (auto it = counters_.begin(); it != counters_.end();) {
    if (it->second.dirty) dirty.push_back(it->first);
    // A closed incident's counter is kept while the incident may still reopen (flapping), so a
    // reopen updates the same message; then it is forgotten.
    const bool done = it->second.closed && !it->second.dirty && it->second.closed_at < clock_.system_now() - kFlapWindow;
    it = done ? counters_.erase(it) : std::next(it);
  }
  // A few per tick, the longest waiting first: in a storm the counters share chat.update's
  // budget (Tier 3) fairly and leave room for the reports.
  std::sort(dirty.begin(), dirty.end(), [&](store::Id a, store::Id b) {
    return std::pair(counters_[a].shown, a) < std::pair(counters_[b].shown, b);
  });
  if (dirty.size() > kCountersPerTick) dirty.resize(kCountersPerTick);
  for (store::Id id : dirty) {
    auto it = counters_.find(id);
    if (it == counters_.end()) continue;
    Counter& c = it->second;
    c.dirty = false;
    c.shown = ++shown_seq_;
    std::vector<std::string> names(c.names.begin(), c.names.end());
    auto content = counter_message(names, c.notifications, c.still_firing, c.flapping);
    const std::string channel = c.channel, thread_ts = c.thread_ts;
    std::string counter_ts = c.counter_ts;
    if (counter_ts.empty()) {
      auto mine = co_await claim_counter(id);
      it = counters_.find(id);
      if (it == counters_.end()) continue;
      if (!mine) {
        spdlog::warn("group {}: counter not claimed: {}", id, mine.error().describe());
        it->second.dirty = true;  // next tick
        continue;
      }
      counter_ts = it->second.counter_ts;  // another replica's message, once it recorded it
    }
    if (counter_ts.empty() && !it->second.claimed) {
      // Another replica is posting it: update that message at a later tick.
      it->second.dirty = ++it->second.waited < kMaxCounterWaits;
      continue;
    }
    if (counter_ts.empty()) {
      auto posted = co_await api_.post_message(channel, content, thread_ts);
      if (!posted) {
        spdlog::warn("group {}: counter not posted: {}", id, posted.error().describe());
        it = counters_.find(id);
        if (it != counters_.end()) it->second.dirty = true;  // next tick
        continue;
      }
      it = counters_.find(id);
      if (it != counters_.end()) it->second.counter_ts = posted->ts;
      if (auto r = co_await store_.set_group_counter(id, posted->ts); !r) {
        spdlog::warn("group {}: counter posted but not recorded: {}", id, r.error().describe());
      }
    } else if (auto r = co_await api_.update_message(channel, counter_ts, content); !r) {
      spdlog::warn("group {}: counter not updated: {}", id, r.error().describe());
    }
  }
}

awaitable<Result<void>> AlertIntake::open_incident(Alert alert, store::AlertRow row, const AlertOrigin& given) {
  AlertOrigin origin = given;
  const bool needs_card = origin.ts.empty();  // an alert from a hook: no message yet
  const std::string key = incident_key(alert, origin.channel);
  store::AlertGroupRow g;
  g.group_key = key;
  g.service = alert.service;
  g.channel = origin.channel;
  g.thread_ts = origin.ts;
  auto group = co_await store_.create_group(g);
  if (!group && group.error().code == Errc::Conflict) {
    // Another notification of the same group opened it a moment ago: this one is a repeat.
    auto open = co_await store_.find_open_group(key);
    if (!open) co_return open.error();
    if (*open) {
      const std::optional<store::Id> in_group = (*open)->id;
      if (auto r = co_await record(std::move(row), in_group); !r) co_return r;
      co_return co_await repeat(alert, **open, false);
    }
  }
  if (!group) co_return group.error();
  {
    const std::optional<store::Id> in_group = group->id;
    if (auto r = co_await record(std::move(row), in_group); !r) {
      (void)co_await store_.close_group(group->id);
      co_return r;
    }
  }

  // From here a failure closes the group again, so that a retry opens a fresh incident instead
  // of taking the next notification for a repeat of one that was never investigated.
  auto abandon = [&](Error e) -> awaitable<Result<void>> {
    if (auto r = co_await store_.close_group(group->id); !r) {
      spdlog::error("group {}: could not close after a failed intake: {}", group->id, r.error().describe());
    }
    co_return e;
  };
  store::InvestigationRow inv;
  inv.group_id = group->id;
  inv.service = alert.service;
  inv.trigger = "alert";
  auto id = co_await store_.create_investigation(inv);
  if (!id) co_return co_await abandon(id.error());
  if (needs_card) {
    // Posted once the incident is stored (a concurrent notification of the group found it and
    // counted as a repeat instead of posting a second card), then recorded as the thread.
    const slack::MessageContent card = alert_card_message(alert);
    const std::string top_level;
    auto card_posted = co_await api_.post_message(origin.channel, card, top_level);
    if (!card_posted) co_return co_await abandon(card_posted.error());
    origin.ts = card_posted->ts;
    const std::string channel = origin.channel, ts = origin.ts;
    if (auto r = co_await store_.set_group_thread(group->id, channel, ts); !r) co_return co_await abandon(r.error());
  }

  const auto received = origin.received_at > std::chrono::system_clock::time_point{} ? origin.received_at : clock_.system_now();
  const std::optional<std::chrono::milliseconds> default_window;  // named: no conversion in the co_await
  auto queued = co_await queue_investigation(*id, alert, origin.channel, origin.ts, received, default_window);
  if (!queued) co_return co_await abandon(queued.error());
  spdlog::info("investigation {} opened for {} on {} ({} in {})", *id, alert.name, alert.service.empty() ? "?" : alert.service,
               origin.ts, origin.channel);
  co_return Result<void>();
}

awaitable<Result<void>> AlertIntake::queue_investigation(store::Id id, const Alert& alert, std::string channel,
                                                         std::string thread_ts, store::Time received,
                                                         std::optional<std::chrono::milliseconds> window) {
  // The placeholder goes up (and is recorded) before the job exists, so the worker always finds
  // the message to update.
  std::vector<std::string> checking;
  if (const auto* svc = config_.service(alert.service)) {
    for (const auto& s : sources_.create_for(*svc)) checking.push_back(s->name());
  }
  // Recorded as being posted first: after a crash right after the post, the worker finds the
  // message by its marker instead of posting a second one (bot/report_marker.hpp).
  const store::ReportRow intent{id, channel, thread_ts, "", "posting", {}};
  if (auto r = co_await store_.put_report(intent); !r) {
    spdlog::warn("investigation {}: placeholder intent not recorded: {}", id, r.error().describe());
  }
  const slack::MessageContent placeholder = with_report_marker(placeholder_message(alert, alert.service, checking), id);
  auto posted = co_await api_.post_message(channel, placeholder, thread_ts);
  if (posted) {
    store::ReportRow report{id, channel, thread_ts, posted->ts, "placeholder", {}};
    if (auto r = co_await store_.put_report(report); !r) {
      spdlog::warn("investigation {}: placeholder posted but not recorded: {}", id, r.error().describe());
    }
    if (auto r = co_await store_.set_first_reply(id, clock_.system_now()); !r) {
      spdlog::debug("investigation {}: first reply time not recorded: {}", id, r.error().describe());
    }
  } else {
    // The job still runs; the worker then posts the report as a new reply.
    spdlog::warn("investigation {}: placeholder not posted: {}", id, posted.error().describe());
  }
  json::object payload{{"investigation_id", id},
                       {"service", alert.service},
                       {"channel", channel},
                       {"thread_ts", thread_ts},
                       {"received_at_ms",
                        std::chrono::duration_cast<std::chrono::milliseconds>(received.time_since_epoch()).count()},
                       {"alert", to_alert_json(alert)}};
  if (window) payload["window_ms"] = window->count();
  auto job = co_await store_.enqueue_job("investigate", json::serialize(payload));
  if (!job) co_return job.error();
  wakeup_.notify();
  co_return Result<void>();
}

awaitable<Result<store::Id>> AlertIntake::on_request(OnDemand request) {
  Alert alert;
  alert.source = "command";
  alert.name = "on-demand: " + request.service + " (last " + format_duration(request.window) + ")";
  alert.service = request.service;
  alert.status = AlertStatus::Firing;
  alert.starts_at = clock_.system_now();
  alert.fingerprint = "on-demand";
  alert.labels["service"] = request.service;
  if (!request.trace_id.empty()) alert.annotations["trace_id"] = request.trace_id;
  store::InvestigationRow inv;
  inv.service = request.service;
  inv.trigger = request.trigger;
  inv.requested_by = request.user;
  auto id = co_await store_.create_investigation(inv);
  if (!id) co_return id.error();
  std::string thread = request.thread_ts;
  if (thread.empty()) {
    auto parent = co_await api_.post_message(request.channel, on_demand_message(request.service, request.window, request.trace_id,
                                                                                request.user),
                                             std::string());
    if (!parent) co_return parent.error();
    thread = parent->ts;
  }
  const std::optional<std::chrono::milliseconds> window = request.window;
  const store::Time now = clock_.system_now();
  auto queued = co_await queue_investigation(*id, alert, request.channel, thread, now, window);
  if (!queued) co_return queued.error();
  spdlog::info("investigation {} requested by {} for {} over {}", *id, request.user, request.service, format_duration(request.window));
  co_return *id;
}

awaitable<Result<store::Id>> AlertIntake::on_rerun(store::Id previous, std::string user) {
  auto inv = co_await store_.get_investigation(previous);
  if (!inv) co_return inv.error();
  if (!*inv || (*inv)->report_json.empty()) co_return fail(Errc::NotFound, "investigation " + std::to_string(previous) + " has no report yet");
  auto where = co_await store_.get_report(previous);
  if (!where) co_return where.error();
  if (!*where) co_return fail(Errc::NotFound, "investigation " + std::to_string(previous) + " has no thread");
  json::error_code ec;
  json::value report = json::parse((*inv)->report_json, ec);
  if (ec || !report.is_object()) co_return fail(Errc::ParseError, "investigation " + std::to_string(previous) + ": unreadable report");
  Alert alert;
  if (const json::value* a = report.as_object().if_contains("alert"); a && a->is_object()) {
    auto parsed = from_alert_json(*a);
    if (!parsed) co_return parsed.error();
    alert = std::move(*parsed);
  } else {
    alert.source = "command";
    alert.name = "on-demand: " + (*inv)->service;
    alert.service = (*inv)->service;
    alert.status = AlertStatus::Firing;
    alert.starts_at = clock_.system_now();
  }
  // Three times the window it looked at, up to 24 h.
  std::chrono::milliseconds window = std::chrono::hours(1);
  if (const json::value* w = report.as_object().if_contains("window"); w && w->is_object()) {
    auto start = w->as_object().if_contains("start"), end = w->as_object().if_contains("end");
    if (start && end && start->is_string() && end->is_string()) {
      auto s = parse_rfc3339(std::string(start->get_string())), e = parse_rfc3339(std::string(end->get_string()));
      if (s && e && *e > *s) window = std::chrono::duration_cast<std::chrono::milliseconds>(*e - *s);
    }
  }
  window = std::min<std::chrono::milliseconds>(window * 3, std::chrono::hours(24));
  store::InvestigationRow row;
  row.group_id = (*inv)->group_id;
  row.service = (*inv)->service;
  row.trigger = "rerun";
  row.requested_by = user;
  auto id = co_await store_.create_investigation(row);
  if (!id) co_return id.error();
  const std::optional<std::chrono::milliseconds> wider = window;
  const store::Time now = clock_.system_now();
  auto queued = co_await queue_investigation(*id, alert, (*where)->channel, (*where)->thread_ts, now, wider);
  if (!queued) co_return queued.error();
  spdlog::info("investigation {}: re-run of {} by {} over {}", *id, previous, user, format_duration(window));
  co_return *id;
}

awaitable<Result<void>> AlertIntake::tell(std::string channel, std::string user, slack::MessageContent content) {
  auto r = co_await api_.post_ephemeral(std::move(channel), std::move(user), std::move(content));
  if (!r) co_return r.error();
  co_return Result<void>();
}

awaitable<Result<void>> AlertIntake::on_unreadable(AlertOrigin origin, std::string reason) {
  auto posted = co_await api_.post_message(origin.channel, unreadable_alert_message(reason), origin.ts);
  if (!posted) co_return posted.error();
  co_return Result<void>();
}

awaitable<Result<void>> AlertIntake::on_followup(FollowupRequest request) {
  auto job = co_await store_.enqueue_job(kFollowupJob, followup_payload(request));
  if (!job) co_return job.error();
  wakeup_.notify();
  spdlog::info("investigation {}: follow-up question queued (job {})", request.investigation_id, *job);
  co_return Result<void>();
}

}  // namespace alertbot::bot
