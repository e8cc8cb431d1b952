#include "store/row_codec.hpp"

#include <array>
#include <chrono>
#include <utility>

namespace alertbot::store {
namespace {

constexpr std::array<std::pair<EventStatus, std::string_view>, 4> kEventStatus{{
    {EventStatus::Received, "received"},
    {EventStatus::Processed, "processed"},
    {EventStatus::Ignored, "ignored"},
    {EventStatus::Rejected, "rejected"},
}};
constexpr std::array<std::pair<GroupStatus, std::string_view>, 2> kGroupStatus{{
    {GroupStatus::Open, "open"},
    {GroupStatus::Closed, "closed"},
}};
constexpr std::array<std::pair<InvestigationStatus, std::string_view>, 4> kInvestigationStatus{{
    {InvestigationStatus::Queued, "queued"},
    {InvestigationStatus::Running, "running"},
    {InvestigationStatus::Done, "done"},
    {InvestigationStatus::Failed, "failed"},
}};
constexpr std::array<std::pair<JobStatus, std::string_view>, 4> kJobStatus{{
    {JobStatus::Queued, "queued"},
    {JobStatus::Running, "running"},
    {JobStatus::Done, "done"},
    {JobStatus::Failed, "failed"},
}};

template <class Enum, std::size_t N>
std::string_view text_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [e, text] : table) {
    if (e == value) return text;
  }
  return table.front().second;
}

template <class Enum, std::size_t N>
Enum value_of(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view text) {
  for (const auto& [e, t] : table) {
    if (t == text) return e;
  }
  return table.front().first;
}

}  // namespace

std::int64_t to_millis(Time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Time from_millis(std::int64_t ms) {
  return Time(std::chrono::duration_cast<Time::duration>(std::chrono::milliseconds(ms)));
}

std::string_view to_text(EventStatus s) { return text_of(kEventStatus, s); }
std::string_view to_text(GroupStatus s) { return text_of(kGroupStatus, s); }
std::string_view to_text(InvestigationStatus s) { return text_of(kInvestigationStatus, s); }
std::string_view to_text(JobStatus s) { return text_of(kJobStatus, s); }

EventStatus event_status_from_text(std::string_view s) { return value_of(kEventStatus, s); }
GroupStatus group_status_from_text(std::string_view s) { return value_of(kGroupStatus, s); }
InvestigationStatus investigation_status_from_text(std::string_view s) { return value_of(kInvestigationStatus, s); }
JobStatus job_status_from_text(std::string_view s) { return value_of(kJobStatus, s); }

}  // namespace alertbot::store
