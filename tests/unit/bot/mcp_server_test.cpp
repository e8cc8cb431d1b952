// McpServer: each MCP method, each JSON-RPC error code, notifications, tool failures as isError
// results, and untrusted input that must never crash or throw.
#include "bot/mcp_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <random>
#include <stdexcept>

#include "investigators/tools/tool_registry.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using investigators::ToolInfo;
using investigators::ToolRegistry;
using testing::run_coro;

constexpr const char* kEchoSchema =
    R"j({"type":"object","properties":{"text":{"type":"string","maxLength":100}},"required":["text"],"additionalProperties":false})j";
constexpr const char* kNoArgs = R"j({"type":"object","properties":{},"additionalProperties":false})j";

class McpServerTest : public ::testing::Test {
 protected:
  McpServerTest() {
    add("echo", "Echoes its text.", kEchoSchema, [](json::object args) -> awaitable<Result<std::string>> {
      json::object out;
      out["echo"] = args.at("text");
      co_return json::serialize(out);
    });
    add("broken", "Always fails.", kNoArgs, [](json::object) -> awaitable<Result<std::string>> {
      co_return fail(Errc::Unavailable, "service checkout has no prometheus configured");
    });
    add("thrower", "Throws.", kNoArgs, [](json::object) -> awaitable<Result<std::string>> {
      throw std::runtime_error("boom");
      co_return std::string();
    });
    add("multiline", "Answers text with newlines.", kNoArgs, [](json::object) -> awaitable<Result<std::string>> {
      co_return std::string("line one\nline two\r\n\"quoted\"");
    });
    add("slow", "Waits until the test releases it.", kNoArgs, [this](json::object) -> awaitable<Result<std::string>> {
      ++slow_started_;
      co_await gate_.async_wait(asio::as_tuple(asio::use_awaitable));
      co_return std::string("{\"slow\":true}");
    });
  }

  void add(std::string name, std::string description, std::string schema, investigators::ToolHandler handler) {
    ToolInfo info;
    info.name = std::move(name);
    info.description = std::move(description);
    info.input_schema_json = std::move(schema);
    ASSERT_TRUE(registry_.add(std::move(info), std::move(handler)).has_value());
  }

  std::optional<std::string> raw(std::string line) { return run_coro(io_, server_.handle(std::move(line))); }

  // The reply to `line` as JSON; fails the test when there is none or it is not one JSON line.
  json::object reply(std::string line) {
    auto text = raw(std::move(line));
    if (!text) {
      ADD_FAILURE() << "no reply";
      return {};
    }
    EXPECT_EQ(text->find('\n'), std::string::npos) << *text;
    boost::system::error_code ec;
    json::value v = json::parse(*text, ec);
    if (ec || !v.is_object()) {
      ADD_FAILURE() << "reply is not a JSON object: " << *text;
      return {};
    }
    EXPECT_EQ(v.at("jsonrpc"), "2.0");
    return v.get_object();
  }

  // Expects a JSON-RPC error with `code` for `line`; returns the reply.
  json::object expect_error(const std::string& line, int code, const json::value& id = nullptr) {
    json::object r = reply(line);
    EXPECT_FALSE(r.contains("result")) << line;
    EXPECT_EQ(r.at("id"), id) << line;
    const json::value* error = r.if_contains("error");
    if (!error) {
      ADD_FAILURE() << "no error for " << line;
      return r;
    }
    EXPECT_EQ(error->at("code").to_number<int>(), code) << line;
    EXPECT_TRUE(error->at("message").is_string());
    return r;
  }

  json::object call(const std::string& tool, const std::string& arguments) {
    json::object r = reply(R"j({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":")j" + tool +
                           R"j(","arguments":)j" + arguments + "}}");
    EXPECT_EQ(r.at("id"), 7);
    if (!r.contains("result")) ADD_FAILURE() << json::serialize(r);
    return r.contains("result") ? r.at("result").get_object() : json::object();
  }

  asio::io_context io_;
  asio::steady_timer gate_{io_, asio::steady_timer::time_point::max()};
  int slow_started_ = 0;
  ToolRegistry registry_;
  McpServer server_{registry_, "1.2.3"};
};

std::string initialize_with(std::string_view version) {
  return R"j({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")j" + std::string(version) +
         R"j(","capabilities":{},"clientInfo":{"name":"test","version":"0"}}})j";
}

