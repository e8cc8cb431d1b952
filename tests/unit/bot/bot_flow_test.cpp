// The bot end to end in one process: the Slack workspace emulator and a Prometheus-compatible
// endpoint on 127.0.0.1, SQLite in a temp folder, the App as `alertbot run` builds it.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/report.hpp"
#include "store/store.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "bot/worker.hpp"
#include "tests/fakes/anthropic_fake.hpp"
#include "tests/fakes/openai_fake.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/test_data.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

constexpr const char* kChannel = testing::kHarnessChannel;

class BotFlowTest : public testing::SocketBotHarness {
 protected:
  // The bot's model: gpt-test (OpenAI-compatible) or claude-test (Anthropic) at `url`.
  void use_model(llm::LlmProvider provider, const std::string& url) {
    const bool anthropic = provider == llm::LlmProvider::Anthropic;
    config_.llm.provider = provider;
    config_.llm.base_url = url;
    config_.llm.model = anthropic ? "claude-test" : "gpt-test";
    config_.llm.api_key = anthropic ? "sk-ant-test-secret-0123456789" : "sk-test-llm-secret-0123456789";
  }
};

TEST_F(BotFlowTest, AlertGetsAPlaceholderThenAReportNamingTheDeploy) {
  add_deploy("deploy-4121", 14min);
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  auto thread = thread_of(kChannel, alert_ts);
  ASSERT_EQ(thread.size(), 2u) << "one reply, updated in place";
  const auto& reply = thread[1];
  EXPECT_EQ(reply.bot_id, "B0ALERTBOT");
  EXPECT_EQ(reply.edits, 1);
  EXPECT_NE(reply.blocks_json.find("Likely cause"), std::string::npos);
  EXPECT_NE(reply.blocks_json.find("deploy-4121"), std::string::npos) << reply.blocks_json;
  EXPECT_NE(reply.blocks_json.find("Roll checkout back to v2.13.4"), std::string::npos);
  // The placeholder came first, then the update of that same message.
  auto posts = ws_->calls("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_NE(posts[0].args.at("text").find("Investigating"), std::string::npos);
  EXPECT_EQ(posts[0].args.at("thread_ts"), alert_ts);
  ASSERT_EQ(ws_->calls("chat.update").size(), 1u);
  const Report& r = reports_[0];
  ASSERT_FALSE(r.result.causes.empty());
  EXPECT_EQ(r.result.causes[0].suspect.ref, "deploy-4121");
  EXPECT_FALSE(r.llm.used);
  // The buttons people answer with.
  for (const char* action : {"feedback_helpful", "feedback_wrong", "rerun_wider"}) {
    EXPECT_NE(reply.blocks_json.find(action), std::string::npos) << action;
  }
  // The chart of the latency around the onset, uploaded into the same thread as a PNG.
  auto files = ws_->files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].completed);
  EXPECT_EQ(files[0].channel, kChannel);
  EXPECT_EQ(files[0].thread_ts, alert_ts);
  EXPECT_EQ(files[0].bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(files[0].bytes.size(), 10000u);
  EXPECT_NE(files[0].alt_text.find("ms"), std::string::npos) << files[0].alt_text;
}

TEST_F(BotFlowTest, EnvelopeIsAckedAfterItIsStoredAndBeforeAnyInvestigationWork) {
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  auto deliveries = ws_->deliveries();
  auto alert_delivery = std::find_if(deliveries.begin(), deliveries.end(), [&](const fakes::Delivery& d) {
    return d.payload_json.find(alert_ts) != std::string::npos && d.payload_json.find("bot_message") != std::string::npos;
  });
  ASSERT_NE(alert_delivery, deliveries.end());
  ASSERT_TRUE(alert_delivery->acked);
  auto first_post = ws_->calls("chat.postMessage").at(0);
  EXPECT_LT(alert_delivery->ack_seq, first_post.seq) << "the ack must precede the placeholder";
  auto stored = run_coro(io_, seed().get_event(alert_delivery->event_id));
  ASSERT_TRUE(stored);
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->event.payload.find(alert_ts) != std::string::npos, true);
  EXPECT_EQ((*stored)->status, store::EventStatus::Processed);
}

