// PagerDuty v3 webhooks: one event per POST, {"event":{"event_type":"incident.triggered",
// "resource_type":"incident","occurred_at":...,"data":{incident}}}. Incident events become one
// Alert; other events (services, pings, notes) are reported as ignored. The alert's original
// labels are not in the webhook (only the incident). Pure functions over untrusted input.
#pragma once

#include <boost/json/fwd.hpp>
#include <string_view>

#include "investigators/alerts/alert_batch.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// Alert fields: source "pagerduty"; name = data.title; status resolved for incident.resolved (or
// data.status "resolved"), else firing; labels service (data.service.summary), pd_status
// (triggered/acknowledged/resolved), urgency, priority, incident_number, event_type; severity =
// priority summary in lower case ("p1"), else the urgency; starts_at = data.created_at, else
// occurred_at, else ctx.received_at; ends_at = occurred_at when resolved; fingerprint = incident
// id; group_key "pagerduty:<incident id>"; links.source = data.html_url.
// Errors: NotFound "pagerduty: <event_type>: not an incident event: ignored" (pings, services,
// notes); ParseError "pagerduty: <field path>: <reason>" (event.event_type, event.data.id and
// event.data.title are required).
Result<AlertBatch> parse_pagerduty_webhook(std::string_view body, const AlertContext& ctx);
Result<AlertBatch> read_pagerduty_webhook(const boost::json::object& root, const AlertContext& ctx);
// {"event":{"event_type":...}}.
bool looks_like_pagerduty_webhook(const boost::json::object& root);

}  // namespace alertbot::investigators
