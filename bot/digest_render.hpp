// The weekly digest rendered three ways: text for a terminal (`alertbot digest`), JSON with the
// stable keys of docs/digest.md (`--format json`), and a Slack message (Block Kit within Slack's
// limits, with a plain-text fallback). Alert names, services and causes are untrusted: the Slack
// rendering escapes every one of them. Pure; no I/O.
#pragma once

#include <string>

#include "bot/digest.hpp"
#include "slack/web_api.hpp"

namespace alertbot::bot {

std::string digest_text(const Digest& d);
std::string digest_json(const Digest& d);
slack::MessageContent digest_message(const Digest& d);

// "1.5s", "42s", "3m 20s", "2h 5m": a duration in milliseconds as people read it.
std::string human_duration(std::int64_t ms);

}  // namespace alertbot::bot
