#include "investigators/sources/argocd_parse.hpp"

#include <boost/json.hpp>
#include <cstdlib>

#include "investigators/sources/source_text.hpp"
#include "net/json_fields.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxHistory = 1000;  // Argo CD keeps 10 by default

std::string capped(std::string s, std::size_t n) {
  if (s.size() > n) s.resize(n);
  return s;
}

const json::object* child(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

// Argo CD serialises int64 as a number; tolerate a numeric string too.
bool int_field(const json::object& o, std::string_view key, std::int64_t& out) {
  auto* v = o.if_contains(key);
  if (!v) return false;
  if (v->is_int64()) out = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) out = static_cast<std::int64_t>(v->get_uint64());
  else if (v->is_string()) {
    std::string s(v->get_string());
    char* end = nullptr;
    out = std::strtoll(s.c_str(), &end, 10);
    return !s.empty() && end && *end == '\0';
  } else {
    return false;
  }
  return true;
}

Result<ArgoHistoryEntry> parse_entry(const json::object& o, const std::string& where) {
  ArgoHistoryEntry e;
  if (!int_field(o, "id", e.id)) return fail(Errc::ParseError, where + ".id: expected an integer");
  e.revision = capped(json_string(o, "revision"), 200);
  if (e.revision.empty()) {
    if (auto* revs = o.if_contains("revisions"); revs && revs->is_array() && !revs->as_array().empty() &&
                                                  revs->as_array()[0].is_string()) {
      e.revision = capped(std::string(revs->as_array()[0].get_string()), 200);
    }
  }
  std::string at = json_string(o, "deployedAt");
  auto t = parse_rfc3339(at);
  if (!t) return fail(Errc::ParseError, where + ".deployedAt: expected an RFC 3339 time, got \"" + capped(at, 40) + "\"");
  e.deployed_at = *t;
  if (const json::object* by = child(o, "initiatedBy")) {
    e.username = capped(json_string(*by, "username"), 200);
    e.automated = json_bool(*by, "automated");
  }
  const json::object* src = child(o, "source");
  if (!src) {
    if (auto* srcs = o.if_contains("sources"); srcs && srcs->is_array() && !srcs->as_array().empty() &&
                                               srcs->as_array()[0].is_object()) {
      src = &srcs->as_array()[0].as_object();
    }
  }
  if (src) {
    e.repo_url = capped(json_string(*src, "repoURL"), 500);
    e.path = capped(json_string(*src, "path"), 500);
    if (e.path.empty()) e.path = capped(json_string(*src, "chart"), 500);
    e.target_revision = capped(json_string(*src, "targetRevision"), 200);
  }
  return e;
}

}  // namespace

Result<ArgoApplication> parse_argocd_application(std::string_view body) {
  auto o = parse_json_object(body, "argocd application");
  if (!o) return o.error();
  ArgoApplication app;
  if (const json::object* meta = child(*o, "metadata")) app.name = capped(json_string(*meta, "name"), 300);
  if (const json::object* spec = child(*o, "spec")) {
    if (const json::object* dest = child(*spec, "destination")) app.destination_namespace = capped(json_string(*dest, "namespace"), 300);
  }
  const json::object* status = child(*o, "status");
  if (!status) return app;  // never synced
  auto* history = status->if_contains("history");
  if (!history || history->is_null()) return app;
  if (!history->is_array()) return fail(Errc::ParseError, "argocd status.history: expected an array");
  const auto& arr = history->as_array();
  // Keep the newest entries when there are too many (oldest first: skip from the front).
  std::size_t first = arr.size() > kMaxHistory ? arr.size() - kMaxHistory : 0;
  for (std::size_t i = first; i < arr.size(); ++i) {
    std::string where = "argocd status.history[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) return fail(Errc::ParseError, where + ": expected an object");
    auto e = parse_entry(arr[i].as_object(), where);
    if (!e) return e.error();
    app.history.push_back(std::move(*e));
  }
  return app;
}

Result<std::string> argocd_body(const HttpResponse& resp, const std::string& what) {
  const bool is_json = resp.is_json();
  if (resp.ok()) {
    if (!is_json) return not_json("argocd", resp, what);
    return resp.body;
  }
  std::string detail;
  if (is_json) {
    if (auto o = parse_json_object(resp.body, "argocd error")) {
      detail = capped(json_string(*o, "message"), 300);
      if (detail.empty()) detail = capped(json_string(*o, "error"), 300);
    }
  }
  std::string msg = "argocd: HTTP " + std::to_string(resp.status) + " from " + what + (detail.empty() ? "" : ": " + detail);
  if (resp.status == 401) return fail(Errc::HttpStatus, msg + " (check deploys.argocd.token)");
  if (resp.status == 403) return fail(Errc::HttpStatus, msg + " (the token may lack access to the application)");
  if (resp.status == 404) return fail(Errc::NotFound, msg + " (check deploys.argocd.app)");
  return fail(Errc::HttpStatus, msg);
}

}  // namespace alertbot::investigators
