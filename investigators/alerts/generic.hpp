// Our own generic alert webhook (POST /hooks/generic), for senders with no native format:
//   {"name":"HighLatency", "status":"firing|resolved", "severity":"page", "service":"checkout",
//    "summary":"...", "labels":{}, "annotations":{}, "starts_at":<any timestamp shape>,
//    "ends_at":..., "fingerprint":"...", "group_key":"...",
//    "links":{"generator","runbook","dashboard","silence","source"}}
// or an array of those, or {"group_key":"...", "alerts":[...]}. Documented in docs/alert-formats.md.
// Pure functions over untrusted input.
#pragma once

#include <boost/json/fwd.hpp>
#include <string_view>

#include "investigators/alerts/alert_batch.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// Alert fields map one to one (source "generic"); name is required; status defaults to firing;
// label and annotation values may be strings, numbers or bools; service and severity are copied
// into labels when not there; starts_at defaults to ctx.received_at; fingerprint defaults to a
// hash of name + labels; group_key to the top-level group_key, else "generic:<name>".
// Errors: ParseError "generic: <path>: <reason>" (e.g. "alerts[2].status: expected \"firing\" or
// \"resolved\", got \"ok\""); at most kMaxAlertsPerPayload alerts are read (the rest: truncated).
Result<AlertBatch> parse_generic_webhook(std::string_view body, const AlertContext& ctx);
Result<AlertBatch> read_generic_webhook(const boost::json::value& root, const AlertContext& ctx);
// An object with a string "name", an array whose first item has one, or {"alerts":[{"name"...}]}.
bool looks_like_generic_webhook(const boost::json::value& root);

}  // namespace alertbot::investigators
