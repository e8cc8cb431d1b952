#include "bot/commands.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <spdlog/spdlog.h>

#include "bot/config.hpp"
#include "bot/digest.hpp"
#include "bot/digest_render.hpp"
#include "bot/time_zone.hpp"
#include "bot/intake.hpp"
#include "investigators/source_registry.hpp"
#include "net/clock.hpp"
#include "net/duration.hpp"
#include "net/time_format.hpp"
#include "slack/block_kit.hpp"
#include "slack/envelope.hpp"
#include "slack/interactions.hpp"
#include "slack/mrkdwn.hpp"
#include "slack/web_api.hpp"
#include "store/store.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using slack::escape;
using store::EventStatus;

std::vector<std::string> service_names(const Config& config) {
  std::vector<std::string> out;
  for (const auto& s : config.services) out.push_back(s.name);
  return out;
}

std::string ephemeral(const std::string& text) {
  return json::serialize(json::object{{"response_type", "ephemeral"}, {"text", text}});
}

std::string listed(const std::vector<std::string>& items, const char* anyone) {
  if (std::find(items.begin(), items.end(), "*") != items.end()) return anyone;
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < 10; ++i) out += (i ? ", " : "") + ("`" + escape(items[i]) + "`");
  return out.empty() ? "nobody" : out;
}

std::optional<store::Id> id_of(std::string_view text) {
  store::Id id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || id <= 0) return std::nullopt;
  if (p != text.data() + text.size() && *p != ':') return std::nullopt;
  return id;
}

// The causes' titles of a stored report (for "which one was wrong?").
std::vector<std::string> cause_titles(const std::string& report_json) {
  std::vector<std::string> out;
  json::error_code ec;
  json::value v = json::parse(report_json, ec);
  if (ec || !v.is_object()) return out;
  const json::value* causes = v.as_object().if_contains("causes");
  if (!causes || !causes->is_array()) return out;
  for (const auto& c : causes->as_array()) {
    const json::value* t = c.is_object() ? c.as_object().if_contains("title") : nullptr;
    if (t && t->is_string()) out.emplace_back(t->get_string());
  }
  return out;
}

std::string top_cause(const std::string& report_json) {
  auto titles = cause_titles(report_json);
  return titles.empty() ? std::string() : titles.front();
}

// Commands that start work count against commands.rate_limit; help and status do not.
bool counts_against_limit(const CommandRequest& req) {
  return req.error.empty() && !req.name.empty() && req.name != "help" && req.name != "status";
}

// What names one slash command from its ack to its run: Slack's trigger id.
std::string command_key(const slack::SlashCommand& c) {
  return c.trigger_id.empty() ? c.user_id + "\n" + c.channel_id + "\n" + c.command + " " + c.text : c.trigger_id;
}

// Acks answered before run() takes their verdict: far more than can be between an ack and its run.
constexpr std::size_t kRememberedVerdicts = 4096;

const char* status_text_of(store::InvestigationStatus s) {
  switch (s) {
    case store::InvestigationStatus::Queued: return "queued";
    case store::InvestigationStatus::Running: return "running";
    case store::InvestigationStatus::Done: return "done";
    case store::InvestigationStatus::Failed: return "failed";
  }
  return "?";
}

}  // namespace

std::string command_refusal(const Config& config, const std::string& name, const std::string& user,
                            const std::string& channel) {
  if (name == "help") return {};
  const CommandRule& rule = config.commands.rule(name);
  if (rule.allows(user, channel)) return {};
  return ":no_entry: You can't run `" + name + "` here: it is allowed for " + listed(rule.users, "everyone") + " in " +
         listed(rule.channels, "every channel") + " (`commands." + name + "` in the bot's config).";
}

Commands::Commands(store::Store& store, slack::WebApi& api, const Config& config, AlertIntake& intake,
                   const investigators::SourceRegistry& sources, Clock& clock)
    : limiter_(config.commands.rate_limit, clock),
      store_(store),
      api_(api),
      config_(config),
      intake_(intake),
      sources_(sources),
      clock_(clock) {}