TEST_F(McpServerTest, InitializeAnswersCapabilitiesServerInfoAndInstructions) {
  EXPECT_FALSE(server_.initialized());
  json::object r = reply(initialize_with("2025-06-18"));
  EXPECT_EQ(r.at("id"), 1);
  const json::object& result = r.at("result").get_object();
  EXPECT_EQ(result.at("protocolVersion"), "2025-06-18");
  EXPECT_EQ(result.at("capabilities").at("tools").at("listChanged"), false);
  EXPECT_EQ(result.at("serverInfo").at("name"), "alertbot");
  EXPECT_EQ(result.at("serverInfo").at("version"), "1.2.3");
  EXPECT_NE(result.at("instructions").as_string().find("list_services"), json::string::npos);
  EXPECT_TRUE(server_.initialized());
  EXPECT_EQ(server_.protocol_version(), "2025-06-18");
}

TEST_F(McpServerTest, InitializeEchoesEverySupportedRevision) {
  for (std::string_view v : kMcpProtocolVersions) {
    json::object r = reply(initialize_with(v));
    EXPECT_EQ(r.at("result").at("protocolVersion"), json::string(v));
  }
}

TEST_F(McpServerTest, InitializeAnswersTheLatestRevisionForAnUnknownOne) {
  json::object r = reply(initialize_with("2099-01-01"));
  EXPECT_EQ(r.at("result").at("protocolVersion"), "2025-06-18");
}

TEST_F(McpServerTest, InitializeWithoutProtocolVersionIsInvalidParams) {
  expect_error(R"j({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})j", jsonrpc::kInvalidParams, 1);
  expect_error(R"j({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":5}})j",
               jsonrpc::kInvalidParams, 1);
  expect_error(R"j({"jsonrpc":"2.0","id":1,"method":"initialize"})j", jsonrpc::kInvalidParams, 1);
  EXPECT_FALSE(server_.initialized());
}

TEST_F(McpServerTest, NotificationsGetNoReply) {
  EXPECT_EQ(raw(R"j({"jsonrpc":"2.0","method":"notifications/initialized"})j"), std::nullopt);
  EXPECT_EQ(raw(R"j({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})j"), std::nullopt);
  EXPECT_EQ(raw(R"j({"jsonrpc":"2.0","method":"no/such/notification"})j"), std::nullopt);
}

TEST_F(McpServerTest, AToolCallSentAsANotificationDoesNotRun) {
  EXPECT_EQ(raw(R"j({"jsonrpc":"2.0","method":"tools/call","params":{"name":"slow"}})j"), std::nullopt);
  EXPECT_EQ(slow_started_, 0);
}

TEST_F(McpServerTest, RepliesSentToTheServerAreIgnored) {
  EXPECT_EQ(raw(R"j({"jsonrpc":"2.0","id":4,"result":{}})j"), std::nullopt);
  EXPECT_EQ(raw(R"j({"jsonrpc":"2.0","id":4,"error":{"code":-1,"message":"x"}})j"), std::nullopt);
}

TEST_F(McpServerTest, PingAnswersAnEmptyResultWithTheSameId) {
  json::object r = reply(R"j({"jsonrpc":"2.0","id":"ping-1","method":"ping"})j");
  EXPECT_EQ(r.at("id"), "ping-1");
  EXPECT_EQ(r.at("result"), json::object());
}

TEST_F(McpServerTest, RequestsBeforeInitializeAreServed) {
  json::object r = reply(R"j({"jsonrpc":"2.0","id":2,"method":"tools/list"})j");
  EXPECT_EQ(r.at("result").at("tools").as_array().size(), 5u);
  EXPECT_FALSE(server_.initialized());
}

TEST_F(McpServerTest, ToolsListGivesNameDescriptionAndInputSchema) {
  json::object r = reply(R"j({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"abc"}})j");
  const json::array& tools = r.at("result").at("tools").as_array();
  ASSERT_EQ(tools.size(), 5u);
  EXPECT_EQ(tools[0].at("name"), "echo");
  EXPECT_EQ(tools[0].at("description"), "Echoes its text.");
  EXPECT_EQ(tools[0].at("inputSchema"), json::parse(kEchoSchema));
  EXPECT_EQ(tools[1].at("name"), "broken");
  EXPECT_FALSE(r.at("result").as_object().contains("nextCursor"));
}

