#include "bot/http_mode.hpp"

#include <memory>
#include <spdlog/spdlog.h>

#include "net/clock.hpp"

namespace alertbot::bot {
namespace {

using slack::HttpEndpoint;

// What every route shares; owned by the routes (the router keeps it alive with the server).
struct Routes {
  HttpModeSettings settings;
  Clock& clock;
  slack::EnvelopeHandler handler;
};

ServerResponse no_retry(int status, std::string body) {
  ServerResponse r = ServerResponse::text(status, std::move(body));
  r.headers.emplace_back("X-Slack-No-Retry", "1");  // the same bytes would fail the same way
  return r;
}

// Stores a signed request that does not parse, as Socket Mode stores a malformed envelope: kept
// for people to look at, marked rejected by the EventRouter. Slack is told not to retry it.
awaitable<ServerResponse> store_invalid(const Routes& routes, const ServerRequest& req, const Error& why) {
  spdlog::warn("slack http: malformed request on {}: {}", req.path, why.describe());
  slack::Envelope invalid;
  invalid.type = "invalid";
  invalid.payload_json = req.body;
  invalid.dedupe_key = slack::body_key(req.body);
  invalid.envelope_id = invalid.dedupe_key;
  auto stored = co_await routes.handler(invalid);
  if (!stored) {
    spdlog::error("slack http: malformed request not stored: {}", stored.error().describe());
    co_return ServerResponse::text(500, "not stored\n");
  }
  co_return no_retry(400, why.message + "\n");
}

// Persist, then answer: 200 (with the handler's response payload, if any) or 500 for a retry.
awaitable<ServerResponse> deliver(const Routes& routes, const slack::Envelope& env) {
  if (env.retry_attempt > 0) {
    spdlog::info("slack http: {} {} is retry {} ({})", env.type, env.dedupe_key, env.retry_attempt, env.retry_reason);
  }
  auto stored = co_await routes.handler(env);
  if (!stored) {
    spdlog::error("slack http: {} {} not persisted, answering 500 so Slack retries: {}", env.type, env.dedupe_key,
                  stored.error().describe());
    co_return ServerResponse::text(500, "not stored\n");
  }
  if (*stored && env.accepts_response_payload) co_return ServerResponse::json(200, std::move(**stored));
  co_return ServerResponse::text(200, "");
}

awaitable<ServerResponse> handle(std::shared_ptr<const Routes> routes, HttpEndpoint endpoint, ServerRequest req) {
  const auto started = routes->clock.steady_now();
  // Slack's ssl_check probes are answered before the signature check, as Bolt does: the answer
  // is an empty 200 and nothing is stored or run.
  if (endpoint != HttpEndpoint::Interactive && slack::is_ssl_check(req.body)) co_return ServerResponse::text(200, "");
  auto verdict = slack::verify_signature(routes->settings.signing_secret, req.headers, req.body, routes->clock,
                                         routes->settings.replay_window);
  if (verdict != slack::SignatureVerdict::Valid) {
    // Never the signature or the secret: only why, where and from whom.
    spdlog::warn("slack http: refused a request on {} from {}: {}", req.path, req.remote, slack::to_string(verdict));
    co_return ServerResponse::text(401, "invalid request signature\n");
  }
  auto parsed = slack::parse_http_delivery(endpoint, req.headers, req.body);
  ServerResponse response;
  if (!parsed) {
    const Error why = parsed.error();  // named: GCC 12 mishandles temporaries in co_await operands
    response = co_await store_invalid(*routes, req, why);
  } else if (auto* check = std::get_if<slack::UrlVerification>(&*parsed)) {
    spdlog::info("slack http: url_verification answered on {}", req.path);
    response = ServerResponse::text(200, check->challenge);
  } else if (std::holds_alternative<slack::SslCheck>(*parsed)) {
    response = ServerResponse::text(200, "");
  } else {
    response = co_await deliver(*routes, std::get<slack::Envelope>(*parsed));
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(routes->clock.steady_now() - started);
  if (took > routes->settings.slow_answer) {
    spdlog::warn("slack http: answered {} on {} after {} ms (Slack gives up at 3000 ms)", response.status, req.path,
                 took.count());
  }
  co_return response;
}

}  // namespace

void add_slack_http_routes(Router& router, HttpModeSettings settings, Clock& clock, slack::EnvelopeHandler handler) {
  auto routes = std::make_shared<const Routes>(Routes{std::move(settings), clock, std::move(handler)});
  const std::pair<std::string_view, HttpEndpoint> paths[] = {{slack::kEventsPath, HttpEndpoint::Events},
                                                             {slack::kCommandsPath, HttpEndpoint::Commands},
                                                             {slack::kInteractivePath, HttpEndpoint::Interactive}};
  for (const auto& [path, endpoint] : paths) {
    // Not a coroutine itself: the frame of handle() owns `routes`, whatever happens to the lambda.
    router.add("POST", std::string(path), [routes, endpoint = endpoint](ServerRequest req) {
      return handle(routes, endpoint, std::move(req));
    });
  }
}

}  // namespace alertbot::bot