TEST_F(BotFlowTest, TheBotsOwnMessagesAreStoredAndIgnored) {
  start_bot();
  post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  int own = 0;
  for (const auto& d : ws_->deliveries()) {
    if (d.payload_json.find("\"bot_id\":\"B0ALERTBOT\"") == std::string::npos) continue;
    ASSERT_TRUE(run_until(io_, [&] {
      auto e = run_coro(io_, seed().get_event(d.event_id));
      return e && e->has_value() && (*e)->status != store::EventStatus::Received;
    }));
    auto e = run_coro(io_, seed().get_event(d.event_id));
    EXPECT_EQ((*e)->status, store::EventStatus::Ignored);
    // The placeholder comes back as a plain message with bot_id; its update as message_changed.
    bool changed = d.payload_json.find("message_changed") != std::string::npos;
    EXPECT_NE((*e)->note.find(changed ? "message_changed" : "own message"), std::string::npos) << (*e)->note;
    own += changed ? 0 : 1;
  }
  EXPECT_EQ(own, 1) << "the placeholder came back as an event";
  EXPECT_EQ(ws_->calls("chat.postMessage").size(), 1u) << "no reply to itself";
}

// Repeats and other alerts of the same service count in one counter message, updated in place;
// the incident closes when its last alert resolves.
TEST_F(BotFlowTest, RepeatsUpdateOneCounterAndTheLastResolvedClosesTheIncident) {
  start_bot();
  std::string first = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  auto counter_says = [&](const std::string& words) {
    auto thread = thread_of(kChannel, first);
    return thread.size() >= 3 && thread[2].text.find(words) != std::string::npos;
  };
  ASSERT_TRUE(run_until(io_, [&] {
    clock_.advance(1s);
    return counter_says("3 notifications");
  }));
  post_alert("[FIRING:1] CheckoutErrorsHigh (checkout critical)");  // another alert of the service
  ASSERT_TRUE(run_until(io_, [&] {
    clock_.advance(1s);
    return counter_says("4 notifications");
  }));
  auto thread = thread_of(kChannel, first);
  ASSERT_EQ(thread.size(), 3u) << "the counter is updated, not posted again";
  EXPECT_NE(thread[2].text.find("CheckoutErrorsHigh"), std::string::npos) << thread[2].text;
  EXPECT_GE(thread[2].edits, 1);
  clock_.advance(7min);
  post_alert("[RESOLVED] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] {
    clock_.advance(1s);
    return counter_says("1 still firing");
  }));
  EXPECT_EQ(thread_of(kChannel, first).size(), 3u) << "one alert still fires: the incident stays open";
  post_alert("[RESOLVED] CheckoutErrorsHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return thread_of(kChannel, first).size() == 4; }));
  EXPECT_NE(thread_of(kChannel, first)[3].text.find("resolved after"), std::string::npos)
      << thread_of(kChannel, first)[3].text;
  EXPECT_EQ(reports_.size(), 1u) << "one incident, one investigation";
}

// An incident left open (its resolved notification never came) ends when it has been quiet for
// longer than its window: the next alert of the service is a new incident, not "flapping".
TEST_F(BotFlowTest, AnIncidentQuietForTooLongIsOverAndTheNextAlertIsInvestigated) {
  start_bot();
  std::string first = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return reports_.size() == 1; }));
  clock_.advance(3h);
  std::string later = post_alert("[FIRING:1] CheckoutErrorsHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return reports_.size() == 2; }));
  EXPECT_EQ(thread_of(kChannel, later).size(), 2u) << "its own thread and report";
  EXPECT_EQ(thread_of(kChannel, first).size(), 2u) << "nothing more in the old thread";
}

