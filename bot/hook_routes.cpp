#include "bot/hook_routes.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bot/config.hpp"
#include "net/clock.hpp"
#include "net/encoding.hpp"
#include "net/json_fields.hpp"
#include "net/time_format.hpp"
#include "store/store.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;

constexpr std::string_view kAlertRoutes[] = {"alertmanager", "grafana", "datadog", "pagerduty", "generic"};
// Fields of a deploy record are one line each; longer is a mistake.
constexpr std::size_t kMaxDeployField = 1024;
// deployed_at: not before 2000-01-01, not more than a day ahead of our clock.
constexpr double kEarliestDeploy = 946684800;
constexpr double kMaxDeployAhead = 86400;

std::string hex_sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Bearer <token>, or Basic base64(user:token) (Grafana's contact points offer basic auth).
bool authorized(const ServerRequest& req, const std::string& token) {
  auto h = req.header("authorization");
  if (!h || token.empty()) return false;
  std::string_view v = *h;
  if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) return same_secret(v.substr(7), token);
  if (v.size() > 6 && (v.substr(0, 6) == "Basic " || v.substr(0, 6) == "basic ")) {
    std::string decoded = base64_decode(v.substr(6)).value_or("");
    auto colon = decoded.find(':');
    return colon != std::string::npos && same_secret(std::string_view(decoded).substr(colon + 1), token);
  }
  return false;
}

ServerResponse refuse(const ServerRequest& req) {
  spdlog::warn("hooks: refused {} from {}: missing or wrong token", req.path, req.remote);
  return ServerResponse::json(401, R"({"ok":false,"error":"missing or wrong hook token"})");
}

awaitable<ServerResponse> alert_hook(std::string format, const HooksSettings& settings, Clock& clock,
                                     std::shared_ptr<slack::EnvelopeHandler> handler, ServerRequest req) {
  if (!authorized(req, settings.token)) co_return refuse(req);
  slack::Envelope env;
  env.type = std::string(kHookTypePrefix) + format;
  env.payload_json = std::move(req.body);
  // A sender's retry of the same body lands in the same minute; Alertmanager's repeat of a
  // still-firing group (repeat_interval) sends the same body hours later and must count again.
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(clock.system_now().time_since_epoch()).count();
  env.dedupe_key =
      "hook:" + hex_sha256(env.type + "\n" + std::to_string(minute) + "\n" + env.payload_json).substr(0, 40);
  env.envelope_id = env.dedupe_key;
  auto stored = co_await (*handler)(env);
  if (!stored) {
    spdlog::error("hooks: {} body not stored, answering 500 so the sender retries: {}", format, stored.error().describe());
    co_return ServerResponse::json(500, R"({"ok":false,"error":"not stored"})");
  }
  co_return ServerResponse::json(200, json::serialize(json::object{{"ok", true}, {"event", env.dedupe_key}}));
}

Result<store::DeployRow> parse_deploy(std::string_view body, SystemTime now) {
  auto o = parse_json_object(body, "deploy");
  if (!o) return o.error();
  store::DeployRow d;
  struct Field {
    const char* key;
    std::string* out;
    bool required;
  };
  const Field fields[] = {{"service", &d.service, true},       {"version", &d.version, true},
                          {"previous_version", &d.previous_version, false}, {"environment", &d.environment, false},
                          {"id", &d.external_id, false},        {"author", &d.author, false},
                          {"description", &d.description, false}};
  for (const auto& f : fields) {
    const json::value* v = o->if_contains(f.key);
    if (!v || v->is_null()) {
      if (f.required) return fail(Errc::ParseError, std::string("deploy: ") + f.key + ": missing");
      continue;
    }
    if (v->is_int64() && std::string_view(f.key) == "id") {
      *f.out = std::to_string(v->as_int64());
      continue;
    }
    if (!v->is_string()) return fail(Errc::ParseError, std::string("deploy: ") + f.key + ": expected a string");
    if (v->as_string().size() > kMaxDeployField) return fail(Errc::ParseError, std::string("deploy: ") + f.key + ": too long");
    *f.out = std::string(v->as_string());
    if (f.required && f.out->empty()) return fail(Errc::ParseError, std::string("deploy: ") + f.key + ": must not be empty");
  }
  d.source = "webhook";
  d.deployed_at = now;
  // Untrusted: a time far from now is a mistake (and past year 2262 it would not fit a time point).
  auto plausible = [&](double unix_seconds) {
    return unix_seconds > kEarliestDeploy && unix_seconds < to_unix_seconds(now) + kMaxDeployAhead;
  };
  if (const json::value* at = o->if_contains("deployed_at"); at && !at->is_null()) {
    if (at->is_string()) {
      std::string_view text = at->as_string();
      if (text.size() < 4 || text.substr(0, 4) < "2000" || text.substr(0, 4) > "2199") {
        return fail(Errc::ParseError, "deploy: deployed_at: year outside 2000-2199");
      }
      auto t = parse_rfc3339(text);
      if (!t) return fail(Errc::ParseError, "deploy: deployed_at: " + t.error().message);
      if (!plausible(to_unix_seconds(*t))) return fail(Errc::ParseError, "deploy: deployed_at: more than a day ahead");
      d.deployed_at = *t;
    } else if (at->is_number()) {
      const double secs = at->to_number<double>();
      if (!plausible(secs)) return fail(Errc::ParseError, "deploy: deployed_at: not a plausible Unix time (seconds)");
      d.deployed_at = from_unix_seconds(secs);
    } else {
      return fail(Errc::ParseError, "deploy: deployed_at: expected an RFC 3339 time or Unix seconds");
    }
  }
  return d;
}

awaitable<ServerResponse> deploy_hook(const HooksSettings& settings, store::Store& store, Clock& clock, ServerRequest req) {
  if (!authorized(req, settings.token)) co_return refuse(req);
  auto deploy = parse_deploy(req.body, clock.system_now());
  if (!deploy) {
    spdlog::warn("hooks: deploy refused: {}", deploy.error().message);
    co_return ServerResponse::json(400, json::serialize(json::object{{"ok", false}, {"error", deploy.error().message}}));
  }
  const std::string service = deploy->service, version = deploy->version;
  auto id = co_await store.add_deploy(std::move(*deploy));
  if (!id) {
    const int status = id.error().code == Errc::Conflict ? 409 : 500;
    spdlog::warn("hooks: deploy of {} {} not stored: {}", service, version, id.error().describe());
    co_return ServerResponse::json(status, json::serialize(json::object{{"ok", false}, {"error", id.error().message}}));
  }
  spdlog::info("hooks: deploy {} of {} {} recorded", *id, service, version);
  co_return ServerResponse::json(201, json::serialize(json::object{{"ok", true}, {"deploy_id", *id}}));
}

}  // namespace

void add_hook_routes(Router& router, const HooksSettings& settings, store::Store& store, Clock& clock,
                     slack::EnvelopeHandler handler) {
  router.add("POST", "/hooks/deploy", [&settings, &store, &clock](ServerRequest req) {
    return deploy_hook(settings, store, clock, std::move(req));
  });
  if (settings.channel.empty()) return;
  auto shared = std::make_shared<slack::EnvelopeHandler>(std::move(handler));
  for (std::string_view format : kAlertRoutes) {
    router.add("POST", "/hooks/" + std::string(format), [&settings, &clock, shared, format = std::string(format)](ServerRequest req) {
      return alert_hook(format, settings, clock, shared, std::move(req));
    });
  }
}

}  // namespace alertbot::bot
