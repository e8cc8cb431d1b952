// The report as JSON (contract.md): what `investigate --format json` prints, what the store keeps
// and what the report page serves. Unknown fields may be added later; existing ones keep their
// meaning.
#pragma once

#include <string>

#include "bot/report.hpp"

namespace alertbot::bot {

std::string to_report_json(const Report& report);

}  // namespace alertbot::bot
