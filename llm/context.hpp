// pack_context: fits the evidence of an investigation into the LLM's token budget. Items are taken
// by priority (lower first; ties keep input order) and are never cut: one that does not fit is left
// out and the packing goes on, so smaller items after it can still go in. The packed text groups
// the items into sections in a fixed order, each with a heading, each item on its own line(s)
// prefixed by its id:
//
//   ## Alert
//   [a1] HighErrorRate firing for checkout ...
//
//   ## Findings
//   [m1] p99 latency of POST /v1/charge rose from 180ms to 4.2s
//
// Section order: alert, finding, metric, deploy, diff, trace, log, profile, history, then any
// other section by name. Inside a section items keep the order they were taken in. The result's
// `tokens` is estimate_tokens(text) and never exceeds the budget; `note` says what was left out,
// by section ("left out: 3 diff hunks, 12 log templates (budget 24000 tokens)"), or is empty.
// Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace alertbot::llm {

struct ContextItem {
  std::string id;       // shown as "[id] ", and listed in included / left_out
  std::string section;  // "alert" | "finding" | "metric" | "deploy" | "diff" | "trace" | "log" | ...
  int priority = 0;     // lower goes first
  std::string text;     // the item, whole; may span lines
};

struct PackedContext {
  std::string text;                    // sections in a fixed order with headings, items whole
  std::size_t tokens = 0;              // estimate_tokens(text), <= the budget
  std::vector<std::string> included;   // ids, in the order they were taken
  std::vector<std::string> left_out;   // ids, in the order they were passed over
  std::string note;                    // what was left out, by section, or "" when nothing was
};

PackedContext pack_context(std::vector<ContextItem> items, std::size_t budget_tokens);

}  // namespace alertbot::llm
