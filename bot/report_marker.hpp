// Report messages carry their investigation's id (the block_id of their first block), and the
// store records that a report is being posted ("posting", no ts yet) before it is posted. After a
// crash between the post and recording its ts, recorded_report() finds the message in the thread
// by its marker, so a retry (on this replica or another) updates that message instead of posting
// a second one: the thread gets one report however often the work is replayed.
#pragma once

#include <optional>
#include <string>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "slack/web_api.hpp"
#include "store/records.hpp"

namespace alertbot::store {
class Store;
}

namespace alertbot::bot {

// "alertbot-investigation-<id>": the block_id that marks the report message of investigation `id`.
std::string report_marker(store::Id id);

// `content` with the marker as the block_id of its first block (a section with its text is
// added when it has no blocks).
slack::MessageContent with_report_marker(slack::MessageContent content, store::Id id);

// True when `message_json` (a message object as conversations.replies returns it) carries the
// marker of investigation `id`. Malformed JSON is false.
bool carries_report_marker(const std::string& message_json, store::Id id);

// The investigation's report message as recorded: nullopt when none was posted. A row left at
// "posting" (the post may or may not have happened) is resolved by looking for the marked message
// in its thread: found, its ts is recorded (state "placeholder") and returned; absent, nullopt.
// Errors: the store's, or the Web API's when the thread cannot be read (the caller retries later).
awaitable<Result<std::optional<store::ReportRow>>> recorded_report(store::Store& store, slack::WebApi& api, store::Id id);

}  // namespace alertbot::bot