// An alert that resolves and fires again within the hour returns to its thread, flagged as
// flapping, with no second investigation.
TEST_F(BotFlowTest, AFlappingAlertReturnsToItsThreadWithoutANewInvestigation) {
  start_bot();
  std::string first = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  post_alert("[RESOLVED] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return thread_of(kChannel, first).size() == 3; }));  // resolved after
  clock_.advance(5min);
  std::string again = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] {
    clock_.advance(1s);
    auto thread = thread_of(kChannel, first);
    return thread.size() == 4 && thread[3].text.find("flapping") != std::string::npos;
  }));
  EXPECT_EQ(reports_.size(), 1u);
  EXPECT_EQ(thread_of(kChannel, again).size(), 1u) << "nothing in the new message's thread";
}

TEST_F(BotFlowTest, UnreadableAlertmanagerMessageGetsAShortReply) {
  start_bot();
  std::string ts = post_alert("a title Alertmanager would never write");
  ASSERT_TRUE(run_until(io_, [&] { return thread_of(kChannel, ts).size() == 2; }));
  EXPECT_NE(thread_of(kChannel, ts)[1].text.find("could not read this alert"), std::string::npos);
  EXPECT_TRUE(reports_.empty());
}

TEST_F(BotFlowTest, GrafanasSlackMessageIsInvestigatedToo) {
  start_bot();
  auto ts = ws_->post_webhook_message(kChannel, testing::read_test_file("alerts/grafana_slack_webhook_body.json"));
  ASSERT_TRUE(ts);
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  ASSERT_TRUE(reports_[0].result.alert);
  EXPECT_EQ(reports_[0].result.alert->source, "grafana-slack");
  EXPECT_EQ(reports_[0].result.alert->name, "HighLatency");
  EXPECT_EQ(reports_[0].result.service, "checkout");
  EXPECT_EQ(thread_of(kChannel, *ts).size(), 2u);
}

TEST_F(BotFlowTest, AnIntegrationsPlainTextWithLabelsIsAnAlertButChatIsNot) {
  start_bot();
  json::object bot_text{{"username", "cron-checker"}, {"text", "BackupStale service=checkout severity=warning last backup 30h ago"}};
  auto ts = ws_->post_webhook_message(kChannel, json::serialize(bot_text));
  ASSERT_TRUE(ts);
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  ASSERT_TRUE(reports_[0].result.alert);
  EXPECT_EQ(reports_[0].result.alert->name, "BackupStale");
  EXPECT_EQ(reports_[0].result.alert->source, "text");
  json::object chatter{{"username", "cron-checker"}, {"text", "all good today"}};
  auto quiet = ws_->post_webhook_message(kChannel, json::serialize(chatter));
  ASSERT_TRUE(quiet);
  run_until(io_, [] { return false; }, 300ms);
  EXPECT_EQ(thread_of(kChannel, *quiet).size(), 1u);
  EXPECT_EQ(reports_.size(), 1u);
}

// A TCP endpoint that accepts connections and never answers: a backend that hangs.
class BlackHole {
 public:
  explicit BlackHole(asio::io_context& io) : acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
  }
  ~BlackHole() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& s : held_) s->close(ec);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

 private:
  void accept() {
    auto socket = std::make_shared<asio::ip::tcp::socket>(acceptor_.get_executor());
    acceptor_.async_accept(*socket, [this, socket](boost::system::error_code ec) {
      if (ec) return;
      held_.push_back(socket);
      accept();
    });
  }
  asio::ip::tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<asio::ip::tcp::socket>> held_;
};