TEST_F(McpServerTest, ToolsListRejectsACursorThatIsNotAString) {
  expect_error(R"j({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":3}})j", jsonrpc::kInvalidParams, 2);
}

TEST_F(McpServerTest, ToolsCallPutsTheAnswerInTheFirstTextContent) {
  json::object result = call("echo", R"j({"text":"hello"})j");
  EXPECT_EQ(result.at("isError"), false);
  const json::array& content = result.at("content").as_array();
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(content[0].at("type"), "text");
  EXPECT_EQ(json::parse(content[0].at("text").as_string()), json::parse(R"j({"echo":"hello"})j"));
}

TEST_F(McpServerTest, ToolsCallWithoutArgumentsPassesAnEmptyObject) {
  json::object r = reply(R"j({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"broken"}})j");
  EXPECT_EQ(r.at("result").at("isError"), true);  // it ran: the failure is the tool's own
}

TEST_F(McpServerTest, AToolsOwnFailureIsAResultWithIsError) {
  json::object result = call("broken", "{}");
  EXPECT_EQ(result.at("isError"), true);
  std::string text(result.at("content").at(0).at("text").as_string());
  EXPECT_NE(text.find("no prometheus configured"), std::string::npos) << text;
}

TEST_F(McpServerTest, ArgumentsBreakingTheSchemaAreAToolErrorTheModelCanRead) {
  json::object result = call("echo", R"j({"text":7})j");
  EXPECT_EQ(result.at("isError"), true);
  std::string text(result.at("content").at(0).at("text").as_string());
  EXPECT_NE(text.find("text"), std::string::npos) << text;
  EXPECT_EQ(call("echo", "{}").at("isError"), true);
}

TEST_F(McpServerTest, AThrowingToolIsAnErrorResultNotACrash) {
  json::object result = call("thrower", "{}");
  EXPECT_EQ(result.at("isError"), true);
}

TEST_F(McpServerTest, AnswersWithNewlinesStayOnOneLine) {
  json::object result = call("multiline", "{}");  // reply() checks there is no newline in the line
  EXPECT_EQ(result.at("content").at(0).at("text"), "line one\nline two\r\n\"quoted\"");
}

TEST_F(McpServerTest, AnUnknownToolIsInvalidParams) {
  json::object r = expect_error(R"j({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"nope"}})j",
                                jsonrpc::kInvalidParams, 5);
  EXPECT_NE(r.at("error").at("message").as_string().find("nope"), json::string::npos);
}

TEST_F(McpServerTest, BadToolsCallParamsAreInvalidParams) {
  expect_error(R"j({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{}})j", jsonrpc::kInvalidParams, 5);
  expect_error(R"j({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":1}})j", jsonrpc::kInvalidParams, 5);
  expect_error(R"j({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":"{}"}})j",
               jsonrpc::kInvalidParams, 5);
  expect_error(R"j({"jsonrpc":"2.0","id":5,"method":"tools/call","params":["echo"]})j", jsonrpc::kInvalidParams, 5);
  expect_error(R"j({"jsonrpc":"2.0","id":5,"method":"tools/call"})j", jsonrpc::kInvalidParams, 5);
}

TEST_F(McpServerTest, AnUnknownMethodIsMethodNotFound) {
  expect_error(R"j({"jsonrpc":"2.0","id":6,"method":"resources/list"})j", jsonrpc::kMethodNotFound, 6);
  expect_error(R"j({"jsonrpc":"2.0","id":6,"method":"notifications/initialized"})j", jsonrpc::kMethodNotFound, 6);
}

TEST_F(McpServerTest, TextThatIsNotJsonIsAParseErrorWithANullId) {
  expect_error("{not json", jsonrpc::kParseError);
  expect_error(R"j({"jsonrpc":"2.0","id":1,"method":"ping")j", jsonrpc::kParseError);
  expect_error("", jsonrpc::kParseError);
  expect_error("\"\xff\xfe\"", jsonrpc::kParseError);  // invalid UTF-8
  expect_error(std::string(100, '[') + std::string(100, ']'), jsonrpc::kParseError);  // too deep
}