std::string Commands::ack(const slack::SlashCommand& c) {
  CommandRequest req = parse_command(c.command, c.text, service_names(config_));
  if (!counts_against_limit(req) || !refusal(req.name, c.user_id, c.channel_id).empty()) return ack_payload(config_, c);
  const CommandLimiter::Verdict verdict = limiter_.admit(c.user_id, c.channel_id);
  {
    std::lock_guard lock(verdicts_mutex_);
    const std::string key = command_key(c);
    if (verdicts_.insert_or_assign(key, verdict).second) verdict_order_.push_back(key);
    if (verdict_order_.size() > kRememberedVerdicts) {
      verdicts_.erase(verdict_order_.front());
      verdict_order_.pop_front();
    }
  }
  if (!verdict.allowed) return ephemeral(rate_limit_refusal(verdict, limiter_.limits()));
  return ack_payload(config_, c);
}

std::optional<CommandLimiter::Verdict> Commands::take_ack_verdict(const slack::SlashCommand& c) {
  std::lock_guard lock(verdicts_mutex_);
  auto it = verdicts_.find(command_key(c));
  if (it == verdicts_.end()) return std::nullopt;
  CommandLimiter::Verdict verdict = it->second;
  verdicts_.erase(it);  // its key leaves verdict_order_ when it comes to the front
  return verdict;
}

std::string Commands::admit_work(const std::string& user, const std::string& channel) {
  const CommandLimiter::Verdict verdict = limiter_.admit(user, channel);
  return verdict.allowed ? std::string() : rate_limit_refusal(verdict, limiter_.limits());
}

std::string Commands::ack_payload(const Config& config, const slack::SlashCommand& c) {
  CommandRequest req = parse_command(c.command, c.text, service_names(config));
  if (req.name == "help") return ephemeral(command_help());
  if (!req.error.empty()) return ephemeral(":thinking_face: " + req.error);
  if (std::string no = command_refusal(config, req.name, c.user_id, c.channel_id); !no.empty()) return ephemeral(no);
  if (req.name == "investigate") {
    return ephemeral(":mag: On it: investigating *" + escape(req.service) + "* over the last " + format_duration(req.window) +
                     ". The report comes in a thread in this channel.");
  }
  if (req.name == "silence") {
    return ephemeral(":zipper_mouth_face: Silencing *" + escape(req.service) + "* for " + format_duration(req.duration) + ".");
  }
  return ephemeral(":hourglass_flowing_sand: On it.");
}

std::string Commands::refusal(const std::string& name, const std::string& user, const std::string& channel) const {
  return command_refusal(config_, name, user, channel);
}

awaitable<void> Commands::tell(const std::string& channel, const std::string& user, std::string text) {
  slack::BlockKit b;
  b.section(text);
  slack::MessageContent content{text, b.json()};
  auto r = co_await api_.post_ephemeral(channel, user, std::move(content));
  if (!r) spdlog::warn("command: could not answer {} in {}: {}", user, channel, r.error().describe());
}

