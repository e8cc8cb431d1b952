#include "investigators/tools/investigator_tools.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <variant>

#include "investigators/tools/tool_context.hpp"
#include "net/gather.hpp"
#include "investigators/tools/tool_json.hpp"
#include "net/clock.hpp"
#include "net/duration.hpp"

namespace alertbot::investigators {
namespace tools {
namespace {

using namespace boost::asio::experimental::awaitable_operators;
namespace json = boost::json;

// Known services listed in an "unknown service" message.
constexpr std::size_t kMaxKnownListed = 50;

awaitable<Result<std::string>> run_with_deadline(ToolDeps deps, std::string name, ToolFn fn, json::object args) {
  auto raced = co_await (fn(deps, std::move(args)) || deps.clock.sleep_for(deps.deadline));
  if (raced.index() == 0) co_return std::move(std::get<0>(raced));
  if (!std::get<1>(raced)) co_return fail(Errc::Cancelled, name + ": cancelled");
  co_return fail(Errc::Timeout, name + ": no answer within " + format_duration(deps.deadline));
}

}  // namespace

Result<void> add_tool(ToolRegistry& registry, const ToolDeps& deps, ToolInfo info, ToolFn fn) {
  std::string name = info.name;
  return registry.add(std::move(info), [deps, name, fn](json::object args) {
    return run_with_deadline(deps, name, fn, std::move(args));
  });
}

Result<const ServiceSettings*> find_service(const ToolDeps& deps, const json::object& args) {
  std::string name = string_arg(args, "service");
  for (const auto& s : deps.services) {
    if (s.name == name) return &s;
  }
  std::string known;
  for (std::size_t i = 0; i < deps.services.size() && i < kMaxKnownListed; ++i) {
    known += (i ? ", " : "") + deps.services[i].name;
  }
  if (deps.services.size() > kMaxKnownListed) known += ", ... (" + std::to_string(deps.services.size()) + " in all)";
  if (known.empty()) known = "none are configured";
  return fail(Errc::InvalidArgument, "unknown service \"" + clip(name, 100) + "\"; known services: " + known);
}

Error unavailable(const ServiceSettings& service, const std::string& what, const std::string& setting) {
  return fail(Errc::Unavailable, "service " + service.name + " has no " + what + " backend: configure " + setting);
}

Window minutes_window(const ToolDeps& deps, const json::object& args) {
  Time now = deps.clock.system_now();
  return {now - std::chrono::minutes(int_arg(args, "minutes", 60)), now};
}

Window hours_window(const ToolDeps& deps, const json::object& args) {
  Time now = deps.clock.system_now();
  return {now - std::chrono::hours(int_arg(args, "hours", 24)), now};
}

json::object window_json(const Window& w) {
  json::object o;
  o["start"] = rfc3339(w.start);
  o["end"] = rfc3339(w.end);
  return o;
}

Query make_query(const ServiceSettings& service, const Window& w) {
  Query q;
  q.service = service.name;
  q.settings = &service;
  q.start = w.start;
  q.end = w.end;
  return q;
}

std::vector<std::unique_ptr<Source>> sources_of(const ToolDeps& deps, const ServiceSettings& service, SourceKind kind) {
  std::vector<std::unique_ptr<Source>> out;
  for (auto& s : deps.sources.create_for(service)) {
    if (s->kind() == kind) out.push_back(std::move(s));
  }
  return out;
}

awaitable<Result<Fetched>> fetch_all(std::vector<std::unique_ptr<Source>> sources, Query q) {
  std::vector<awaitable<Result<SourceData>>> calls;
  calls.reserve(sources.size());
  for (auto& s : sources) calls.push_back(s->fetch(q));
  auto results = co_await gather(std::move(calls));
  Fetched out;
  std::optional<Error> first_error;
  for (auto& r : results) {
    if (!r) {
      if (!first_error) first_error = r.error();
      out.notes.push_back(r.error().describe());
      continue;
    }
    for (auto& n : r->notes) out.notes.push_back(std::move(n));
    out.data.push_back(std::move(*r));
  }
  if (out.data.empty() && first_error) co_return *first_error;
  co_return out;
}

json::array notes_json(const std::vector<std::string>& notes, std::size_t max) {
  json::array out;
  for (std::size_t i = 0; i < notes.size() && i < max; ++i) out.emplace_back(clip(notes[i], 300));
  if (notes.size() > max) out.emplace_back(std::to_string(notes.size() - max) + " more notes left out");
  return out;
}

}  // namespace tools

Result<void> register_investigator_tools(ToolRegistry& registry, ToolDeps deps) {
  for (auto add : {tools::add_service_tools, tools::add_metric_tools, tools::add_trace_tools, tools::add_deploy_tools,
                   tools::add_log_tools}) {
    if (auto r = add(registry, deps); !r) return r;
  }
  return {};
}

}  // namespace alertbot::investigators
