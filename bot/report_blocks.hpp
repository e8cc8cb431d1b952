// Slack messages of an investigation's thread: the placeholder that answers at once, the final
// report, and short notes (resolved, unreadable alert). Every value that came from outside is
// escaped (slack/mrkdwn.hpp); the blocks stay within Slack's limits (slack/block_kit.hpp).
#pragma once

#include <string>
#include <vector>

#include "bot/report.hpp"
#include "investigators/alert.hpp"
#include "slack/web_api.hpp"

namespace alertbot::bot {

// "Investigating <alert> on <service>: checking prometheus, deploys..."
slack::MessageContent placeholder_message(const investigators::Alert& alert, const std::string& service,
                                          const std::vector<std::string>& sources);
slack::MessageContent report_message(const Report& report);
// The placeholder while the investigation runs: which sources are in (and how they did) and the
// strongest findings so far.
slack::MessageContent progress_message(const investigators::Alert& alert, const std::string& service,
                                       const std::vector<investigators::SourceOutcome>& sources,
                                       const std::vector<investigators::Finding>& findings);
// The report while the model writes its summary: the deterministic report with the summary as
// far as it has streamed (raw model text, escaped here) and a note that it is being written.
slack::MessageContent summary_draft_message(const Report& report, const std::string& partial_summary);
// The investigation could not finish (after its retries).
slack::MessageContent failed_message(const std::string& service, const std::string& reason);
slack::MessageContent resolved_message(const investigators::Alert& alert, std::chrono::minutes open_for);
// The message that starts the thread of an investigation someone asked for.
slack::MessageContent on_demand_message(const std::string& service, std::chrono::milliseconds window,
                                        const std::string& trace_id, const std::string& user);
// The incident's counter, one message per thread updated in place: how many notifications, which
// alerts (`names`, sorted), how many are still firing (< 0: unknown), and a flapping alert if any.
slack::MessageContent counter_message(const std::vector<std::string>& names, std::int64_t notifications,
                                      std::int64_t still_firing, const std::string& flapping);
slack::MessageContent unreadable_alert_message(const std::string& reason);
// An alert that arrived on a hook, posted to the hooks channel as the thread's first message:
// "[FIRING:2] HighErrorRate · checkout · page", its summary and links (runbook, dashboard, source).
slack::MessageContent alert_card_message(const investigators::Alert& alert);

}  // namespace alertbot::bot