awaitable<EventStatus> Commands::run(const slack::SlashCommand& c, std::string& note) {
  CommandRequest req = parse_command(c.command, c.text, service_names(config_));
  note = c.command + " " + (req.name.empty() ? "?" : req.name);
  // The ack already said it: help, usage errors and refusals need nothing more.
  if (req.name == "help" || !req.error.empty() || !refusal(req.name, c.user_id, c.channel_id).empty()) {
    co_return EventStatus::Processed;
  }
  if (counts_against_limit(req)) {
    // Counted in its ack; a command replayed after a restart (its ack given by the process
    // before) is counted now, and told here since no ack can say it any more.
    const std::optional<CommandLimiter::Verdict> acked = take_ack_verdict(c);
    CommandLimiter::Verdict verdict;
    if (acked) {
      verdict = *acked;
    } else {
      verdict = limiter_.admit(c.user_id, c.channel_id);
    }
    if (!verdict.allowed) {
      note += ": rate limited";
      if (!acked) {
        std::string text = rate_limit_refusal(verdict, limiter_.limits());
        co_await tell(c.channel_id, c.user_id, std::move(text));
      }
      co_return EventStatus::Processed;
    }
  }
  if (req.name == "investigate") {
    OnDemand od{req.service, req.window, req.trace_id, c.channel_id, "", c.user_id, "command"};
    auto id = co_await intake_.on_request(std::move(od));
    if (!id) {
      note += ": " + id.error().describe();
      co_await tell(c.channel_id, c.user_id, ":warning: I could not start the investigation: " + escape(id.error().message));
      co_return id.error().code == Errc::InvalidArgument ? EventStatus::Rejected : EventStatus::Received;
    }
    note += " -> investigation " + std::to_string(*id);
    co_return EventStatus::Processed;
  }
  if (req.name == "silence") {
    store::SilenceRow s{0, req.service, clock_.system_now() + req.duration, c.user_id, req.reason};
    auto id = co_await store_.add_silence(s);
    if (!id) co_return EventStatus::Received;
    co_await tell(c.channel_id, c.user_id,
                  ":zipper_mouth_face: *" + escape(req.service) + "* is silenced until " +
                      format_rfc3339(s.until, false).substr(0, 16) + " UTC: its alerts are recorded, not investigated.");
    co_return EventStatus::Processed;
  }
  if (req.name == "status") {
    std::string text = co_await status_text();
    co_await tell(c.channel_id, c.user_id, std::move(text));
    co_return EventStatus::Processed;
  }
  if (req.name == "deploys") {
    std::string text = co_await deploys_text(req.service);
    co_await tell(c.channel_id, c.user_id, std::move(text));
    co_return EventStatus::Processed;
  }
  if (req.name == "digest") {
    // The last 7 days, for the one who asked (the weekly post goes to digest.channel).
    TimeZone zone = TimeZone::utc();
    if (config_.has_digest) {
      if (auto z = TimeZone::load(config_.digest.timezone)) zone = std::move(*z);
    }
    DigestWindow window = days_window(clock_.system_now(), zone);
    auto data = co_await store_.digest_data(window.from, window.to);
    if (!data) {
      co_await tell(c.channel_id, c.user_id, ":warning: The digest is not available: " + escape(data.error().message));
      co_return EventStatus::Processed;
    }
    auto content = digest_message(compute_digest(*data, window));
    auto r = co_await api_.post_ephemeral(c.channel_id, c.user_id, std::move(content));
    if (!r) spdlog::warn("digest for {}: not shown: {}", c.user_id, r.error().describe());
    co_return EventStatus::Processed;
  }
  co_return EventStatus::Ignored;
}

awaitable<std::string> Commands::status_text() {
  std::string text = "*Alertbot status*";
  if (auto pending = co_await store_.pending_jobs()) text += "\n• " + std::to_string(*pending) + " job(s) queued or running";
  auto recent = co_await store_.recent_investigations(8);
  if (!recent) co_return text + "\n• recent investigations unavailable: " + escape(recent.error().message);
  if (recent->empty()) co_return text + "\n• no investigations yet";
  text += "\n*Recent investigations*";
  for (const auto& inv : *recent) {
    std::string cause = top_cause(inv.report_json);
    text += "\n• #" + std::to_string(inv.id) + " " + escape(inv.service.empty() ? "?" : inv.service) + " · " +
            status_text_of(inv.status) + " · " + format_rfc3339(inv.created_at, false).substr(11, 5) + " UTC" +
            (cause.empty() ? "" : " · " + escape(cause));
  }
  co_return text;
}

awaitable<std::string> Commands::deploys_text(const std::string& service) {
  const auto* settings = config_.service(service);
  if (!settings) co_return "`" + escape(service) + "` is not a configured service.";
  const auto now = clock_.system_now();
  investigators::Query q{service, settings, nullptr, now - std::chrono::hours(24 * 7), now};
  std::vector<investigators::DeployEvent> deploys;
  std::vector<std::string> trouble;
  for (auto& source : sources_.create_for(*settings)) {
    if (source->kind() != investigators::SourceKind::Deploys) continue;
    auto data = co_await source->fetch(q);
    if (!data) {
      trouble.push_back(source->name() + ": " + data.error().message);
      continue;
    }
    for (auto& d : data->deploys) deploys.push_back(std::move(d));
  }
  std::sort(deploys.begin(), deploys.end(), [](const auto& a, const auto& b) { return a.at > b.at; });
  std::string text = "*Deploys of " + escape(service) + " in the last 7 days*";
  if (deploys.empty()) text += "\nnone found";
  for (std::size_t i = 0; i < deploys.size() && i < 10; ++i) {
    const auto& d = deploys[i];
    text += "\n• " + format_rfc3339(d.at, false).substr(0, 16) + " UTC · `" + escape(d.id) + "` " + escape(d.version) +
            (d.previous_version.empty() ? "" : " (from " + escape(d.previous_version) + ")") +
            (d.author.empty() ? "" : " by " + escape(d.author));
  }
  for (const auto& t : trouble) text += "\n:warning: " + escape(t);
  co_return text;
}