TEST_F(BotFlowTest, FindingsShowInThePlaceholderWhileASlowSourceIsStillOut) {
  BlackHole jaeger(io_);
  config_.services[0].traces = investigators::TracesSettings{jaeger.url(), "", "checkout"};
  add_deploy("deploy-4121", 14min);
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return thread_of(kChannel, alert_ts).size() == 2; }));
  // Prometheus and the deploys answer at once; Jaeger hangs. Within a progress tick the
  // placeholder shows what came in, and no report exists yet.
  bool shown = false;
  for (int tick = 0; tick < 3 && !shown; ++tick) {
    clock_.advance(kProgressEvery);
    shown = run_until(io_, [&] { return thread_of(kChannel, alert_ts)[1].edits >= 1; }, 500ms);
  }
  ASSERT_TRUE(shown) << "the placeholder was not updated while jaeger was out";
  EXPECT_TRUE(reports_.empty());
  const auto progress = thread_of(kChannel, alert_ts)[1];
  EXPECT_NE(progress.blocks_json.find("Early findings"), std::string::npos) << progress.blocks_json;
  EXPECT_NE(progress.blocks_json.find("latency rose"), std::string::npos) << progress.blocks_json;
  EXPECT_NE(progress.blocks_json.find("prometheus :white_check_mark:"), std::string::npos) << progress.blocks_json;
  // Jaeger's deadline passes: the report replaces the placeholder and says jaeger timed out.
  // Fake seconds pass with real time in between, so the sources' real sockets keep up.
  for (int second = 0; second < 60 && reports_.empty(); ++second) {
    clock_.advance(1s);
    run_until(io_, [&] { return !reports_.empty(); }, 30ms);
  }
  ASSERT_FALSE(reports_.empty());
  ASSERT_FALSE(reports_[0].result.causes.empty()) << thread_of(kChannel, alert_ts)[1].blocks_json;
  const auto final_reply = thread_of(kChannel, alert_ts)[1];
  EXPECT_NE(final_reply.blocks_json.find("Likely cause"), std::string::npos) << final_reply.blocks_json;
  EXPECT_NE(final_reply.blocks_json.find("jaeger :hourglass:"), std::string::npos) << final_reply.blocks_json;
  EXPECT_EQ(reports_[0].result.causes.front().suspect.ref, "deploy-4121");
}

TEST_F(BotFlowTest, AModelExplainsTheFindingsAndItsCostShowsInTheReport) {
  auto model = fakes::FakeOpenAi::start(io_.get_executor(), clock_);
  ASSERT_TRUE(model);
  use_model(llm::LlmProvider::OpenAi, (*model)->url());
  config_.llm.input_usd_per_mtok = 2.0;
  config_.llm.output_usd_per_mtok = 8.0;
  add_deploy("deploy-4121", 14min);
  const std::string answer =
      R"j({"summary":"Latency rose two minutes after deploy v2.14.0 of checkout.","causes":[{"title":"Deploy v2.14.0 slowed checkout",)j"
      R"j("explanation":"The p99 step follows the deploy by two minutes.","confidence":0.8,"evidence":["m1","d1"],)j"
      R"j("suspect_kind":"deploy","suspect_ref":"deploy-4121","fix":"Roll back to v2.13.4."},)j"
      R"j({"title":"Invented","explanation":"x","confidence":0.5,"evidence":["m9"],"suspect_kind":"deploy",)j"
      R"j("suspect_ref":"deploy-4121","fix":"x"}]})j";
  auto reply = fakes::FakeLlmReply::answer(answer);
  reply.prompt_tokens = 1000;
  reply.completion_tokens = 200;
  (*model)->push(reply);
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  const Report& r = reports_[0];
  EXPECT_TRUE(r.llm.used) << r.llm.fallback_reason.value_or("");
  EXPECT_EQ(r.llm.model, "gpt-test");
  EXPECT_EQ(r.llm.prompt_tokens, 1000);
  EXPECT_NEAR(r.llm.cost_usd, 0.0036, 1e-9);
  EXPECT_EQ(r.summary, "Latency rose two minutes after deploy v2.14.0 of checkout.");
  ASSERT_EQ(r.result.causes.size(), 1u);  // the cause citing a missing m9 was dropped
  EXPECT_EQ(r.result.causes[0].suspect.ref, "deploy-4121");
  auto thread = thread_of(kChannel, alert_ts);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_NE(thread[1].blocks_json.find("Latency rose two minutes after deploy"), std::string::npos) << thread[1].blocks_json;
  EXPECT_NE(thread[1].blocks_json.find("gpt-test"), std::string::npos) << thread[1].blocks_json;
  // Nothing secret reached the model.
  ASSERT_EQ((*model)->requests().size(), 1u);
  EXPECT_EQ((*model)->requests()[0].body.find("xoxb-1111-test-bot-secret"), std::string::npos);
  EXPECT_EQ((*model)->requests()[0].body.find("sk-test-llm-secret"), std::string::npos);
  run_coro(io_, (*model)->stop());
}

