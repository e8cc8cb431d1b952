// How record values are written to a database column, shared by every backend: times as integer
// milliseconds since the Unix epoch, enums as lower-case text ("queued", "open", ...).
// Parsing is total: the schema's CHECK constraints admit only these texts, so the fallback
// (the first enumerator) is unreachable unless someone edits the database by hand.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/records.hpp"

namespace alertbot::store {

std::int64_t to_millis(Time t);
Time from_millis(std::int64_t ms);

std::string_view to_text(EventStatus s);
std::string_view to_text(GroupStatus s);
std::string_view to_text(InvestigationStatus s);
std::string_view to_text(JobStatus s);

EventStatus event_status_from_text(std::string_view s);
GroupStatus group_status_from_text(std::string_view s);
InvestigationStatus investigation_status_from_text(std::string_view s);
JobStatus job_status_from_text(std::string_view s);

}  // namespace alertbot::store
