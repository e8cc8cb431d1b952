// The search document of a finished investigation: what the similar-incident search
// (Store::index_investigation) indexes so later investigations can find it. Pure; no I/O.
#pragma once

#include <cstdint>

#include "investigators/pipeline.hpp"
#include "store/records.hpp"

namespace alertbot::bot {

// Bytes of free text kept per document (cut on a UTF-8 character boundary).
inline constexpr std::size_t kSearchTextLimit = 16 * 1024;

// The document of investigation `id`: its service, alert name (empty for on-demand runs), the
// first cause's title and suspect (empty when it abstained), and as text one line each for the
// alert summary, every cause title and every finding title (findings about past incidents are
// left out, so one incident's neighbours do not leak into the next one's document).
store::SearchDocument search_document(std::int64_t id, const investigators::InvestigationResult& result,
                                      store::Time finished_at);

}  // namespace alertbot::bot
