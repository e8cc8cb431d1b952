// Commands: what people ask of the bot. Slash commands (`/investigate`, `/alertbot ...`, see
// command_parse.hpp), mentions outside a report thread (read like /investigate), the report's
// buttons (Helpful, Wrong cause, Re-run with a wider window), and the App Home tab.
// Slash commands are answered twice: at once in the ack (ack_payload(): "on it", a refusal, help,
// a usage error; pure, no I/O, so the ack never waits), then by run() after the ack (the thread,
// or an ephemeral answer). Who may run what where comes from the `commands:` config; a refusal
// says who may. Everything is recorded: feedback in the store, investigations as jobs.
#pragma once

#include <string>

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
  // none. Pure.
  static std::string ack_payload(const Config& config, const slack::SlashCommand& command);
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