TEST_F(BotFlowTest, AModelThatFailsLeavesTheDeterministicReportAndSaysWhy) {
  auto model = fakes::FakeOpenAi::start(io_.get_executor(), clock_);
  ASSERT_TRUE(model);
  use_model(llm::LlmProvider::OpenAi, (*model)->url());
  (*model)->push(fakes::FakeLlmReply::refusal("I cannot help with that"));
  add_deploy("deploy-4121", 14min);
  start_bot();
  post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  const Report& r = reports_[0];
  EXPECT_FALSE(r.llm.used);
  ASSERT_TRUE(r.llm.fallback_reason);
  EXPECT_NE(r.llm.fallback_reason->find("refused"), std::string::npos) << *r.llm.fallback_reason;
  ASSERT_FALSE(r.result.causes.empty());
  EXPECT_EQ(r.result.causes[0].suspect.ref, "deploy-4121");
  run_coro(io_, (*model)->stop());
}

namespace {
// The model's structured answer for the harness' incident (deploy-4121 of checkout).
std::string explained_answer(const std::string& summary) {
  json::object cause{{"title", "Deploy v2.14.0 slowed checkout"},
                     {"explanation", "The p99 step follows the deploy by two minutes."},
                     {"confidence", 0.8},
                     {"evidence", json::array{"m1", "d1"}},
                     {"suspect_kind", "deploy"},
                     {"suspect_ref", "deploy-4121"},
                     {"fix", "Roll back to v2.13.4."}};
  return json::serialize(json::object{{"summary", summary}, {"causes", json::array{cause}}});
}
}  // namespace

// The model's summary appears in the placeholder while it is written (several chat.update calls
// with a growing summary), then the final report replaces it.
TEST_F(BotFlowTest, TheSummaryStreamsIntoThePlaceholderAsTheModelWritesIt) {
  auto model = fakes::FakeOpenAi::start(io_.get_executor(), clock_);
  ASSERT_TRUE(model);
  use_model(llm::LlmProvider::OpenAi, (*model)->url());
  config_.llm.timeout = 120s;
  const std::string summary =
      "Checkout p99 latency rose from about 180 ms to 900 ms two minutes after deploy v2.14.0 (deploy-4121); "
      "nothing else changed in the window, so the deploy is the likely cause and rolling back should recover it.";
  auto reply = fakes::FakeLlmReply::answer(explained_answer(summary));
  reply.chunk_bytes = 8;
  reply.stream_pause = 250ms;
  (*model)->push(reply);
  add_deploy("deploy-4121", 14min);
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return thread_of(kChannel, alert_ts).size() == 2; }));
  for (int step = 0; step < 400 && reports_.empty(); ++step) {
    clock_.advance(250ms);
    run_until(io_, [&] { return !reports_.empty(); }, 25ms);
  }
  ASSERT_FALSE(reports_.empty());
  std::vector<std::string> drafts;
  for (const auto& call : ws_->calls("chat.update")) {
    if (call.args.at("text").find("summary being written") != std::string::npos) drafts.push_back(call.args.at("blocks"));
  }
  ASSERT_GE(drafts.size(), 3u) << "the summary should show up in several updates";
  // Each draft shows a longer start of the summary than the one before.
  std::vector<std::size_t> shown;
  for (const auto& blocks : drafts) {
    std::size_t n = 0;
    while (n < summary.size() && blocks.find(summary.substr(0, n + 1)) != std::string::npos) ++n;
    if (!shown.empty()) {
      EXPECT_GT(n, shown.back()) << blocks;
    }
    shown.push_back(n);
  }
  EXPECT_GT(shown.front(), 0u);
  EXPECT_LT(shown.front(), summary.size() / 2) << "the first draft shows only the start of the summary";
  const auto final_reply = thread_of(kChannel, alert_ts)[1];
  EXPECT_NE(final_reply.blocks_json.find(summary), std::string::npos) << final_reply.blocks_json;
  EXPECT_EQ(final_reply.text.find("summary being written"), std::string::npos);
  EXPECT_TRUE(reports_[0].llm.used);
  run_coro(io_, (*model)->stop());
}

