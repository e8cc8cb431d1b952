// Lists of alerts read from APIs rather than notifications, so `alertbot investigate --alert FILE`
// takes what curl printed: Alertmanager GET /api/v2/alerts (a JSON array; status is an object
// {"state":"active"}; endsAt of an active alert is a future expiry, not an end) and Prometheus
// GET /api/v1/alerts ({"status":"success","data":{"alerts":[...]}}; pending alerts are skipped).
// Both come back as AlertmanagerWebhook batches. Pure functions.
#pragma once

#include <boost/json/fwd.hpp>

#include "investigators/alerts/alert_batch.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// A non-empty array whose first item has labels, startsAt and a status object.
bool looks_like_alertmanager_api_list(const boost::json::array& root);
// {"status":..., "data":{"alerts":[...]}}.
bool looks_like_prometheus_alerts(const boost::json::object& root);

// Source "alertmanager"; every alert firing (the API lists only unresolved ones), ends_at unset;
// group_key "alertmanager-api:<alertname>". Errors: ParseError naming the field.
Result<AlertBatch> read_alertmanager_api_list(const boost::json::array& root, const AlertContext& ctx);
// Source "prometheus"; firing alerts only (pending ones are skipped with a warning); starts_at =
// activeAt; the value goes to annotation "value". Errors: ParseError naming the field, also for
// an error envelope (status "error").
Result<AlertBatch> read_prometheus_alerts(const boost::json::object& root, const AlertContext& ctx);

}  // namespace alertbot::investigators
