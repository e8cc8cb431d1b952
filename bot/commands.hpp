// Commands: what people ask of the bot. Slash commands (`/investigate`, `/alertbot ...`, see
// command_parse.hpp), mentions outside a report thread (read like /investigate), the report's
// buttons (Helpful, Wrong cause, Re-run with a wider window), and the App Home tab.
// Slash commands are answered twice: at once in the ack (ack(): "on it", a refusal, help, a usage
// error, "slow down"; no I/O, so the ack never waits), then by run() after the ack (the thread,
// or an ephemeral answer). Who may run what where comes from the `commands:` config; a refusal
// says who may. How often people may start work is limited per user and per channel
// (commands.rate_limit, CommandLimiter); a refusal says when to try again. Everything is recorded:
// feedback in the store, investigations as jobs.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "bot/command_limits.hpp"
#include "bot/command_parse.hpp"
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
struct SlashCommand;
struct BlockAction;
struct AppHomeOpened;
struct MessageEvent;
}  // namespace alertbot::slack
namespace alertbot::investigators {
class SourceRegistry;
}

namespace alertbot::bot {

struct Config;
class AlertIntake;

// Button action ids on reports (values carry the investigation id).
inline constexpr const char* kActionHelpful = "feedback_helpful";
inline constexpr const char* kActionWrong = "feedback_wrong";
inline constexpr const char* kActionWrongPick = "feedback_wrong_pick";  // value: "<id>:<cause index or 'none'>"
inline constexpr const char* kActionRerun = "rerun_wider";
inline constexpr const char* kActionOpenReport = "open_report";  // a link button; the click is only noted

class Commands {
 public:
  Commands(store::Store& store, slack::WebApi& api, const Config& config, AlertIntake& intake,
           const investigators::SourceRegistry& sources, Clock& clock);

  // The ack's payload for a slash command ({"response_type":"ephemeral","text":...}), or "" for
  // none, without rate limits. Pure.
  static std::string ack_payload(const Config& config, const slack::SlashCommand& command);
  // The ack's payload with rate limits: a command that starts work is counted here, and refused
  // here when over a limit; run() then leaves it. No I/O.
  std::string ack(const slack::SlashCommand& command);
  // Counts one piece of work started by `user` in `channel` (a follow-up question); "" when
  // admitted, else the refusal to show (ephemeral), saying when to try again. No I/O.
  std::string admit_work(const std::string& user, const std::string& channel);
  // The work after the ack. Sets `note` for the stored event.
  awaitable<store::EventStatus> run(const slack::SlashCommand& command, std::string& note);
  // "@alertbot checkout 30m" outside a report's thread: an investigation (or help) in a thread
  // of that message.
  awaitable<store::EventStatus> on_mention(const slack::MessageEvent& ev, std::string text, std::string& note);
  awaitable<store::EventStatus> on_action(const slack::BlockAction& action, std::string& note);
  // Publishes the user's App Home: recent investigations in the watched channels.
  awaitable<store::EventStatus> on_home(const slack::AppHomeOpened& home, std::string& note);

 private:
  // Refusal text when `user` may not run `name` in `channel`, else "".
  std::string refusal(const std::string& name, const std::string& user, const std::string& channel) const;
  awaitable<void> tell(const std::string& channel, const std::string& user, std::string text);
  awaitable<std::string> status_text();
  awaitable<std::string> deploys_text(const std::string& service);

  // The limiter's verdict given in `command`'s ack (taken: asked once); nullopt when this process
  // gave no ack for it (a replay after a restart).
  std::optional<CommandLimiter::Verdict> take_ack_verdict(const slack::SlashCommand& command);

  CommandLimiter limiter_;
  // Verdicts given in acks until run() takes them, by trigger id (oldest dropped beyond a bound).
  std::mutex verdicts_mutex_;
  std::unordered_map<std::string, CommandLimiter::Verdict> verdicts_;  // guarded by verdicts_mutex_
  std::deque<std::string> verdict_order_;                              // guarded by verdicts_mutex_
  store::Store& store_;
  slack::WebApi& api_;
  const Config& config_;
  AlertIntake& intake_;
  const investigators::SourceRegistry& sources_;
  Clock& clock_;
};

// The refusal for `user` running `name` in `channel` under `config`'s rules, or "".
std::string command_refusal(const Config& config, const std::string& name, const std::string& user,
                            const std::string& channel);

}  // namespace alertbot::bot