// A question in the report's thread: the model calls two tools (the deploy list from the store,
// the latency from Prometheus), and its answer, neutralised, is posted once in the thread.
TEST_F(BotFlowTest, AFollowUpQuestionIsAnsweredWithTwoToolCalls) {
  auto model = fakes::FakeOpenAi::start(io_.get_executor(), clock_);
  ASSERT_TRUE(model);
  use_model(llm::LlmProvider::OpenAi, (*model)->url());
  (*model)->push(fakes::FakeLlmReply::answer(explained_answer("Latency rose after deploy-4121.")));
  (*model)->push(fakes::FakeLlmReply::tools({{"call_1", "list_deploys", R"({"service":"checkout","hours":2})"}}));
  (*model)->push(fakes::FakeLlmReply::tools({{"call_2", "query_metrics", R"({"service":"checkout","minutes":30})"}}));
  (*model)->push(fakes::FakeLlmReply::answer("Yes: deploy-4121 went out 14 min ago and p99 rose right after. <!channel>"));
  add_deploy("deploy-4121", 14min);
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  ws_->post_user_message(kChannel, "U0HUMAN", "thanks, looking", alert_ts);  // not for the bot
  ws_->post_user_message(kChannel, "U0HUMAN", "<@U0ALERTBOT> did deploy-4121 cause this?", alert_ts);
  auto answered = [&] {
    auto thread = thread_of(kChannel, alert_ts);
    return thread.size() >= 5 && thread.back().text.find("Looking into it") == std::string::npos;
  };
  ASSERT_TRUE(run_until(io_, answered));
  run_until(io_, [] { return false; }, 300ms);  // a duplicate answer would show up by now
  auto thread = thread_of(kChannel, alert_ts);
  ASSERT_EQ(thread.size(), 5u) << "alert, report, two people's replies, one answer";
  const auto& answer = thread.back();
  EXPECT_EQ(answer.bot_id, "B0ALERTBOT");
  EXPECT_NE(answer.blocks_json.find("deploy-4121 went out 14 min ago"), std::string::npos) << answer.blocks_json;
  EXPECT_EQ(answer.blocks_json.find("<!channel>"), std::string::npos) << "model text must never ping";
  EXPECT_NE(answer.blocks_json.find("2 tool calls: list_deploys, query_metrics"), std::string::npos) << answer.blocks_json;
  auto requests = (*model)->requests();
  ASSERT_EQ(requests.size(), 4u);
  const std::string& last = requests[3].body;
  EXPECT_NE(last.find("did deploy-4121 cause this?"), std::string::npos);
  EXPECT_EQ(last.find("<@U0ALERTBOT>"), std::string::npos);
  auto msgs = json::parse(last).at("messages").as_array();
  ASSERT_EQ(msgs.size(), 6u);  // system, question, call, answer, call, answer
  EXPECT_EQ(msgs[3].at("role"), "tool");
  EXPECT_NE(json::serialize(msgs[3]).find("deploy-4121"), std::string::npos) << json::serialize(msgs[3]);
  EXPECT_EQ(msgs[5].at("role"), "tool");
  EXPECT_EQ(json::serialize(msgs[5]).find("error"), std::string::npos) << json::serialize(msgs[5]);
  for (const auto& r : requests) EXPECT_EQ(r.body.find("sk-test-llm-secret"), std::string::npos);
  // The investigation's LLM totals: the explanation and the three follow-up steps.
  auto row = run_coro(io_, seed().get_investigation(reports_[0].id));
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->llm.calls, 4);
  EXPECT_EQ((*row)->llm.prompt_tokens, 48);
  EXPECT_EQ((*row)->llm.completion_tokens, 20);
  run_coro(io_, (*model)->stop());
}

