// Alerts written as plain text (a message in a watched channel, `alertbot investigate --alert
// FILE` with a non-JSON file): "HighLatency service=checkout severity=page p99 above 2s" or
// `alertname="X" env=prod`. Pure function over untrusted text; linear in its length.
#pragma once

#include <string_view>

#include "investigators/alerts/alert_batch.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// key=value words (values may be "double" or 'single' quoted, with \" inside double quotes)
// become labels; the name is labels.alertname, else the first bare word (a leading "FIRING" or
// "RESOLVED" word sets the status instead; so does status=resolved); the other bare words, in
// order, are the summary (the name when there are none); the first URL is links.source. Source
// "text", severity = labels.severity, service = labels.service or a bare word that is a
// configured service; starts_at = ctx.received_at; fingerprint from name + labels; group_key
// "text:<name>". Invalid UTF-8 is replaced (with a warning). Errors: NotFound "no alert in this
// text" when there is neither a name nor a label.
Result<AlertBatch> parse_free_text(std::string_view input, const AlertContext& ctx);

}  // namespace alertbot::investigators