awaitable<EventStatus> Commands::on_mention(const slack::MessageEvent& ev, std::string text, std::string& note) {
  CommandRequest req = parse_command("/alertbot", text, service_names(config_));
  note = "mention: " + (req.name.empty() ? std::string("?") : req.name);
  std::string reply;
  if (req.name == "help" || !req.error.empty()) {
    reply = req.error.empty() ? command_help() : ":thinking_face: " + req.error;
  } else if (std::string no = refusal(req.name, ev.user, ev.channel); !no.empty()) {
    reply = no;
  } else if (req.name == "investigate") {
    if (std::string slow = admit_work(ev.user, ev.channel); !slow.empty()) {
      note += ": rate limited";
      co_await tell(ev.channel, ev.user, std::move(slow));
      co_return EventStatus::Processed;
    }
    const std::string thread = ev.thread_ts.empty() ? ev.ts : ev.thread_ts;
    OnDemand od{req.service, req.window, req.trace_id, ev.channel, thread, ev.user, "mention"};
    auto id = co_await intake_.on_request(std::move(od));
    if (id) co_return EventStatus::Processed;
    reply = ":warning: I could not start the investigation: " + escape(id.error().message);
  } else {
    reply = "Use `/alertbot " + req.name + "` for that.";
  }
  slack::MessageContent content{reply, {}};
  const std::string thread = ev.thread_ts.empty() ? ev.ts : ev.thread_ts;
  auto posted = co_await api_.post_message(ev.channel, std::move(content), thread);
  if (!posted) co_return EventStatus::Received;
  co_return EventStatus::Processed;
}