// The same path with Anthropic's Messages API: the explanation streams and is used, and a
// follow-up runs its tool call through tool_use / tool_result blocks.
TEST_F(BotFlowTest, AnthropicExplainsAndAnswersAFollowUp) {
  auto model = fakes::FakeAnthropic::start(io_.get_executor(), clock_);
  ASSERT_TRUE(model);
  use_model(llm::LlmProvider::Anthropic, (*model)->url());
  (*model)->push(fakes::FakeLlmReply::answer(explained_answer("Latency rose after deploy-4121.")));
  (*model)->push(fakes::FakeLlmReply::tools({{"toolu_1", "list_deploys", R"({"service":"checkout"})"}}));
  (*model)->push(fakes::FakeLlmReply::answer("deploy-4121 is the only deploy in the last day."));
  add_deploy("deploy-4121", 14min);
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  EXPECT_TRUE(reports_[0].llm.used) << reports_[0].llm.fallback_reason.value_or("");
  EXPECT_EQ(reports_[0].llm.provider, "anthropic");
  EXPECT_EQ(reports_[0].summary, "Latency rose after deploy-4121.");
  ws_->post_user_message(kChannel, "U0HUMAN", "any other deploys today?", alert_ts);
  ASSERT_TRUE(run_until(io_, [&] {
    auto thread = thread_of(kChannel, alert_ts);
    return thread.size() == 4 && thread.back().text.find("only deploy") != std::string::npos;
  }));
  auto requests = (*model)->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].header("x-api-key").value_or(""), "sk-ant-test-secret-0123456789");
  auto last = json::parse(requests[2].body).as_object();
  auto msgs = last.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 3u);  // the question, the tool_use, the tool_result
  EXPECT_NE(json::serialize(msgs[2]).find("tool_result"), std::string::npos) << json::serialize(msgs[2]);
  EXPECT_NE(json::serialize(msgs[2]).find("deploy-4121"), std::string::npos) << json::serialize(msgs[2]);
  run_coro(io_, (*model)->stop());
}

TEST_F(BotFlowTest, WithoutAModelAFollowUpIsToldWhy) {
  add_deploy("deploy-4121", 14min);
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  ws_->post_user_message(kChannel, "U0HUMAN", "was it the deploy?", alert_ts);
  ASSERT_TRUE(run_until(io_, [&] { return thread_of(kChannel, alert_ts).size() == 4; }));
  EXPECT_NE(thread_of(kChannel, alert_ts).back().text.find("once an LLM is configured"), std::string::npos);
}

TEST_F(BotFlowTest, PeopleTalkingInTheChannelAreLeftAlone) {
  start_bot();
  ws_->post_user_message(kChannel, "U0HUMAN", "is checkout slow for anyone else?");
  ws_->post_user_message("C0RANDOM", "U0HUMAN", "[FIRING:1] lookalike (checkout)");
  ASSERT_TRUE(run_until(io_, [&] {
    for (const auto& d : ws_->deliveries()) {
      if (!d.acked) return false;
    }
    return ws_->deliveries().size() == 2;
  }));
  io_.poll();
  EXPECT_TRUE(ws_->calls("chat.postMessage").empty());
}

TEST_F(BotFlowTest, LogsNeverContainTheTokens) {
  testing::LogCapture logs;
  start_bot();
  post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  // Even code that logged a token outright would be masked.
  spdlog::error("auth header was Bearer {}", config_.slack.bot_token);
  auto lines = logs.lines();
  ASSERT_GT(lines.size(), 3u);
  for (const auto& line : lines) {
    EXPECT_EQ(line.find(config_.slack.bot_token), std::string::npos) << line;
    EXPECT_EQ(line.find(config_.slack.app_token), std::string::npos) << line;
  }
  EXPECT_NE(lines.back().find("Bearer ***"), std::string::npos) << lines.back();
}

