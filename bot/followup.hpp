// Follow-up questions in a report's thread: "@alertbot did the 14:00 deploy touch the pool size?"
// The router turns such a message into a "followup" job (persisted, so a crash does not lose the
// question); the worker answers it here: the model reads the investigation's report (compacted,
// redacted) and may call the investigator tools (query metrics, search traces, list deploys, get a
// diff, ...) within a budget of steps, tool calls, tokens and time; its answer is posted in the
// thread through the mrkdwn neutraliser (no pings, no links), with what it looked at and what it
// cost. With no LLM configured the thread is told so.
#pragma once

#include <string>
#include <string_view>

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
struct MessageEvent;
}  // namespace alertbot::slack
namespace alertbot::llm {
class LlmClient;
}
namespace alertbot::investigators {
class ToolRegistry;
}

namespace alertbot::bot {

struct Config;

inline constexpr const char* kFollowupJob = "followup";

struct FollowupRequest {
  store::Id investigation_id = 0;
  std::string channel;
  std::string thread_ts;  // the thread's parent
  std::string ts;         // the question's own message
  std::string user;
  std::string question;   // as the person wrote it, the bot's mention removed
};

std::string followup_payload(const FollowupRequest& req);
// Errors: ParseError naming the field.
Result<FollowupRequest> parse_followup_payload(std::string_view text);

// The question a thread reply asks the bot, or "" when it is not for the bot: it mentions the bot
// (<@bot_user_id>), or it mentions nobody and ends with '?'. The bot's mention is removed and
// the text trimmed.
std::string followup_question(const slack::MessageEvent& ev, const std::string& bot_user_id);

struct FollowupDeps {
  store::Store& store;
  slack::WebApi& api;
  llm::LlmClient* llm;                      // null: provider none
  const investigators::ToolRegistry* tools;  // null: the model answers from the report only
  const Config& config;
  Clock& clock;
};

// Answers `req` in its thread. Errors: the store's or Slack's when the answer could not be
// posted (the job is then retried); a question that cannot be answered (no LLM, unknown or
// unfinished investigation, the model failing) is still answered, saying why.
// A retried attempt updates the "Looking into it…" reply of the first one instead of posting
// another (its ts is kept with the question's dedupe marker).
awaitable<Result<void>> answer_followup(FollowupDeps deps, FollowupRequest req);
// The question ran out of attempts: its reply says so (never left at "Looking into it…").
awaitable<void> give_up_followup(FollowupDeps deps, FollowupRequest req, std::string reason);

// The inbound-event key that dedupes a question (message and app_mention of one message).
std::string followup_marker(const std::string& channel, const std::string& ts);

}  // namespace alertbot::bot