TEST_F(McpServerTest, AMessageOverFourMebibytesIsAParseError) {
  std::string big = R"j({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")j" +
                    std::string(kMaxMcpMessageBytes, 'x') + "\"}}";
  expect_error(big, jsonrpc::kParseError);
  reply(R"j({"jsonrpc":"2.0","id":2,"method":"ping"})j");  // and the server goes on
}

TEST_F(McpServerTest, BatchesAreInvalidRequests) {
  expect_error(R"j([{"jsonrpc":"2.0","id":1,"method":"ping"}])j", jsonrpc::kInvalidRequest);
  expect_error("[]", jsonrpc::kInvalidRequest);
}

TEST_F(McpServerTest, MessagesBreakingJsonRpcAreInvalidRequests) {
  expect_error("42", jsonrpc::kInvalidRequest);
  expect_error("null", jsonrpc::kInvalidRequest);
  expect_error(R"j("ping")j", jsonrpc::kInvalidRequest);
  expect_error(R"j({"id":1,"method":"ping"})j", jsonrpc::kInvalidRequest, 1);
  expect_error(R"j({"jsonrpc":"1.0","id":1,"method":"ping"})j", jsonrpc::kInvalidRequest, 1);
  expect_error(R"j({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})j", jsonrpc::kInvalidRequest);
  expect_error(R"j({"jsonrpc":"2.0","id":true,"method":"ping"})j", jsonrpc::kInvalidRequest);
  expect_error(R"j({"jsonrpc":"2.0","id":1,"method":7})j", jsonrpc::kInvalidRequest, 1);
  expect_error(R"j({"jsonrpc":"2.0","id":1})j", jsonrpc::kInvalidRequest, 1);
  expect_error(R"j({"jsonrpc":"2.0","id":1,"method":"ping","params":"x"})j", jsonrpc::kInvalidRequest, 1);
}

TEST_F(McpServerTest, ASlowToolCallDoesNotHoldUpOtherMessages) {
  std::optional<std::string> slow_reply;
  bool slow_done = false;
  asio::co_spawn(io_, server_.handle(R"j({"jsonrpc":"2.0","id":"s","method":"tools/call","params":{"name":"slow"}})j"),
                 [&](std::exception_ptr, std::optional<std::string> r) {
                   slow_reply = std::move(r);
                   slow_done = true;
                 });
  ASSERT_TRUE(testing::run_until(io_, [&] { return slow_started_ == 1; }));
  json::object ping = reply(R"j({"jsonrpc":"2.0","id":"p","method":"ping"})j");
  EXPECT_EQ(ping.at("id"), "p");
  EXPECT_FALSE(slow_done);
  gate_.cancel();
  ASSERT_TRUE(testing::run_until(io_, [&] { return slow_done; }));
  ASSERT_TRUE(slow_reply.has_value());
  EXPECT_EQ(json::parse(*slow_reply).at("id"), "s");
}

// Mangled versions of valid messages (cut, bytes replaced): each gets no reply or one JSON line.
TEST_F(McpServerTest, MangledMessagesNeverThrowAndAlwaysAnswerOneJsonLine) {
  const std::vector<std::string> seeds = {
      initialize_with("2025-06-18"),
      R"j({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"c"}})j",
      R"j({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})j",
      R"j({"jsonrpc":"2.0","method":"notifications/initialized"})j",
  };
  const std::string alphabet = "{}[]\":,0-9.eE\\u\xc3\xff nulltrue";
  std::mt19937 rng(20260310);
  for (int i = 0; i < 2000; ++i) {
    std::string m = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !m.empty(); ++e) {
      std::size_t at = rng() % m.size();
      if (rng() % 3 == 0) {
        m.resize(at);
      } else {
        m[at] = alphabet[rng() % alphabet.size()];
      }
    }
    std::optional<std::string> r;
    ASSERT_NO_THROW(r = raw(m)) << m;
    if (!r) continue;
    EXPECT_EQ(r->find('\n'), std::string::npos);
    boost::system::error_code ec;
    json::value v = json::parse(*r, ec);
    ASSERT_FALSE(ec) << "reply is not JSON: " << *r << " for " << m;
    EXPECT_TRUE(v.as_object().contains("result") || v.as_object().contains("error")) << *r;
  }
}

}  // namespace
}  // namespace alertbot::bot