TEST_F(BotFlowTest, RefusedTokenStopsTheBotWithAClearErrorAndNoTokenInLogs) {
  testing::LogCapture logs;
  config_.slack.bot_token = "xoxb-9999-revoked-secret";
  auto app = App::create(io_.get_executor(), config_, clock_);
  ASSERT_TRUE(app);
  auto r = run_coro(io_, (*app)->run());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("invalid_auth"), std::string::npos);
  for (const auto& line : logs.lines()) EXPECT_EQ(line.find("revoked-secret"), std::string::npos) << line;
}

TEST_F(BotFlowTest, StopDuringStartUpEndsRun) {
  auto app = App::create(io_.get_executor(), config_, clock_);
  ASSERT_TRUE(app);
  bool done = false;
  asio::co_spawn(io_, (*app)->run(), [&](std::exception_ptr, const Result<void>&) { done = true; });
  (*app)->stop();  // before migrate and auth.test have finished
  ASSERT_TRUE(run_until(io_, [&] { return done; }, std::chrono::seconds(5)));
  EXPECT_EQ((*app)->open_sockets(), 0);
}

TEST_F(BotFlowTest, AnEventStoredButNeverProcessedIsReplayedAtStart) {
  // As if the bot died right after acking: the alert's envelope is stored, nothing else happened.
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  auto delivered = ws_->deliveries();
  ASSERT_EQ(delivered.size(), 1u);
  store::InboundEvent ev{"slack", delivered[0].event_id, "events_api", delivered[0].payload_json};
  ASSERT_TRUE(run_coro(io_, seed().record_event(ev)));
  clock_.advance(1min);  // older than the replay's minimum age
  start_bot();
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  auto thread = thread_of(kChannel, alert_ts);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_NE(thread[1].blocks_json.find("Checked"), std::string::npos);
  auto stored = run_coro(io_, seed().get_event(delivered[0].event_id));
  EXPECT_EQ((*stored)->status, store::EventStatus::Processed);
}

TEST_F(BotFlowTest, TwoReplicasReplayingTheSameStoredEventProcessItOnce) {
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  auto delivered = ws_->deliveries();
  ASSERT_EQ(delivered.size(), 1u);
  store::InboundEvent ev{"slack", delivered[0].event_id, "events_api", delivered[0].payload_json};
  ASSERT_TRUE(run_coro(io_, seed().record_event(ev)));
  clock_.advance(1min);  // older than the replay's minimum age
  // A second replica on the same database starts at the same moment: both replay at start.
  auto other = App::create(io_.get_executor(), config_, clock_);
  ASSERT_TRUE(other);
  bool other_running = true;
  asio::co_spawn(io_, (*other)->run(), [&](std::exception_ptr, const Result<void>&) { other_running = false; });
  start_bot();
  // Either replica may be the one that replays it.
  auto reported = [&] {
    auto t = thread_of(kChannel, alert_ts);
    return t.size() >= 2 && t[1].blocks_json.find("Checked") != std::string::npos;
  };
  ASSERT_TRUE(run_until(io_, reported));
  // Give the other replica time to have done (wrongly) the same: its replay ran at start too.
  run_until(io_, [] { return false; }, std::chrono::milliseconds(500));
  auto thread = thread_of(kChannel, alert_ts);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_NE(thread[1].blocks_json.find("Checked"), std::string::npos);
  // A second replay would have counted the alert again in its incident.
  auto group = run_coro(io_, seed().find_open_group(std::string(kChannel) + "|service:checkout"));
  ASSERT_TRUE(group && *group);
  EXPECT_EQ((*group)->alert_count, 1);
  EXPECT_EQ(run_coro(io_, seed().recent_investigations(10)).value().size(), 1u);
  (*other)->stop();
  ASSERT_TRUE(run_until(io_, [&] { return !other_running; }));
}

TEST_F(BotFlowTest, MissingTokensAreRefusedBeforeStart) {
  config_.slack.bot_token.clear();
  auto app = App::create(io_.get_executor(), config_, clock_);
  ASSERT_FALSE(app);
  EXPECT_EQ(app.error().code, Errc::InvalidArgument);
  EXPECT_NE(app.error().message.find("slack.bot_token"), std::string::npos) << app.error().message;
}

}  // namespace
}  // namespace alertbot::bot
