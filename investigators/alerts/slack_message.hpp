// Slack messages that carry alerts, as the bot sees them: an Events API event_callback or its
// message event, a conversations.history item, or an incoming-webhook body. read_slack_message()
// pulls out what alert parsers look at (sender, texts, first attachment, colour, ts);
// parse_alert_title() reads the "[FIRING:2] <values> (<values>)" subject that Alertmanager and
// Grafana both render. Pure functions over untrusted input; strings are cut to 64 KiB.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/alert.hpp"
#include "investigators/evidence.hpp"

namespace alertbot::investigators::alerts {

struct SlackMessage {
  std::string username;  // "username", else bot_profile.name
  std::string text;      // the message's own "text"
  // The first attachment that has any of these (Alertmanager and Grafana send one).
  std::string title;
  std::string title_link;
  std::string fallback;
  std::string pretext;
  std::string attachment_text;
  std::string color;        // lower case, without '#': "danger", "good", "d63232"
  std::string blocks_text;  // the text of section, header and context blocks, one per line
  std::optional<Time> posted_at;  // from "ts"
  bool has_attachments = false;
};

// nullopt when `root` is not shaped like a Slack message (no attachments, no blocks, and neither
// a message type nor text from a sender).
std::optional<SlackMessage> read_slack_message(const boost::json::object& root);

// The title of the first attachment, else the fallback up to " | ".
std::string slack_title(const SlackMessage& m);

struct AlertTitle {
  AlertStatus status = AlertStatus::Firing;
  int firing = 1;    // "[FIRING:2]" -> 2; 1 when the count is absent
  int resolved = 0;  // Grafana's "[FIRING:1, RESOLVED:2]" -> 2
  std::vector<std::string> group_values;  // before " (": the group labels' values
  std::vector<std::string> other_values;  // inside "( )": the other common labels' values
};

// "[FIRING:2] TargetUp (127.0.0.1:19090 prometheus warning)" -> parts; nullopt if not that shape.
std::optional<AlertTitle> parse_alert_title(std::string_view title);

// Slack's stored text as plain text: "&amp;", "&lt;", "&gt;" decoded, "<url|label>" -> label,
// "<url>" -> url (mentions such as "<@U1>" are left as they are).
std::string slack_plain(std::string_view text);
// The URLs in Slack text, in order: from "<url|label>" and "<url>" and bare http(s):// words.
std::vector<std::string> slack_urls(std::string_view text);

// `text` split into whitespace-separated words.
std::vector<std::string> split_words(std::string_view text);

}  // namespace alertbot::investigators::alerts