awaitable<EventStatus> Commands::on_action(const slack::BlockAction& a, std::string& note) {
  note = "button " + a.action_id;
  auto id = id_of(a.value);
  if (a.action_id == kActionOpenReport) co_return EventStatus::Processed;
  if (!id) {
    note += ": bad value";
    co_return EventStatus::Rejected;
  }
  auto inv = co_await store_.get_investigation(*id);
  if (!inv) co_return EventStatus::Received;
  if (!*inv) {
    note += ": no investigation " + std::to_string(*id);
    co_return EventStatus::Rejected;
  }
  if (a.action_id == kActionHelpful) {
    store::FeedbackRow row{0, *id, a.user_id, "helpful", "", {}};  // named: GCC 12 and braced temporaries in co_await
    if (auto r = co_await store_.add_feedback(std::move(row)); !r) co_return EventStatus::Received;
    co_await tell(a.channel_id, a.user_id, ":+1: Thanks, noted: this report helped.");
    co_return EventStatus::Processed;
  }
  if (a.action_id == kActionWrong) {
    // Which cause was wrong? One button per cause the report named, and "none of these".
    auto titles = cause_titles((*inv)->report_json);
    slack::BlockKit b;
    b.section("Which cause was wrong?");
    std::vector<slack::Button> buttons;
    for (std::size_t i = 0; i < titles.size() && i < 3; ++i) {
      buttons.push_back(slack::Button{slack::truncate_utf8(titles[i], 70), kActionWrongPick,
                                      std::to_string(*id) + ":" + std::to_string(i + 1), {}, {}});
    }
    buttons.push_back(slack::Button{"The cause is something else", kActionWrongPick, std::to_string(*id) + ":none", {}, {}});
    b.actions(buttons);
    slack::MessageContent content{"Which cause was wrong?", b.json()};
    auto r = co_await api_.post_ephemeral(a.channel_id, a.user_id, std::move(content));
    if (!r) spdlog::warn("feedback: could not ask {} which cause: {}", a.user_id, r.error().describe());
    co_return EventStatus::Processed;
  }
  if (a.action_id == kActionWrongPick) {
    std::string which = a.value.substr(a.value.find(':') == std::string::npos ? a.value.size() : a.value.find(':') + 1);
    auto titles = cause_titles((*inv)->report_json);
    std::string comment = "none of the named causes";
    int index = 0;
    if (std::from_chars(which.data(), which.data() + which.size(), index).ec == std::errc() && index >= 1 &&
        index <= static_cast<int>(titles.size())) {
      comment = "cause " + std::to_string(index) + " was wrong: " + titles[index - 1];
    }
    store::FeedbackRow row{0, *id, a.user_id, "wrong", comment, {}};
    if (auto r = co_await store_.add_feedback(std::move(row)); !r) {
      co_return EventStatus::Received;
    }
    co_await tell(a.channel_id, a.user_id, ":memo: Thanks, noted (" + escape(comment) + "). It counts in the weekly digest.");
    co_return EventStatus::Processed;
  }
  if (a.action_id == kActionRerun) {
    if (std::string no = refusal("investigate", a.user_id, a.channel_id); !no.empty()) {
      co_await tell(a.channel_id, a.user_id, no);
      co_return EventStatus::Processed;
    }
    if (std::string slow = admit_work(a.user_id, a.channel_id); !slow.empty()) {
      note += ": rate limited";
      co_await tell(a.channel_id, a.user_id, std::move(slow));
      co_return EventStatus::Processed;
    }
    auto rerun = co_await intake_.on_rerun(*id, a.user_id);
    if (!rerun) {
      co_await tell(a.channel_id, a.user_id, ":warning: I could not re-run it: " + escape(rerun.error().message));
      co_return rerun.error().code == Errc::NotFound ? EventStatus::Rejected : EventStatus::Received;
    }
    note += " -> investigation " + std::to_string(*rerun);
    co_return EventStatus::Processed;
  }
  note += ": unknown action";
  co_return EventStatus::Ignored;
}

awaitable<EventStatus> Commands::on_home(const slack::AppHomeOpened& home, std::string& note) {
  note = "app home of " + home.user;
  if (home.tab != "home") co_return EventStatus::Ignored;
  slack::BlockKit b;
  b.header("Alertbot");
  // The list shows every watched channel's investigations: people `commands.status` allows.
  const auto& users = config_.commands.rule("status").users;
  const bool may_see = std::any_of(users.begin(), users.end(), [&](const std::string& u) { return u == "*" || u == home.user; });
  if (!may_see) {
    b.section("Recent investigations are shown to the people `commands.status` allows in the bot's config.");
    const std::string view = json::serialize(json::object{{"type", "home"}, {"blocks", json::parse(b.json())}});
    if (auto r = co_await api_.publish_view(home.user, view); !r) co_return EventStatus::Received;
    co_return EventStatus::Processed;
  }
  b.section("Recent investigations in the channels I watch. Mention me in a report's thread to ask about it; "
            "`/investigate <service>` starts one.");
  auto recent = co_await store_.recent_investigations(15);
  if (!recent) co_return EventStatus::Received;
  if (recent->empty()) b.section("_No investigations yet._");
  for (const auto& inv : *recent) {
    std::string cause = top_cause(inv.report_json);
    b.section("*#" + std::to_string(inv.id) + " " + escape(inv.service.empty() ? "?" : inv.service) + "* · " +
              status_text_of(inv.status) + " · " + format_rfc3339(inv.created_at, false).substr(0, 16) + " UTC" +
              (cause.empty() ? "" : "\n" + escape(cause)));
  }
  const std::string view = json::serialize(json::object{{"type", "home"}, {"blocks", json::parse(b.json())}});
  if (auto r = co_await api_.publish_view(home.user, view); !r) {
    note += ": " + r.error().describe();
    co_return EventStatus::Received;
  }
  co_return EventStatus::Processed;
}

}  // namespace alertbot::bot
