#include "bot/demo.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/digest.hpp"
#include "bot/digest_render.hpp"
#include "bot/time_zone.hpp"
#include "bot/report.hpp"
#include "bot/thread_printer.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/json_fields.hpp"
#include "net/time_format.hpp"
#include "store/store.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/fakes/slack_workspace.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

constexpr const char* kBuiltinScenario =
#include "bot/demo_scenario.inc"
    ;

double num(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  return v && v->is_number() ? v->to_number<double>() : 0.0;
}

// `minutes` (fractional) before `t`: scenario times are given relative to the alert.
SystemTime minutes_before(SystemTime t, double minutes) {
  return t - std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double, std::ratio<60>>(minutes));
}

struct Scenario {
  json::object doc;
  std::string channel;
  std::string service;
};

Result<Scenario> load_scenario(const DemoOptions& opt) {
  std::string text = kBuiltinScenario;
  if (!opt.scenario_file.empty()) {
    std::ifstream in(opt.scenario_file);
    if (!in) return fail(Errc::InvalidArgument, opt.scenario_file + ": cannot read");
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(Errc::ParseError, "scenario: not a JSON object");
  Scenario sc{v.as_object(), json_string(v.as_object(), "channel"), json_string(v.as_object(), "service")};
  if (sc.channel.empty() || sc.service.empty() || !sc.doc.contains("alert")) {
    return fail(Errc::ParseError, "scenario: needs channel, service and alert");
  }
  return sc;
}

std::vector<fakes::FakeSeries> fake_series(const Scenario& sc, SystemTime alert_at) {
  std::vector<fakes::FakeSeries> out;
  if (auto* arr = sc.doc.if_contains("series"); arr && arr->is_array()) {
    for (const auto& s : arr->as_array()) {
      const auto& o = s.as_object();
      fakes::FakeSeries f;
      f.match = json_string(o, "match");
      f.before = num(o, "before");
      f.after = num(o, "after");
      f.noise = num(o, "noise");
      f.onset = minutes_before(alert_at, num(o, "onset_minutes_before_alert"));
      f.labels = {{"service", sc.service}};
      out.push_back(std::move(f));
    }
  }
  return out;
}

// A port nobody listens on now, for the bot's server (the report page's links need it up front).
int free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

Config demo_config(const Scenario& sc, const fakes::SlackWorkspace& ws, const std::string& prom_url, const std::string& dir) {
  Config c;
  c.path = "(demo)";
  c.has_server = true;
  const std::string port = std::to_string(free_port());
  c.server.listen = "127.0.0.1:" + port;
  c.server.public_url = "http://127.0.0.1:" + port;
  c.server.link_secret = "demo-report-links-" + port;
  c.has_slack = true;
  c.slack.app_token = ws.settings().app_token;
  c.slack.bot_token = ws.settings().bot_token;
  c.slack.api_url = ws.api_url();
  c.slack.connections = 1;
  c.store.url = "sqlite://" + dir + "/alertbot.db";
  c.channels.push_back(ChannelSettings{sc.channel, InvestigateMode::Auto});
  investigators::ServiceSettings svc;
  svc.name = sc.service;
  svc.match = {{"service", sc.service}};
  investigators::PrometheusSettings prom;
  prom.url = prom_url;
  if (auto* p = sc.doc.if_contains("prometheus"); p && p->is_object()) {
    prom.latency = json_string(p->as_object(), "latency");
    prom.errors = json_string(p->as_object(), "errors");
    prom.saturation = json_string(p->as_object(), "saturation");
    prom.traffic = json_string(p->as_object(), "traffic");
  }
  svc.prometheus = prom;
  svc.deploys.source = investigators::DeploySource::Webhook;
  c.services.push_back(std::move(svc));
  return c;
}

// Records the scenario's deploys as the deploy webhook would have.
awaitable<Result<void>> seed_deploys(store::Store& st, const Scenario& sc, SystemTime alert_at) {
  if (auto r = co_await st.migrate(); !r) co_return r.error();
  if (auto* arr = sc.doc.if_contains("deploys"); arr && arr->is_array()) {
    for (const auto& d : arr->as_array()) {
      const auto& o = d.as_object();
      store::DeployRow row;
      row.service = json_string(o, "service");
      row.environment = json_string(o, "environment");
      row.version = json_string(o, "version");
      row.previous_version = json_string(o, "previous_version");
      row.source = "webhook";
      row.external_id = json_string(o, "id");
      row.author = json_string(o, "author");
      row.description = json_string(o, "description");
      row.deployed_at = minutes_before(alert_at, num(o, "minutes_before_alert"));
      if (auto r = co_await st.add_deploy(row); !r) co_return r.error();
    }
  }
  co_return Result<void>();
}

awaitable<void> pause(milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Everything one demo run shares; it outlives every coroutine of the run (io.run() returns first).
struct DemoRun {
  const Scenario& scenario;
  Clock& clock;
  fakes::SlackWorkspace& ws;
  fakes::FakePrometheus& prom;
  App& app;
  store::Store& seed_store;
  HttpClient& http;
  SystemTime alert_at;
  bool running = false;
  std::string failure;
  std::string alert_ts;
  std::optional<Report> report;
  milliseconds first_reply{-1};
  std::string button_answer;  // what the person who pressed the button saw
  int page_status = 0;        // GET of the full report page
  std::string page_path;      // where the page was saved
  std::string digest;         // the digest of the last 7 days, as text
};

// Callers pass a named std::function: GCC 12 destroys temporaries in co_await operands twice.
awaitable<void> wait_for(const std::function<bool()>& done, milliseconds limit) {
  for (auto waited = milliseconds(0); !done() && waited < limit; waited += milliseconds(5)) co_await pause(milliseconds(5));
}

// Posts an Alertmanager Slack message with `title` (the scenario alert's body, retitled).
awaitable<bool> post_alert(DemoRun& run, const std::string& title) {
  json::object body = run.scenario.doc.at("alert").as_object();
  if (auto* atts = body.if_contains("attachments"); atts && atts->is_array() && !atts->as_array().empty()) {
    auto& a = atts->as_array()[0].as_object();
    a["title"] = title;
    a["fallback"] = title;
  }
  HttpRequest post;
  post.method = "POST";
  post.url = run.ws.incoming_webhook_url(run.scenario.channel);
  post.headers = {{"Content-Type", "application/json"}};
  post.body = json::serialize(body);
  auto posted = co_await run.http.send(std::move(post));
  co_return posted && posted->status == 200;
}

// The rest of the incident after the report (scenario "after_the_report"): more alerts join the
// counter, a button press, the alerts resolve; then the full report page and the digest.
awaitable<void> play_after(DemoRun& run) {
  const json::value* after = run.scenario.doc.if_contains("after_the_report");
  if (!after || !after->is_object()) co_return;
  const auto& a = after->as_object();
  const std::string& channel = run.scenario.channel;
  auto titles = [&](const char* key) {
    std::vector<std::string> out;
    if (auto* arr = a.if_contains(key); arr && arr->is_array()) {
      for (const auto& t : arr->as_array()) {
        if (t.is_string()) out.emplace_back(t.get_string());
      }
    }
    return out;
  };
  for (const auto& t : titles("alerts")) co_await post_alert(run, t);
  std::function<bool()> counted = [&] {
    for (const auto& m : run.ws.thread(channel, run.alert_ts)) {
      if (m.text.find(std::to_string(titles("alerts").size() + 1) + " notifications") != std::string::npos) return true;
    }
    return false;
  };
  co_await wait_for(counted, milliseconds(10000));
  if (auto* b = a.if_contains("button"); b && b->is_object() && run.report) {
    const std::string user = json_string(b->as_object(), "user"), action = json_string(b->as_object(), "action");
    auto thread = run.ws.thread(channel, run.alert_ts);
    if (thread.size() > 1) run.ws.click_button(channel, thread[1].ts, user, action, std::to_string(run.report->id));
    std::function<bool()> answered = [&] {
      for (const auto& e : run.ws.ephemerals()) {
        if (e.user == user) return true;
      }
      return false;
    };
    co_await wait_for(answered, milliseconds(5000));
    for (const auto& e : run.ws.ephemerals()) {
      if (e.user == user) run.button_answer = user + " pressed " + action + "; only they see: " + mrkdwn_to_text(e.text);
    }
  }
  for (const auto& t : titles("resolved")) co_await post_alert(run, t);
  std::function<bool()> resolved = [&] {
    for (const auto& m : run.ws.thread(channel, run.alert_ts)) {
      if (m.text.find("resolved after") != std::string::npos) return true;
    }
    return false;
  };
  co_await wait_for(resolved, milliseconds(10000));
  // The full report page, as a click on "Open full report" fetches it.
  if (run.report && !run.report->full_report_url.empty()) {
    HttpRequest get;
    get.url = run.report->full_report_url;
    auto page = co_await run.http.send(std::move(get));
    if (page) {
      run.page_status = page->status;
      std::ofstream(run.page_path) << page->body;
    }
  }
  // The digest of the last 7 days (what `alertbot digest` prints).
  DigestWindow window = days_window(run.clock.system_now(), TimeZone::utc());
  auto data = co_await run.seed_store.digest_data(window.from, window.to);
  if (data) run.digest = digest_text(compute_digest(*data, window));
}

// Posts the alert as Alertmanager would and waits for the bot's report.
awaitable<void> play(DemoRun& run) {
  std::function<bool()> connected = [&] { return !run.running || run.app.open_sockets() > 0; };
  co_await wait_for(connected, milliseconds(10000));
  if (run.app.open_sockets() == 0) {
    run.failure = "the bot did not connect to the emulated workspace";
    co_return;
  }
  // Alertmanager's Slack notifier POSTs this body to the channel's incoming webhook.
  HttpRequest post;
  post.method = "POST";
  post.url = run.ws.incoming_webhook_url(run.scenario.channel);
  post.headers = {{"Content-Type", "application/json"}};
  post.body = json::serialize(run.scenario.doc.at("alert"));
  auto posted = co_await run.http.send(std::move(post));
  if (!posted || posted->status != 200) {
    run.failure = "posting the alert failed: " + (posted ? "HTTP " + std::to_string(posted->status) : posted.error().describe());
    co_return;
  }
  auto history = run.ws.channel_history(run.scenario.channel);
  if (!history.empty()) run.alert_ts = history.back().ts;
  std::function<bool()> replied = [&] { return run.ws.thread(run.scenario.channel, run.alert_ts).size() > 1; };
  co_await wait_for(replied, milliseconds(10000));
  auto thread = run.ws.thread(run.scenario.channel, run.alert_ts);
  if (thread.size() > 1) {
    auto a = parse_slack_ts(thread[0].ts);
    auto b = parse_slack_ts(thread[1].ts);
    if (a && b) run.first_reply = std::chrono::duration_cast<milliseconds>(*b - *a);
  }
  std::function<bool()> reported = [&] { return !run.running || run.report.has_value(); };
  co_await wait_for(reported, milliseconds(30000));
  if (!run.report && run.failure.empty()) run.failure = "no report within 30 s";
  if (run.report) co_await play_after(run);
}

awaitable<void> demo_flow(DemoRun& run) {
  if (auto r = co_await seed_deploys(run.seed_store, run.scenario, run.alert_at); !r) {
    run.failure = "recording the scenario's deploys: " + r.error().describe();
  } else {
    run.running = true;
    asio::co_spawn(co_await asio::this_coro::executor, run.app.run(), [&run](std::exception_ptr e, const Result<void>& r) {
      run.running = false;
      if (e) run.failure = "the bot stopped with an exception";
      else if (!r && run.failure.empty()) run.failure = "the bot stopped: " + r.error().describe();
    });
    co_await play(run);
    run.app.stop();
    std::function<bool()> stopped = [&] { return !run.running; };
    co_await wait_for(stopped, milliseconds(10000));
  }
  co_await run.prom.stop();
  co_await run.ws.stop();
}

int print_result(std::ostream& out, const DemoRun& run, const std::string& dir, bool keep) {
  const auto& doc = run.scenario.doc;
  out << "Alertbot demo: " << json_string(doc, "name") << "\n\n" << json_string(doc, "about") << "\n\n";
  out << "#" << run.scenario.channel << " (emulated Slack workspace)\n\n";
  std::vector<PrintedMessage> printed;
  const auto files = run.ws.files();
  for (const auto& m : run.ws.thread(run.scenario.channel, run.alert_ts)) {
    std::string author = m.bot_id == run.ws.settings().bot_id ? "alertbot  APP" : (m.username.empty() ? m.user : m.username) + "  APP";
    PrintedMessage p{author, m.text, m.blocks_json, m.attachments_json, m.edits, {}};
    for (const auto& id : m.file_ids) {
      for (const auto& f : files) {
        if (f.id == id) p.files.push_back(f.filename + " (" + std::to_string(f.bytes.size() / 1024) + " KiB): " + f.alt_text);
      }
    }
    if (!p.files.empty() && p.text.empty()) p.text = " ";
    printed.push_back(std::move(p));
  }
  out << print_thread(printed) << "\n";
  if (!run.button_answer.empty()) out << run.button_answer << "\n\n";
  if (run.report && !run.report->full_report_url.empty()) {
    out << "Full report page: " << run.report->full_report_url << " (HTTP " << run.page_status << " while the bot ran"
        << (keep ? "; saved as " + run.page_path : "; run with --keep to keep a copy") << ")\n\n";
  }
  if (!run.digest.empty()) out << "The digest of the last 7 days (`alertbot digest`, posted weekly to digest.channel):\n\n" << run.digest << "\n";
  if (!run.failure.empty()) {
    out << "demo failed: " << run.failure << "\n";
    return 1;
  }
  out << "Measured: first reply in the thread " << run.first_reply.count() << " ms after the alert was posted; report "
      << run.report->total.count() << " ms after the bot received the alert (sources "
      << run.report->result.sources_ms.count() << " ms).\n";
  if (keep) {
    out << "The demo's SQLite database and report page are kept in " << dir << "\n";
  } else {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return 0;
}

}  // namespace

int run_demo(const DemoOptions& opt, std::ostream& out) {
  auto scenario = load_scenario(opt);
  if (!scenario) {
    out << "demo: " << scenario.error().describe() << "\n";
    return 1;
  }
  asio::io_context io;
  auto clock = make_system_clock();
  std::string dir = (std::filesystem::temp_directory_path() / ("alertbot-demo-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  auto ws = fakes::SlackWorkspace::start(io.get_executor(), *clock);
  const SystemTime alert_at = clock->system_now();
  auto prom = fakes::FakePrometheus::start(io.get_executor(), fake_series(*scenario, alert_at));
  if (!ws || !prom) {
    out << "demo: cannot start the emulators: " << (!ws ? ws.error() : prom.error()).describe() << "\n";
    return 1;
  }
  Config config = demo_config(*scenario, **ws, (*prom)->url(), dir);
  auto app = App::create(io.get_executor(), config, *clock);
  auto seed_store = store::open_store(config.store, *clock);
  if (!app || !seed_store) {
    out << "demo: " << (!app ? app.error() : seed_store.error()).describe() << "\n";
    return 1;
  }
  auto http = make_curl_http_client(io.get_executor(), *clock);
  DemoRun run{*scenario, *clock, **ws, **prom, **app, **seed_store, *http, alert_at};
  run.page_path = dir + "/report.html";
  (*app)->on_report([&run](const Report& r) { run.report = r; });
  asio::co_spawn(io, demo_flow(run), [&run](std::exception_ptr e) {
    if (e) run.failure = "the demo stopped with an exception";
  });
  io.run();
  return print_result(out, run, dir, opt.keep);
}

}  // namespace alertbot::bot
