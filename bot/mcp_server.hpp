// McpServer: the Model Context Protocol (MCP) server side of `alertbot mcp`, without the transport.
// handle() takes one JSON-RPC 2.0 message (one line of the stdio transport, without its newline)
// and gives the reply line (no newline: serialised JSON never holds one), or nothing for
// notifications and for replies sent to us. Methods: initialize, notifications/initialized, ping,
// tools/list, tools/call (the ToolRegistry's tools). Input is untrusted: every problem becomes a
// JSON-RPC error or a tool result with isError, never a throw.
//   - A tool's own failure (a backend error, arguments breaking the tool's schema) is a result with
//     isError:true and the error text, so the model can read it and correct itself; an unknown tool
//     is JSON-RPC error -32602.
//   - Requests before initialize are served anyway (clients that skip the handshake still work).
//   - Batches (JSON arrays) are not part of the 2025-06-18 revision: -32600.
//   - notifications/cancelled is ignored (allowed by the spec): a cancelled call still answers.
// Several handle() calls may be in flight at once (tools/call suspends). Single executor: the
// server and the registry are used from one thread; the registry must outlive the server.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "net/asio_fwd.hpp"

namespace alertbot::investigators {
class ToolRegistry;
}

namespace alertbot::bot {

// The longest message accepted; a longer line is answered with a parse error (-32700).
inline constexpr std::size_t kMaxMcpMessageBytes = 4 * 1024 * 1024;

// The protocol revisions we speak, newest first. initialize echoes the client's revision when it
// is one of these and answers the newest otherwise.
inline constexpr std::string_view kMcpProtocolVersions[] = {"2025-06-18", "2025-03-26", "2024-11-05"};

// JSON-RPC 2.0 error codes.
namespace jsonrpc {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
}  // namespace jsonrpc

class McpServer {
 public:
  // `version` is reported as serverInfo.version.
  McpServer(const investigators::ToolRegistry& tools, std::string version);

  // Handles one message. Suspends while a tool runs. Never throws; the reply is one line of JSON.
  awaitable<std::optional<std::string>> handle(std::string line);

  // True once an initialize request was answered.
  bool initialized() const { return initialized_; }
  // The revision agreed at initialize (empty before).
  const std::string& protocol_version() const { return protocol_version_; }

 private:
  const investigators::ToolRegistry& tools_;
  const std::string version_;
  bool initialized_ = false;
  std::string protocol_version_;
};

// The parse-error reply for a message that could not be read at all (too long, not JSON).
std::string mcp_parse_error(std::string_view why);

}  // namespace alertbot::bot
