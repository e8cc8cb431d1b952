// Prints a Slack thread the way a person reads it in the client: who posted, the message text or
// its Block Kit blocks (headers, sections, context), links as "label (url)", entities decoded,
// common emoji codes as emoji. For `alertbot demo`, which shows the emulated workspace's thread.
#pragma once

#include <string>
#include <vector>

namespace alertbot::bot {

struct PrintedMessage {
  std::string author;       // display name
  std::string text;         // fallback text
  std::string blocks_json;  // "" or a JSON array
  std::string attachments_json;
  int edits = 0;
  std::vector<std::string> files;  // "latency.png: checkout latency (p99)" for each file shared
};

std::string print_thread(const std::vector<PrintedMessage>& messages);
// One mrkdwn string as plain terminal text.
std::string mrkdwn_to_text(const std::string& s);

}  // namespace alertbot::bot
