#include "bot/intake.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bot/alert_json.hpp"
#include "bot/config.hpp"
#include "bot/report_blocks.hpp"
#include "bot/wakeup.hpp"
#include "bot/followup.hpp"
#include "investigators/source_registry.hpp"
#include "net/clock.hpp"
#include "slack/web_api.hpp"
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

awaitable<Result<void>> AlertIntake::on_alert(Alert alert, AlertOrigin origin) {
  store::AlertRow row;
  row.source = alert.source;
  row.name = alert.name;
  row.status = investigators::to_string(alert.status);
  row.severity = alert.severity;
  row.service = alert.service;
  row.fingerprint = alert.fingerprint;
  row.group_key = alert.group_key;
  row.labels_json = labels_json(alert.labels);
  row.annotations_json = labels_json(alert.annotations);
  row.starts_at = alert.starts_at;
  row.ends_at = alert.ends_at;
  row.event_key = origin.event_key;
  if (auto r = co_await store_.add_alert(row); !r) co_return r.error();

  auto group = co_await store_.find_open_group(alert.group_key);
  if (!group) co_return group.error();
  if (alert.status == AlertStatus::Resolved) {
    if (!*group) co_return Result<void>();  // resolved without a firing we saw: nothing to close
    if (auto r = co_await store_.close_group((*group)->id); !r) co_return r.error();
    auto open_for = std::chrono::duration_cast<std::chrono::minutes>(clock_.system_now() - (*group)->first_seen);
    auto posted = co_await api_.post_message((*group)->channel, resolved_message(alert, open_for), (*group)->thread_ts);
    if (!posted) co_return posted.error();
    co_return Result<void>();
  }
  if (*group) co_return co_await repeat(alert, **group);
  co_return co_await open_incident(std::move(alert), origin);
}

awaitable<Result<void>> AlertIntake::repeat(const Alert& alert, const store::AlertGroupRow& group) {
  auto touched = co_await store_.touch_group(group.id);
  if (!touched) co_return touched.error();
  spdlog::info("alert {} repeats in open group {} ({} notifications)", alert.name, touched->id, touched->alert_count);
  // A hook incident whose card never made it (a crash in between): count it, post nowhere.
  if (touched->thread_ts.empty()) co_return Result<void>();
  auto posted = co_await api_.post_message(touched->channel, repeat_message(alert, touched->alert_count), touched->thread_ts);
  if (!posted) co_return posted.error();
  co_return Result<void>();
}

awaitable<Result<void>> AlertIntake::open_incident(Alert alert, const AlertOrigin& given) {
  AlertOrigin origin = given;
  const bool needs_card = origin.ts.empty();  // an alert from a hook: no message yet
  store::AlertGroupRow g;
  g.group_key = alert.group_key;
  g.service = alert.service;
  g.channel = origin.channel;
  g.thread_ts = origin.ts;
  auto group = co_await store_.create_group(g);
  if (!group && group.error().code == Errc::Conflict) {
    // Another notification of the same group opened it a moment ago: this one is a repeat.
    auto open = co_await store_.find_open_group(alert.group_key);
    if (!open) co_return open.error();
    if (*open) co_return co_await repeat(alert, **open);
  }
  if (!group) co_return group.error();

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

  // The placeholder goes up (and is recorded) before the job exists, so the worker always finds
  // the message to update.
  std::vector<std::string> checking;
  if (const auto* svc = config_.service(alert.service)) {
    for (const auto& s : sources_.create_for(*svc)) checking.push_back(s->name());
  }
  auto posted = co_await api_.post_message(origin.channel, placeholder_message(alert, alert.service, checking), origin.ts);
  if (posted) {
    store::ReportRow report{*id, origin.channel, origin.ts, posted->ts, "placeholder", {}};
    if (auto r = co_await store_.put_report(report); !r) {
      spdlog::warn("investigation {}: placeholder posted but not recorded: {}", *id, r.error().describe());
    }
  } else {
    // The job still runs; the worker then posts the report as a new reply.
    spdlog::warn("investigation {}: placeholder not posted: {}", *id, posted.error().describe());
  }

  const auto received = origin.received_at > std::chrono::system_clock::time_point{} ? origin.received_at : clock_.system_now();
  json::object payload{{"investigation_id", *id},
                       {"service", alert.service},
                       {"channel", origin.channel},
                       {"thread_ts", origin.ts},
                       {"received_at_ms",
                        std::chrono::duration_cast<std::chrono::milliseconds>(received.time_since_epoch()).count()},
                       {"alert", to_alert_json(alert)}};
  auto job = co_await store_.enqueue_job("investigate", json::serialize(payload));
  if (!job) co_return co_await abandon(job.error());
  wakeup_.notify();
  spdlog::info("investigation {} opened for {} on {} ({} in {})", *id, alert.name, alert.service.empty() ? "?" : alert.service,
               origin.ts, origin.channel);
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
