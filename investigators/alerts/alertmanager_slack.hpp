// Alerts that Alertmanager's Slack notifier posted into a channel. The default template gives a
// title "[FIRING:2] <group label values> (<other common label values>)" and an empty text; the
// common community template adds "*Alert:*", "*Description:*" and "*Details:*" lines with
// "• *label:* `value`" bullets, which are read as labels when present. Title values are only
// hints: a value equal to a configured service name, or to a known severity, is used as such.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "investigators/alert.hpp"
#include "investigators/alerts/slack_message.hpp"
#include "investigators/evidence.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// `message_json` is the Slack message (an Events API message event, a conversations.history
// item, or the incoming-webhook body): an object with "attachments" and usually "username".
// `posted_at` stands for startsAt (the message does not carry it); `services` are the configured
// service names. Errors: NotFound (not an Alertmanager message: the caller tries other parsers),
// ParseError (looks like one but the title cannot be read; the message says why).
Result<Alert> parse_alertmanager_slack(std::string_view message_json, Time posted_at,
                                       const std::vector<std::string>& services);

// The same over a message read by alerts::read_slack_message() (parse_alerts() uses this).
// Appends to `warnings` when values were cut.
Result<Alert> alertmanager_slack_alert(const alerts::SlackMessage& m, Time posted_at,
                                       const std::vector<std::string>& services, std::vector<std::string>& warnings);

// True when the sender is Alertmanager (any case) or the first attachment has an Alertmanager
// title with colour danger or good.
bool looks_like_alertmanager_slack(const alerts::SlackMessage& m);

}  // namespace alertbot::investigators
