// Report route: GET /reports/<id>?sig=<signature> serves an investigation's full report page
// (bot/report_page.hpp), 200 text/html with a strict Content-Security-Policy (no script, inline
// style and SVG only), nosniff, no referrer and a short private cache. The signature
// (bot/report_links.hpp) is checked first: a bad or missing one is 403 "invalid or expired link",
// which says nothing of whether the investigation exists. With a valid one: 404 when there is no
// such investigation or it has no report yet ("still running" while queued or running), 503 when
// the store fails. Handlers run on the server's executor.
#pragma once

#include <string>

#include "net/http_server.hpp"

namespace alertbot::store {
class Store;
}

namespace alertbot::bot {

// The headers every report page is served with.
inline constexpr const char* kReportPageCsp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

// `store` must outlive the server; `secret` is what the links were signed with (link_secret_for).
void add_report_routes(Router& router, store::Store& store, std::string secret);

}  // namespace alertbot::bot
