// Alerts as JSON: the shape stored in job payloads and printed in the report's "alert" object.
// from_alert_json() reads only what to_alert_json() writes and rejects anything else clearly.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "investigators/alert.hpp"
#include "net/result.hpp"

namespace alertbot::bot {

boost::json::object to_alert_json(const investigators::Alert& alert);
// Errors: ParseError naming the field.
Result<investigators::Alert> from_alert_json(const boost::json::value& v);

}  // namespace alertbot::bot
