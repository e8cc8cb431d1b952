#include "bot/report_search_doc.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include "investigators/analysis/finding_kinds.hpp"

namespace alertbot::bot {
namespace {

// Appends `line` and a newline unless it is empty or the text would pass kSearchTextLimit, in
// which case as much as fits is kept, cut before a UTF-8 continuation byte. Returns false once full.
bool append_line(std::string& text, std::string_view line) {
  if (line.empty()) return true;
  if (text.size() >= kSearchTextLimit) return false;
  const std::size_t room = kSearchTextLimit - text.size();
  if (line.size() + 1 <= room) {
    text.append(line).push_back('\n');
    return true;
  }
  std::size_t cut = std::min(room, line.size());
  while (cut > 0 && cut < line.size() && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  text.append(line.substr(0, cut));
  return false;
}

}  // namespace

store::SearchDocument search_document(std::int64_t id, const investigators::InvestigationResult& result,
                                      store::Time finished_at) {
  store::SearchDocument doc;
  doc.investigation_id = id;
  doc.service = result.service;
  doc.finished_at = finished_at;
  if (result.alert) doc.alert_name = result.alert->name;
  if (!result.causes.empty()) {
    const auto& top = result.causes.front();
    doc.top_cause = top.title;
    doc.suspect_kind = top.suspect.kind;
    doc.suspect_ref = top.suspect.ref;
  }
  bool room = !result.alert || append_line(doc.text, result.alert->summary);
  for (const auto& cause : result.causes) {
    if (room) room = append_line(doc.text, cause.title);
  }
  for (const auto& finding : result.findings) {
    if (room && finding.kind != investigators::kinds::kPastIncident) room = append_line(doc.text, finding.title);
  }
  return doc;
}

}  // namespace alertbot::bot
