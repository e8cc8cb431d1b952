// mrkdwn safety: text that did not come from the bot's own templates (alert titles, label values,
// commit messages, model output) is escaped so it renders literally and can never ping or link:
// &, <, > become entities (so "<!channel>" or "<@U123>" stay text), and bare "@here",
// "@channel", "@everyone" get a zero-width space after the '@'. Links the bot builds itself go
// through link(), which makes the URL safe inside <url|label>.
#pragma once

#include <string>
#include <string_view>

namespace alertbot::slack {

// Escaped and neutralised text, safe inside any mrkdwn object.
std::string escape(std::string_view untrusted);
// Neutralised text for plain_text objects (headers, button labels), which show entities
// literally: '<' and '>' become the look-alike '‹' and '›' and "@here" and the like are defused, so
// nothing in it can be read as a mention or a link.
std::string plain(std::string_view untrusted);
// "<url|label>" with the label escaped and the URL stripped of characters that would end the
// link; only http(s) URLs are linked, anything else is returned as escaped text.
std::string link(std::string_view url, std::string_view label);
// Cuts `text` to at most `max_bytes` bytes without splitting a UTF-8 sequence or an &entity;,
// appending "…" when it cut.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace alertbot::slack
