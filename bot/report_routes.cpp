#include "bot/report_routes.hpp"

#include <charconv>
#include <memory>
#include <spdlog/spdlog.h>

#include "bot/report_links.hpp"
#include "bot/report_page.hpp"
#include "store/store.hpp"

namespace alertbot::bot {
namespace {

constexpr std::string_view kPrefix = "/reports/";

ServerResponse plain(int status, std::string body) {
  ServerResponse r = ServerResponse::text(status, std::move(body));
  r.headers = {{"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}, {"Cache-Control", "no-store"}};
  return r;
}

// "/reports/42" -> 42; nullopt for anything else (signs, leading zeros, extra segments, overflow).
std::optional<std::int64_t> id_of(std::string_view path) {
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view digits = path.substr(kPrefix.size());
  if (digits.empty() || digits.size() > 18 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return id;
}

awaitable<ServerResponse> serve(store::Store& store, std::shared_ptr<const std::string> secret, ServerRequest req) {
  const auto id = id_of(req.path);
  const std::string sig = req.query_param("sig").value_or("");
  if (!id || !valid_report_signature(*id, sig, *secret)) {
    spdlog::info("reports: refused {} from {}: bad signature", req.path, req.remote);
    co_return plain(403, "invalid or expired link\n");
  }
  auto inv = co_await store.get_investigation(*id);
  if (!inv) {
    spdlog::error("reports: investigation {} not read: {}", *id, inv.error().describe());
    co_return plain(503, "the report cannot be read right now; try again shortly\n");
  }
  if (!*inv) co_return plain(404, "no such report\n");
  const store::InvestigationRow& row = **inv;
  if (row.report_json.empty()) {
    const bool running = row.status == store::InvestigationStatus::Queued || row.status == store::InvestigationStatus::Running;
    co_return plain(404, running ? "the investigation is still running: reload in a minute\n" : "this investigation has no report\n");
  }
  ServerResponse r;
  r.status = 200;
  r.content_type = "text/html; charset=utf-8";
  r.body = render_report_page(row.report_json);
  r.headers = {{"Content-Security-Policy", kReportPageCsp},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"Cache-Control", "private, max-age=60"}};
  co_return r;
}

}  // namespace

void add_report_routes(Router& router, store::Store& store, std::string secret) {
  auto shared = std::make_shared<const std::string>(std::move(secret));
  router.add("GET", "/reports/*", [&store, shared](ServerRequest req) { return serve(store, shared, std::move(req)); });
}

}  // namespace alertbot::bot
