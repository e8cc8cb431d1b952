// The full report page (/reports/<id>): one self-contained HTML document rendered from the report
// JSON (docs/report-schema.md): header, summary and causes with their evidence linked to the
// findings, timeline, one SVG chart per metric series, the trace differential as a table and as a
// differential icicle graph, the suspect deploy's commits with the hunks the commit ranking
// matched highlighted, sources, timings and LLM cost. Inline CSS and SVG only, no script, so it
// renders under "default-src 'none'; style-src 'unsafe-inline'; img-src data:".
// Every string of the report is untrusted: it is HTML-escaped and links are kept only when http(s).
// Pure; never throws on bad input: unknown or missing fields leave their section out, and JSON
// that does not parse to an object gives a page saying the report is unreadable.
#pragma once

#include <string>
#include <string_view>

namespace alertbot::bot {

std::string render_report_page(std::string_view report_json);

}  // namespace alertbot::bot
