// The Block Kit limits Slack enforces on a message's blocks (50 blocks, 150-char headers,
// 3000-char sections, 10 fields of 2000, 10 context elements, 25 actions, button text 75 and value
// 2000, unique block ids, and about 13k characters of text in all): the emulator refuses what Slack
// refuses, and property tests check the bot's output against the same rules.
#pragma once

#include <string>

namespace alertbot::fakes {

// "" when Slack would accept `blocks_json` (a JSON array), else the error Slack answers
// (invalid_blocks_format, invalid_blocks, msg_blocks_too_long).
std::string check_block_kit(const std::string& blocks_text);

}  // namespace alertbot::fakes
