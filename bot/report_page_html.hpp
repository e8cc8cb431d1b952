// Internal to bot/report_page*: HTML escaping, safe links and tolerant reads of the report JSON,
// shared by the page's section renderers. Every string read from a report is untrusted: it goes
// through esc() (text and attribute values alike), links through safe_url(), anchors through
// anchor(). Readers never throw: a missing or mistyped field reads as absent.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace alertbot::bot::page {

namespace json = boost::json;

// Text and attribute values: & < > " ' escaped; control characters other than \n and \t dropped.
std::string esc(std::string_view s);
// `url` when it is an absolute http(s) URL without spaces or control characters, else "".
std::string safe_url(std::string_view url);
// An element id from an untrusted finding id: "finding-" + [A-Za-z0-9_-] (others become '_').
std::string anchor(std::string_view finding_id);
// <a href> to `url` with escaped `text` when the URL is safe; just the escaped text otherwise.
std::string link(std::string_view url, std::string_view text);

// Tolerant readers: nullptr / "" / nullopt when `v` is null, absent or of another type.
const json::object* as_obj(const json::value* v);
const json::array* as_arr(const json::value* v);
const json::value* field(const json::object* o, std::string_view key);
const json::object* obj_at(const json::object* o, std::string_view key);
const json::array* arr_at(const json::object* o, std::string_view key);
// A string field; a number reads as its decimal text, a bool as "true"/"false".
std::string str_at(const json::object* o, std::string_view key);
std::optional<double> num(const json::value* v);
std::optional<double> num_at(const json::object* o, std::string_view key);

// Number formatting for people: 3 significant digits ("0.123", "45.6", "1.23e+06").
std::string fmt(double v);
std::string fmt_ms(double ms);      // "41 ms", "2.5 s"
std::string fmt_pct(double ratio);  // 0.731 -> "73%"
// "2026-01-01T10:04:00.000Z" -> "2026-01-01 10:04:00 UTC"; anything else as given (escaped later).
std::string fmt_time(std::string_view t);
// Unix seconds of an RFC 3339 time, nullopt when it does not parse.
std::optional<double> unix_time(std::string_view rfc3339);

// Section renderers (report_page_charts.cpp, report_page_diff.cpp): "" when they have nothing.
std::string render_timeline(const json::object& report);
std::string render_charts(const json::object& report);
std::string render_trace_diff(const json::object& report);
std::string render_icicle(const json::object& report);
std::string render_suspect_diff(const json::object& report);

}  // namespace alertbot::bot::page
