// Fuzz target "bot": outside input the bot/ layer reads itself. The YAML config (only ConfigError
// may come out: it is how start-up refuses a config), the store URL, the text typed after a slash
// command or a mention, a deploy record POSTed to /hooks/deploy (through the real route, stored
// in an in-memory SQLite store), and MCP JSON-RPC lines from another agent, whose tools/call
// arguments go through the tool registry's schema check.
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/command_parse.hpp"
#include "bot/config.hpp"
#include "bot/config_reader.hpp"
#include "bot/hook_routes.hpp"
#include "bot/mcp_server.hpp"
#include "investigators/tools/tool_registry.hpp"
#include "net/http_server.hpp"
#include "store/store.hpp"
#include "store/store_settings.hpp"
#include "store/store_url.hpp"
#include "tests/fuzz/canned_http.hpp"
#include "tests/fuzz/fuzz_cases.hpp"

namespace alertbot::fuzz {
namespace {

using namespace bot;

void config(std::string_view s) {
  try {
    // A directory that does not exist: relative *_file paths in the text lead nowhere.
    Config c = load_config_text(std::string(s), "/nonexistent-fuzz/alertbot.yaml");
    (void)missing_for_run(c);
    (void)dump_config_masked(c);
    (void)c.secrets();
  } catch (const ConfigError&) {
    // The documented refusal of a bad config.
  }
}

void store_url(std::string_view s) {
  (void)store::parse_store_url(s);
  (void)config_detail::mask_url_password(s);
  (void)config_detail::expand_env(s);
}

void command(std::string_view s) {
  static const std::vector<std::string> kServices = {"checkout", "payments", "search-api"};
  (void)parse_command("/investigate", s, kServices);
  (void)parse_command("/alertbot", s, kServices);
}

// The deploy route with its store, built once: a store per input would cost a database thread
// and a migration each time.
struct DeployHook {
  asio::io_context io;
  StillClock clock;
  std::unique_ptr<store::Store> store;
  HooksSettings settings{.token = "hook-token"};
  Router router;

  DeployHook() {
    auto opened = store::open_store(store::StoreSettings{.url = "sqlite::memory:"}, clock);
    if (!opened) throw std::runtime_error("deploy hook: " + opened.error().describe());
    store = std::move(*opened);
    std::optional<Result<int>> migrated;
    run(store->migrate(), migrated);
    if (!migrated || !*migrated) throw std::runtime_error("deploy hook: migration failed");
    add_hook_routes(router, settings, *store, clock, slack::EnvelopeHandler());
  }

  // Runs `op` to its end on `io`: the store answers from its own thread, so poll until then.
  template <class T>
  void run(awaitable<T> op, std::optional<T>& out) {
    asio::co_spawn(io, std::move(op), [&out](std::exception_ptr e, T v) {
      if (e) std::rethrow_exception(e);
      out.emplace(std::move(v));
    });
    io.restart();
    while (!out) io.run_one_for(std::chrono::milliseconds(100));
  }
};

void deploy(std::string_view s) {
  static DeployHook hook;
  auto match = hook.router.find("POST", "/hooks/deploy", false);
  if (!match.route) throw std::runtime_error("deploy hook: no /hooks/deploy route");
  ServerRequest req;
  req.method = "POST";
  req.target = req.path = "/hooks/deploy";
  req.headers = {{"Authorization", "Bearer hook-token"}, {"Content-Type", "application/json"}};
  req.body = std::string(s);
  std::optional<ServerResponse> resp;
  hook.run(match.route->http(std::move(req)), resp);
}

awaitable<Result<std::string>> echo_tool(boost::json::object args) { co_return boost::json::serialize(args); }

void mcp(std::string_view s) {
  static const investigators::ToolRegistry& tools = []() -> const investigators::ToolRegistry& {
    static investigators::ToolRegistry r;
    investigators::ToolInfo info;
    info.name = "lookup";
    info.description = "Echoes its checked arguments.";
    info.input_schema_json = R"({"type":"object","properties":{
        "service":{"type":"string","minLength":1,"maxLength":64},
        "window":{"type":"integer","minimum":1,"maximum":1440},
        "ratio":{"type":"number","minimum":0,"maximum":1},
        "level":{"type":"string","enum":["error","warn","info"]},
        "all":{"type":"boolean"}},
      "required":["service"],"additionalProperties":false})";
    if (!r.add(std::move(info), echo_tool)) throw std::runtime_error("mcp: tool not added");
    return r;
  }();
  McpServer server(tools, "0.0.0-fuzz");
  // Twice on one server: the second line is handled after initialize, as a real session goes.
  run_to_end(server.handle(std::string(s)));
  run_to_end(server.handle(std::string(s)));
}

constexpr FuzzCase kCases[] = {
    {'y', config}, {'u', store_url}, {'c', command}, {'d', deploy}, {'m', mcp},
};

}  // namespace
}  // namespace alertbot::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  alertbot::fuzz::silence_logs();
  // A config may name any *_file path; /dev/stdin must not wait for a terminal.
  if (!std::freopen("/dev/null", "rb", stdin)) return 1;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  alertbot::fuzz::dispatch(alertbot::fuzz::kCases, data, size);
  return 0;
}
