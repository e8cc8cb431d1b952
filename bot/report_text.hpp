// The report for a terminal (`investigate --format text`) or as Markdown (`--format markdown`),
// read straight from the Report (not from Slack blocks).
#pragma once

#include <string>

#include "bot/report.hpp"

namespace alertbot::bot {

std::string report_text(const Report& report);
std::string report_markdown(const Report& report);

}  // namespace alertbot::bot
