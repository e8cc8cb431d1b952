// Internal to investigators/tools: what the built-in tools share. Each tools file registers its
// tools with add_tool(), which runs every call under ToolDeps::deadline (Timeout when it passes;
// the handler's requests are cancelled and awaited first). A handler is a free coroutine taking
// the deps and its checked arguments by value, so nothing it uses lives in the registry.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "investigators/source_registry.hpp"
#include "investigators/tools/investigator_tools.hpp"

namespace alertbot::investigators::tools {

using ToolFn = awaitable<Result<std::string>> (*)(ToolDeps deps, boost::json::object args);

// Errors: as ToolRegistry::add.
Result<void> add_tool(ToolRegistry& registry, const ToolDeps& deps, ToolInfo info, ToolFn fn);

// The configured service args["service"] names. Errors: InvalidArgument naming the known ones.
Result<const ServiceSettings*> find_service(const ToolDeps& deps, const boost::json::object& args);

// Unavailable: "service <name> has no <what> backend: configure <setting>".
Error unavailable(const ServiceSettings& service, const std::string& what, const std::string& setting);

struct Window {
  Time start;
  Time end;
};
// [now - minutes, now] from args["minutes"] (default 60), [now - hours, now] from args["hours"]
// (default 24); the schemas bound both.
Window minutes_window(const ToolDeps& deps, const boost::json::object& args);
Window hours_window(const ToolDeps& deps, const boost::json::object& args);
// {"start":..., "end":...} in RFC 3339.
boost::json::object window_json(const Window& w);

// What the pipeline would ask a source about `service` over `w`.
Query make_query(const ServiceSettings& service, const Window& w);

// The sources of `kind` that `service` configures, in registration order.
std::vector<std::unique_ptr<Source>> sources_of(const ToolDeps& deps, const ServiceSettings& service, SourceKind kind);

// What every source fetched at once brought, with each failure and each source note as a note.
struct Fetched {
  std::vector<SourceData> data;
  std::vector<std::string> notes;
};
// Fetches `q` from all `sources` concurrently. Errors: the first failure when every source failed.
awaitable<Result<Fetched>> fetch_all(std::vector<std::unique_ptr<Source>> sources, Query q);

// At most `max` notes, each cut to 300 bytes (the count of the rest as a last note).
boost::json::array notes_json(const std::vector<std::string>& notes, std::size_t max = 5);

// Each tools file's tools. Errors: as ToolRegistry::add.
Result<void> add_service_tools(ToolRegistry& registry, const ToolDeps& deps);  // list_services, find_similar_investigations
Result<void> add_metric_tools(ToolRegistry& registry, const ToolDeps& deps);   // query_metrics
Result<void> add_trace_tools(ToolRegistry& registry, const ToolDeps& deps);    // search_traces, get_trace
Result<void> add_deploy_tools(ToolRegistry& registry, const ToolDeps& deps);   // list_deploys, get_diff
Result<void> add_log_tools(ToolRegistry& registry, const ToolDeps& deps);      // search_logs

}  // namespace alertbot::investigators::tools
