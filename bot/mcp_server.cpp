#include "bot/mcp_server.hpp"

#include <boost/json.hpp>
#include <exception>
#include <spdlog/spdlog.h>

#include "investigators/alerts/alert_limits.hpp"
#include "investigators/tools/tool_registry.hpp"

namespace alertbot::bot {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxEchoedBytes = 128;  // of a method or tool name quoted back in an error

constexpr std::string_view kInstructions =
    "Alertbot's investigator tools read the production data of the services configured in Alertbot: "
    "metrics (Prometheus), traces, logs, deploys, code diffs and earlier investigations. Start with "
    "list_services to see the services and which backends each has, then ask the tool for the data you "
    "need, e.g. query_metrics around an alert, search_traces then get_trace for slow or failing requests, "
    "list_deploys then get_diff for what changed. Answers are compact JSON summaries, capped in size. A "
    "tool result with isError explains what went wrong (an unknown service lists the known ones).";

// One request or notification that passed the JSON-RPC checks.
struct Request {
  json::value id;  // string or number; null for a notification
  bool notification = false;
  std::string method;
  json::value params;  // object, array, or null when absent
};

// What parse_message() made of a line: a request to run, or an immediate reply, or neither
// (a reply sent to us, which we ignore).
struct Parsed {
  std::optional<Request> request;
  std::optional<std::string> reply;
};

std::string quoted(std::string_view s) {
  std::string cut(investigators::alerts::cut_utf8(s, kMaxEchoedBytes));
  if (cut.size() < s.size()) cut += "...";
  return "'" + investigators::alerts::sanitize_utf8(cut) + "'";
}

std::string error_reply(const json::value& id, int code, std::string_view message) {
  json::object error;
  error["code"] = code;
  error["message"] = investigators::alerts::sanitize_utf8(message);
  json::object reply;
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["error"] = std::move(error);
  return json::serialize(reply);
}

std::string result_reply(const json::value& id, json::value result) {
  json::object reply;
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["result"] = std::move(result);
  return json::serialize(reply);
}

bool valid_id(const json::value& id) { return id.is_string() || id.is_number() || id.is_null(); }

Parsed parse_message(std::string_view line) {
  Parsed out;
  if (line.size() > kMaxMcpMessageBytes) {
    out.reply = mcp_parse_error("the message is longer than 4 MiB");
    return out;
  }
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec) {
    out.reply = mcp_parse_error("not JSON: " + ec.message());
    return out;
  }
  if (v.is_array()) {
    out.reply = error_reply(nullptr, jsonrpc::kInvalidRequest, "batches (JSON arrays) are not supported");
    return out;
  }
  if (!v.is_object()) {
    out.reply = error_reply(nullptr, jsonrpc::kInvalidRequest, "a message must be a JSON object");
    return out;
  }
  const json::object& o = v.get_object();
  const json::value* id = o.if_contains("id");
  if (id && !valid_id(*id)) {
    out.reply = error_reply(nullptr, jsonrpc::kInvalidRequest, "id must be a string or a number");
    return out;
  }
  json::value reply_id = id ? *id : json::value(nullptr);
  const json::value* version = o.if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0") {
    out.reply = error_reply(reply_id, jsonrpc::kInvalidRequest, "jsonrpc must be \"2.0\"");
    return out;
  }
  const json::value* method = o.if_contains("method");
  if (!method && (o.contains("result") || o.contains("error"))) return out;  // a reply: we send no requests
  if (!method || !method->is_string()) {
    out.reply = error_reply(reply_id, jsonrpc::kInvalidRequest, "method must be a string");
    return out;
  }
  const json::value* params = o.if_contains("params");
  if (params && !params->is_object() && !params->is_array()) {
    out.reply = error_reply(reply_id, jsonrpc::kInvalidRequest, "params must be an object or an array");
    return out;
  }
  Request r;
  r.id = reply_id;
  r.notification = id == nullptr;
  r.method = std::string(method->get_string());
  if (params) r.params = *params;
  out.request = std::move(r);
  return out;
}

// The params object of `r`, or null after setting `error` (params given but not an object).
const json::object* params_object(const Request& r, std::optional<std::string>& error) {
  static const json::object kEmpty;
  if (r.params.is_null()) return &kEmpty;
  if (r.params.is_object()) return &r.params.get_object();
  error = error_reply(r.id, jsonrpc::kInvalidParams, "params must be an object");
  return nullptr;
}

json::value tool_list_entry(const investigators::ToolInfo& info) {
  json::object tool;
  tool["name"] = info.name;
  tool["description"] = info.description;
  boost::system::error_code ec;
  json::value schema = json::parse(info.input_schema_json, ec);
  if (ec || !schema.is_object()) {
    json::object fallback;  // the registry checks schemas; this keeps the listing valid regardless
    fallback["type"] = "object";
    schema = std::move(fallback);
  }
  tool["inputSchema"] = std::move(schema);
  return tool;
}

