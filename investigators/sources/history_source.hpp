// The history source: earlier investigations similar to this one, from PastSearch (the store's
// full-text search), as SourceData::past. The analyses turn them into past_incident findings.
// What it asks: the words of the alert (name, summary and up to four label values that describe
// the symptom) or, for on-demand runs, the service name; the same service ranks higher; at most
// three, finished before the window's end minus five minutes (a re-run of this same incident that
// just finished is not "the past"; an earlier investigation of the same incident still counts).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

// Investigations that finished this close to the window's end are left out.
inline constexpr std::chrono::minutes kHistoryRecentGap{5};
// Past investigations listed per investigation.
inline constexpr int kHistoryLimit = 3;

// The words the history source searches for `q` (alert text, or the service name); at most 1 KiB.
std::string history_words(const Query& q);

// A "history" source (kind History) for every service; `past` may be null (no store): the factory
// then creates nothing. `past` must outlive the sources.
std::unique_ptr<SourceFactory> make_history_factory(PastSearch* past);

}  // namespace alertbot::investigators
