// ToolRegistry: the investigators as tools with JSON-Schema arguments, for the LLM's tool-calling
// follow-ups (bot/) and for MCP clients (`alertbot mcp`). A tool takes a JSON object of arguments
// and answers with compact JSON text meant for a model to read (capped, summarised: never a raw
// backend dump). Arguments are untrusted (they come from a model or an MCP client): call() checks
// them against the tool's schema before the handler runs, and a handler's trouble is an Error,
// never a throw. The registry knows nothing of Slack or of any LLM provider.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// The largest answer a tool gives; handlers summarise to stay under it, call() cuts what is over
// (at a UTF-8 boundary, saying so).
inline constexpr std::size_t kMaxToolResultBytes = 12 * 1024;

struct ToolInfo {
  std::string name;         // [a-z_]{1,64}, unique
  std::string description;  // what it does and when to use it, for the model
  // A JSON Schema object: {"type":"object","properties":{...},"required":[...],
  // "additionalProperties":false}. Supported keywords for checking: type (string, integer, number,
  // boolean), enum, minimum, maximum, minLength, maxLength, required, additionalProperties:false.
  std::string input_schema_json;
};

// Runs one call with checked arguments; returns the answer as JSON text.
using ToolHandler = std::function<awaitable<Result<std::string>>(boost::json::object args)>;

class ToolRegistry {
 public:
  // Errors: InvalidArgument (bad name or schema that is not a JSON object), Conflict (duplicate).
  Result<void> add(ToolInfo info, ToolHandler handler);
  const std::vector<ToolInfo>& list() const { return infos_; }
  bool has(std::string_view name) const;

  // Parses `arguments_json` (an empty string means {}), checks it against the tool's schema and
  // runs the handler. Errors: NotFound (no such tool), InvalidArgument (arguments not a JSON
  // object, or breaking the schema: the message names the argument and the rule), and whatever
  // the handler returned (backend errors). A handler that throws gives Internal. An answer over
  // kMaxToolResultBytes is replaced by {"truncated":true,"note":"...","text":"<its start>"}: still
  // one JSON object within the cap, `text` the answer's first bytes cut at a UTF-8 boundary.
  // Argument errors read "<tool>: argument <name>: <rule>".
  awaitable<Result<std::string>> call(std::string_view name, std::string_view arguments_json) const;

 private:
  std::vector<ToolInfo> infos_;
  std::vector<ToolHandler> handlers_;
  std::vector<boost::json::object> schemas_;
};

// Checks `args` against `schema` (the subset of keywords listed in ToolInfo). Errors:
// InvalidArgument naming the argument and the rule ("argument minutes: must be at most 1440").
Result<void> check_arguments(const boost::json::object& schema, const boost::json::object& args);

}  // namespace alertbot::investigators
