// list_services and find_similar_investigations.
#include <boost/json/array.hpp>

#include "investigators/sources/past_search.hpp"
#include "investigators/tools/tool_context.hpp"
#include "investigators/tools/tool_json.hpp"
#include "net/clock.hpp"

namespace alertbot::investigators::tools {
namespace {

namespace json = boost::json;

// Services listed; a config with more says how many were left out.
constexpr std::size_t kMaxServices = 100;

json::array metric_roles(const ServiceSettings& s) {
  json::array out;
  if (!s.prometheus) return out;
  if (!s.prometheus->latency.empty()) out.emplace_back("latency");
  if (!s.prometheus->errors.empty()) out.emplace_back("errors");
  if (!s.prometheus->saturation.empty()) out.emplace_back("saturation");
  if (!s.prometheus->traffic.empty()) out.emplace_back("traffic");
  return out;
}

json::object past_json(const PastInvestigation& p) {
  json::object o;
  o["id"] = clip(p.id, 100);
  o["at"] = rfc3339(p.at);
  o["service"] = clip(p.service, 100);
  o["alert"] = clip(p.alert_name, 200);
  o["top_cause"] = p.top_cause.empty() ? std::string("(none: it abstained)") : clip(p.top_cause, 300);
  if (!p.suspect_kind.empty()) {
    json::object suspect;
    suspect["kind"] = clip(p.suspect_kind, 40);
    suspect["ref"] = clip(p.suspect_ref, 200);
    o["suspect"] = std::move(suspect);
  }
  if (!p.feedback.empty()) o["feedback"] = clip(p.feedback, 40);
  o["similarity"] = p.similarity;
  return o;
}

json::object service_json(const ToolDeps& deps, const ServiceSettings& s) {
  json::array backends;
  for (const auto& src : deps.sources.create_for(s)) backends.emplace_back(src->name());
  if (auto diff = deps.sources.diff_for(s)) backends.emplace_back(diff->name());
  json::object o;
  o["name"] = clip(s.name, 200);
  o["backends"] = std::move(backends);
  json::array roles = metric_roles(s);
  if (!roles.empty()) o["metrics"] = std::move(roles);
  if (!s.downstream.empty()) {
    json::array down;
    for (std::size_t k = 0; k < s.downstream.size() && k < 20; ++k) down.emplace_back(clip(s.downstream[k], 100));
    o["downstream"] = std::move(down);
  }
  return o;
}

awaitable<Result<std::string>> list_services(ToolDeps deps, json::object) {
  json::array services;
  std::size_t used = 0;
  for (std::size_t i = 0; i < deps.services.size() && i < kMaxServices; ++i) {
    if (!append_within(services, service_json(deps, deps.services[i]), used)) break;
  }
  json::object out;
  out["count"] = deps.services.size();
  if (services.size() < deps.services.size()) {
    out["truncated"] = "the first " + std::to_string(services.size()) + " of " + std::to_string(deps.services.size()) + " services";
  }
  out["services"] = std::move(services);
  co_return to_compact_json(out);
}

awaitable<Result<std::string>> find_similar_investigations(ToolDeps deps, json::object args) {
  auto service = find_service(deps, args);
  if (!service) co_return service.error();
  if (!deps.past) co_return fail(Errc::Unavailable, "no store of past investigations is configured");
  std::string words = string_arg(args, "words");
  if (words.empty()) words = (*service)->name;
  int limit = static_cast<int>(int_arg(args, "limit", 5));
  Time now = deps.clock.system_now();
  auto found = co_await deps.past->similar((*service)->name, words, now, limit);
  if (!found) co_return found.error();
  json::array list;
  for (const auto& p : *found) {
    if (list.size() == static_cast<std::size_t>(limit)) break;
    list.push_back(past_json(p));
  }
  json::object out;
  out["service"] = (*service)->name;
  out["words"] = clip(words, 200);
  out["count"] = list.size();
  out["investigations"] = std::move(list);
  co_return to_compact_json(out);
}

}  // namespace

Result<void> add_service_tools(ToolRegistry& registry, const ToolDeps& deps) {
  ToolInfo list{"list_services",
                "The services this bot knows, with the backends each has (metrics, traces, logs, deploys, code). Call it "
                "first to learn the service names the other tools take.",
                R"j({"type":"object","properties":{},"additionalProperties":false})j"};
  if (auto r = add_tool(registry, deps, std::move(list), list_services); !r) return r;
  if (!deps.past) return {};
  ToolInfo similar{"find_similar_investigations",
                   "Earlier investigations of a service (optionally matching some words, e.g. an alert name or a "
                   "symptom), most similar first, with the cause each found and people's feedback on it.",
                   R"j({"type":"object","properties":{
"service":{"type":"string","minLength":1,"maxLength":200,"description":"a service name from list_services"},
"words":{"type":"string","maxLength":500,"description":"words to match (alert name, symptom); default: the service name"},
"limit":{"type":"integer","minimum":1,"maximum":10,"description":"at most this many (default 5)"}},
"required":["service"],"additionalProperties":false})j"};
  return add_tool(registry, deps, std::move(similar), find_similar_investigations);
}

}  // namespace alertbot::investigators::tools
