#include "llm/context.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <string_view>

#include "llm/token_estimate.hpp"

namespace alertbot::llm {
namespace {

struct SectionName {
  std::string_view section;
  std::string_view heading;
  std::string_view singular;  // for the note: "1 diff hunk", "3 diff hunks"
};

constexpr std::array<SectionName, 9> kKnownSections = {{
    {"alert", "Alert", "alert"},
    {"finding", "Findings", "finding"},
    {"metric", "Metrics", "metric"},
    {"deploy", "Deploys", "deploy"},
    {"diff", "Code changes", "diff hunk"},
    {"trace", "Traces", "trace"},
    {"log", "Logs", "log template"},
    {"profile", "Profiles", "profile"},
    {"history", "Past investigations", "past investigation"},
}};

// The position of a section in the output: known ones first in their order, the others after.
std::size_t known_rank(const std::string& section) {
  const auto it = std::find_if(kKnownSections.begin(), kKnownSections.end(),
                               [&](const SectionName& s) { return s.section == section; });
  return static_cast<std::size_t>(it - kKnownSections.begin());
}

bool section_before(const std::string& a, const std::string& b) {
  const std::size_t ra = known_rank(a), rb = known_rank(b);
  return ra != rb ? ra < rb : (ra == kKnownSections.size() && a < b);
}

std::string heading(const std::string& section) {
  const std::size_t rank = known_rank(section);
  return "## " + (rank < kKnownSections.size() ? std::string(kKnownSections[rank].heading) : section) + "\n";
}

std::string counted(const std::string& section, std::size_t n) {
  const std::size_t rank = known_rank(section);
  std::string noun = rank < kKnownSections.size() ? std::string(kKnownSections[rank].singular)
                                                  : section + " item";
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string render_item(const ContextItem& item) {
  std::string out = "[" + item.id + "] " + item.text;
  if (out.back() != '\n') {
    out += '\n';
  }
  return out;
}

// The sections present in `chosen`, in output order.
std::vector<std::string> sections_of(const std::vector<const ContextItem*>& chosen) {
  std::vector<std::string> sections;
  for (const auto* item : chosen) {
    if (std::find(sections.begin(), sections.end(), item->section) == sections.end()) {
      sections.push_back(item->section);
    }
  }
  std::stable_sort(sections.begin(), sections.end(), section_before);
  return sections;
}

std::string render(const std::vector<const ContextItem*>& chosen) {
  std::string out;
  for (const auto& section : sections_of(chosen)) {
    out += out.empty() ? heading(section) : "\n" + heading(section);
    for (const auto* item : chosen) {
      if (item->section == section) {
        out += render_item(*item);
      }
    }
  }
  return out;
}

std::string note_for(const std::vector<const ContextItem*>& dropped, std::size_t budget_tokens) {
  if (dropped.empty()) {
    return "";
  }
  std::string parts;
  for (const auto& section : sections_of(dropped)) {
    const auto n = static_cast<std::size_t>(std::count_if(
        dropped.begin(), dropped.end(), [&](const ContextItem* item) { return item->section == section; }));
    parts += (parts.empty() ? "" : ", ") + counted(section, n);
  }
  return "left out: " + parts + " (budget " + std::to_string(budget_tokens) + " tokens)";
}

}  // namespace

PackedContext pack_context(std::vector<ContextItem> items, std::size_t budget_tokens) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return items[a].priority < items[b].priority; });

  // Selection on a per-block estimate: each block (an item, a heading) is charged its own estimate
  // plus one token, which bounds the estimate of the joined text (blocks end in a line break, so no
  // piece spans two of them; the slack covers rounding). The full text is checked after.
  std::vector<const ContextItem*> chosen, dropped;
  std::vector<std::string> opened;
  std::size_t used = 0;
  for (const std::size_t index : order) {
    const ContextItem& item = items[index];
    const bool new_section = std::find(opened.begin(), opened.end(), item.section) == opened.end();
    std::size_t cost = estimate_tokens(render_item(item)) + 1;
    if (new_section) {
      cost += estimate_tokens("\n" + heading(item.section)) + 1;
    }
    if (used + cost > budget_tokens) {
      dropped.push_back(&item);
      continue;
    }
    used += cost;
    chosen.push_back(&item);
    if (new_section) {
      opened.push_back(item.section);
    }
  }

  PackedContext packed;
  packed.text = render(chosen);
  packed.tokens = estimate_tokens(packed.text);
  while (packed.tokens > budget_tokens && !chosen.empty()) {  // a guard: the bound above holds
    dropped.push_back(chosen.back());
    chosen.pop_back();
    packed.text = render(chosen);
    packed.tokens = estimate_tokens(packed.text);
  }
  for (const auto* item : chosen) {
    packed.included.push_back(item->id);
  }
  for (const auto* item : dropped) {
    packed.left_out.push_back(item->id);
  }
  packed.note = note_for(dropped, budget_tokens);
  return packed;
}

}  // namespace alertbot::llm