std::string tools_list(const Request& r, const investigators::ToolRegistry& tools) {
  std::optional<std::string> error;
  const json::object* params = params_object(r, error);
  if (!params) return *error;
  const json::value* cursor = params->if_contains("cursor");
  if (cursor && !cursor->is_string() && !cursor->is_null()) {
    return error_reply(r.id, jsonrpc::kInvalidParams, "cursor must be a string");
  }
  json::array list;
  for (const auto& info : tools.list()) list.push_back(tool_list_entry(info));
  json::object result;
  result["tools"] = std::move(list);
  return result_reply(r.id, std::move(result));
}

// The initialize answer; sets `agreed` to the revision it names.
std::string initialize(const Request& r, const std::string& version, std::string& agreed) {
  std::optional<std::string> error;
  const json::object* params = params_object(r, error);
  if (!params) return *error;
  const json::value* asked = params->if_contains("protocolVersion");
  if (!asked || !asked->is_string()) {
    return error_reply(r.id, jsonrpc::kInvalidParams, "params.protocolVersion must be a string");
  }
  agreed = std::string(kMcpProtocolVersions[0]);
  for (std::string_view v : kMcpProtocolVersions) {
    if (asked->get_string() == v) agreed = std::string(v);
  }
  json::object tools_capability;
  tools_capability["listChanged"] = false;
  json::object capabilities;
  capabilities["tools"] = std::move(tools_capability);
  json::object info;
  info["name"] = "alertbot";
  info["title"] = "Alertbot";
  info["version"] = version;
  json::object result;
  result["protocolVersion"] = agreed;
  result["capabilities"] = std::move(capabilities);
  result["serverInfo"] = std::move(info);
  result["instructions"] = kInstructions;
  return result_reply(r.id, std::move(result));
}

std::string tool_result(const json::value& id, std::string_view text, bool is_error) {
  json::object item;
  item["type"] = "text";
  item["text"] = investigators::alerts::sanitize_utf8(text);
  json::array content;
  content.push_back(std::move(item));
  json::object result;
  result["content"] = std::move(content);
  result["isError"] = is_error;
  return result_reply(id, std::move(result));
}

// Checks the params of a tools/call: on success sets `name` and `arguments` (JSON text of an
// object) and returns nothing; otherwise returns the error reply.
std::optional<std::string> check_call(const Request& r, const investigators::ToolRegistry& tools, std::string& name,
                                      std::string& arguments) {
  std::optional<std::string> error;
  const json::object* params = params_object(r, error);
  if (!params) return error;
  const json::value* n = params->if_contains("name");
  if (!n || !n->is_string()) return error_reply(r.id, jsonrpc::kInvalidParams, "params.name must be a string");
  name = std::string(n->get_string());
  if (!tools.has(name)) return error_reply(r.id, jsonrpc::kInvalidParams, "unknown tool " + quoted(name));
  const json::value* args = params->if_contains("arguments");
  if (args && !args->is_object() && !args->is_null()) {
    return error_reply(r.id, jsonrpc::kInvalidParams, "params.arguments must be an object");
  }
  arguments = args && args->is_object() ? json::serialize(*args) : "{}";
  return std::nullopt;
}

}  // namespace

std::string mcp_parse_error(std::string_view why) {
  return error_reply(nullptr, jsonrpc::kParseError, "parse error: " + std::string(why));
}

McpServer::McpServer(const investigators::ToolRegistry& tools, std::string version)
    : tools_(tools), version_(std::move(version)) {}

awaitable<std::optional<std::string>> McpServer::handle(std::string line) {
  json::value id;
  try {
    Parsed parsed = parse_message(line);
    if (!parsed.request) co_return parsed.reply;
    const Request& r = *parsed.request;
    id = r.id;
    if (r.notification) {
      // Notifications get no reply, whatever they say; notifications/initialized only confirms the
      // handshake, which we do not wait for.
      spdlog::debug("mcp: notification {}", quoted(r.method));
      co_return std::nullopt;
    }
    if (r.method == "initialize") {
      std::string reply = initialize(r, version_, protocol_version_);
      if (!protocol_version_.empty()) initialized_ = true;
      co_return reply;
    }
    if (r.method == "ping") co_return result_reply(r.id, json::object());
    if (r.method == "tools/list") co_return tools_list(r, tools_);
    if (r.method != "tools/call") {
      co_return error_reply(r.id, jsonrpc::kMethodNotFound, "method not found: " + quoted(r.method));
    }
    std::string name;
    std::string arguments;
    if (auto error = check_call(r, tools_, name, arguments)) co_return error;
    Result<std::string> answer = co_await tools_.call(name, arguments);
    if (!answer) co_return tool_result(r.id, answer.error().describe(), true);
    co_return tool_result(r.id, *answer, false);
  } catch (const std::exception& e) {
    spdlog::error("mcp: a message failed: {}", e.what());
  } catch (...) {
    spdlog::error("mcp: a message failed with an unknown exception");
  }
  co_return error_reply(id, jsonrpc::kInternalError, "internal error");
}

}  // namespace alertbot::bot
