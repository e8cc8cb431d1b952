// `alertbot investigate`: one investigation from the command line, printed.
#include <boost/asio/co_spawn.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bot/cli.hpp"
#include "bot/config.hpp"
#include "bot/llm_step.hpp"
#include "llm/llm_client.hpp"
#include "bot/report.hpp"
#include "bot/report_json.hpp"
#include "bot/report_text.hpp"
#include "bot/store_deploy_history.hpp"
#include "bot/store_past_search.hpp"
#include "investigators/alerts/parse_alert.hpp"
#include "investigators/pipeline.hpp"
#include "investigators/sources/past_search.hpp"
#include "investigators/service_map.hpp"
#include "investigators/source_registry.hpp"
#include "net/clock.hpp"
#include "net/duration.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "store/store.hpp"
#include "store/store_url.hpp"

namespace alertbot::bot {

namespace {

int usage(const char* why) {
  std::fprintf(stderr, "alertbot investigate: %s\n", why);
  return 2;
}

// The alert in `path`: any payload the parsers accept (docs/alert-formats.md). A notification with
// several alerts is investigated once, for its first firing alert (the rest are the same group).
Result<investigators::Alert> read_alert(const std::string& path, SystemTime at, const Config& config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::InvalidArgument, path + ": cannot read");
  std::stringstream s;
  s << in.rdbuf();
  investigators::AlertContext ctx;
  ctx.received_at = at;
  for (const auto& svc : config.services) ctx.services.push_back(svc.name);
  auto batch = investigators::parse_alerts(s.str(), investigators::AlertFormat::Auto, ctx);
  if (!batch) return fail(batch.error().code == Errc::NotFound ? Errc::InvalidArgument : batch.error().code,
                          path + ": " + batch.error().message);
  if (batch->alerts.empty()) return fail(Errc::InvalidArgument, path + ": the payload holds no alert");
  for (const auto& w : batch->warnings) std::fprintf(stderr, "alertbot investigate: %s: %s\n", path.c_str(), w.c_str());
  auto first = std::find_if(batch->alerts.begin(), batch->alerts.end(),
                            [](const investigators::Alert& a) { return a.status == investigators::AlertStatus::Firing; });
  investigators::Alert alert = first != batch->alerts.end() ? *first : batch->alerts.front();
  alert.service = investigators::map_service(alert, config.services);
  return alert;
}

// The store, only when it already exists: a read-only command must not create a database.
std::unique_ptr<store::Store> existing_store(const Config& config, Clock& clock) {
  auto url = store::parse_store_url(config.store.url);
  if (!url || url->backend != store::StoreUrl::Backend::Sqlite || !std::filesystem::exists(url->path)) return nullptr;
  auto st = store::open_store(config.store, clock);
  return st ? std::move(*st) : nullptr;
}

}  // namespace

int cmd_investigate(const CliArgs& args) {
  if (!args.get("config")) return usage("--config FILE is required");
  if (!args.get("alert") == !args.get("service")) return usage("give exactly one of --alert FILE or --service NAME");
  std::string format = args.get("format") ? *args.get("format") : "text";
  if (format != "text" && format != "markdown" && format != "json") return usage("--format must be text, markdown or json");
  auto since = parse_duration(args.get("since") ? *args.get("since") : "1h");
  if (!since) return usage(("--since: " + since.error().message).c_str());
  auto clock = make_system_clock();
  SystemTime at = clock->system_now();
  if (auto* a = args.get("at")) {
    auto t = parse_rfc3339(*a);
    if (!t) return usage(("--at: " + t.error().message).c_str());
    at = *t;
  }
  int code = 0;
  auto config = load_config_for(args, code);
  if (!config) return code;

  investigators::InvestigationInput in;
  in.at = at;
  in.window = *since;
  if (auto* path = args.get("alert")) {
    auto alert = read_alert(*path, at, *config);
    if (!alert) {
      std::fprintf(stderr, "alertbot investigate: %s\n", alert.error().message.c_str());
      return 1;
    }
    in.service = alert->service;
    in.alert = std::move(*alert);
  } else {
    in.service = *args.get("service");
  }
  in.settings = config->service(in.service);
  in.services = &config->services;

  asio::io_context io;
  auto http = make_curl_http_client(io.get_executor(), *clock);
  auto st = existing_store(*config, *clock);
  auto history = st ? make_store_deploy_history(*st) : nullptr;
  auto past = st ? make_store_past_search(*st) : nullptr;
  investigators::SourceRegistry registry;
  investigators::register_builtin_sources(registry, investigators::SourceDeps{*http, *clock, history.get(), past.get(), io.get_executor()});
  investigators::Pipeline pipeline(registry, *clock);
  Report report;
  auto started = clock->steady_now();
  std::string failure;
  auto llm_client = llm::make_llm_client(*http, *clock, config->llm);
  auto investigate = [&]() -> awaitable<investigators::InvestigationResult> {
    report.result = co_await pipeline.run(std::move(in));
    std::vector<std::string> secrets = config->secrets();
    co_await run_llm_step(llm_client.get(), *clock, config->llm, std::move(secrets), report);
    co_return report.result;
  };
  asio::co_spawn(io, investigate(), [&](std::exception_ptr e, investigators::InvestigationResult r) {
    if (!e) {
      report.result = std::move(r);
      return;
    }
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      failure = x.what();
    } catch (...) {
      failure = "unknown exception";
    }
  });
  io.run();
  report.total = std::chrono::duration_cast<std::chrono::milliseconds>(clock->steady_now() - started);
  history.reset();
  past.reset();
  st.reset();
  if (!failure.empty()) {
    std::fprintf(stderr, "alertbot investigate: the investigation failed: %s\n", failure.c_str());
    return 1;
  }
  std::string text = format == "json" ? to_report_json(report) + "\n" : format == "markdown" ? report_markdown(report) : report_text(report);
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace alertbot::bot
