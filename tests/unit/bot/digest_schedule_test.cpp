// DigestScheduler against the Slack workspace emulator and SQLite on a FakeClock: nothing before
// the configured local time, exactly one post for two replicas sharing a database, none again after
// a restart, a failed post retried, and the run() loop waking every minute until stop().
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>

#include "bot/config.hpp"
#include "bot/digest_schedule.hpp"
#include "net/http_client.hpp"
#include "slack/rate_limiter.hpp"
#include "slack/web_api.hpp"
#include "store/store.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
using namespace alertbot;
using namespace alertbot::bot;
using alertbot::testing::run_coro;
using alertbot::testing::run_until;

constexpr const char* kChannel = "C0DIGEST";

Clock::SystemTime utc(int month, int day, int hour, int minute) {
  return sys_days{year{2026} / month / day} + hours(hour) + minutes(minute);
}

class DigestSchedule : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = fakes::SlackWorkspace::start(io_.get_executor(), clock_);
    ASSERT_TRUE(ws);
    ws_ = std::move(*ws);
    slack_.api_url = ws_->api_url();
    slack_.bot_token = ws_->settings().bot_token;
    http_ = make_curl_http_client(io_.get_executor(), clock_);
    api_ = slack::make_web_api(*http_, limiter_, slack_);
    dir_ = store_test::make_temp_dir();
    settings_.channel = kChannel;
    settings_.weekday = 1;  // Monday 09:00 in Berlin: 2026-11-23 08:00 UTC
    settings_.hour = 9;
    settings_.timezone = "Europe/Berlin";
    seed();
  }
  void TearDown() override {
    schedulers_.clear();
    stores_.clear();
    api_.reset();
    http_.reset();
    if (ws_) run_coro(io_, ws_->stop());
    std::filesystem::remove_all(dir_);
  }

  // A replica: its own connection to the shared database and its own scheduler.
  DigestScheduler& replica(const std::string& owner) {
    store::StoreSettings s;
    s.url = "sqlite://" + dir_ + "/bot.db";
    auto st = store::open_store(s, clock_);
    EXPECT_TRUE(st) << st.error().describe();
    stores_.push_back(std::move(*st));
    EXPECT_TRUE(run_coro(io_, stores_.back()->migrate()));
    schedulers_.push_back(std::make_unique<DigestScheduler>(*stores_.back(), *api_, settings_, clock_, owner));
    return *schedulers_.back();
  }
  store::Store& db() { return *stores_.front(); }

  void to(Clock::SystemTime t) { clock_.advance(t - clock_.system_now()); }

  // The week before the post: HighLatency fired 3 times; one investigation judged helpful.
  void seed() {
    replica("seeder");
    for (int day : {18, 19, 20}) {
      to(utc(11, day, 10, 0));
      store::AlertRow a{.source = "alertmanager", .name = "HighLatency", .status = "firing", .severity = "critical",
                        .service = "checkout", .fingerprint = "fpA", .group_key = "gA", .labels_json = "{}",
                        .annotations_json = "{}", .starts_at = clock_.system_now()};
      ASSERT_TRUE(run_coro(io_, db().add_alert(a)));
    }
    auto inv = run_coro(io_, db().create_investigation(store::InvestigationRow{.service = "checkout", .trigger = "alert"}));
    ASSERT_TRUE(inv);
    ASSERT_TRUE(run_coro(io_, db().add_feedback(store::FeedbackRow{.investigation_id = *inv, .user = "U1", .verdict = "helpful"})));
    to(utc(11, 23, 7, 0));  // Monday 08:00 in Berlin
  }

  std::vector<fakes::SlackMessage> posts() const { return ws_->channel_history(kChannel); }

  asio::io_context io_;
  alertbot::testing::FakeClock clock_{utc(11, 16, 12, 0)};
  std::unique_ptr<fakes::SlackWorkspace> ws_;
  slack::SlackSettings slack_;
  std::unique_ptr<HttpClient> http_;
  slack::RateLimiter limiter_{clock_};
  std::unique_ptr<slack::WebApi> api_;
  std::string dir_;
  DigestSettings settings_;
  std::vector<std::unique_ptr<store::Store>> stores_;
  std::vector<std::unique_ptr<DigestScheduler>> schedulers_;
};

TEST_F(DigestSchedule, DueIsTheLocalWeekdayAndTimeOfTheCurrentWeek) {
  auto berlin = TimeZone::load("Europe/Berlin").value();
  const DigestDue due = digest_due(settings_, berlin, utc(11, 25, 15, 0));
  EXPECT_EQ(due.week.str(), "2026-W48");
  EXPECT_EQ(due.at, utc(11, 23, 8, 0));
  // Sunday 23:30 UTC is already Monday in Berlin: the next week.
  EXPECT_EQ(digest_due(settings_, berlin, utc(11, 29, 23, 30)).week.str(), "2026-W49");
}

TEST_F(DigestSchedule, NothingIsPostedBeforeTheTime) {
  auto& s = replica("a");
  to(utc(11, 23, 7, 59));
  auto r = run_coro(io_, s.check());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_FALSE(*r);
  EXPECT_TRUE(ws_->calls("chat.postMessage").empty());
  EXPECT_FALSE(run_coro(io_, db().get_digest("2026-W48")).value());
}

TEST_F(DigestSchedule, TwoReplicasPostOnceAndARestartDoesNotPostAgain) {
  auto& a = replica("a");
  auto& b = replica("b");
  to(utc(11, 23, 8, 0));
  std::vector<Result<bool>> results;
  for (auto* s : {&a, &b}) {
    asio::co_spawn(io_, s->check(), [&](std::exception_ptr e, const Result<bool>& r) {
      EXPECT_FALSE(e);
      results.push_back(r);
    });
  }
  ASSERT_TRUE(run_until(io_, [&] { return results.size() == 2; }));
  ASSERT_TRUE(results[0] && results[1]);
  EXPECT_EQ(static_cast<int>(*results[0]) + static_cast<int>(*results[1]), 1);
  const auto all = posts();
  ASSERT_EQ(all.size(), 1u);
  const auto& post = all[0];
  EXPECT_NE(post.blocks_json.find("Weekly digest 2026-W48"), std::string::npos) << post.blocks_json;
  EXPECT_NE(post.blocks_json.find("*Alerts:* 3 (3 notifications)"), std::string::npos) << post.blocks_json;
  EXPECT_NE(post.blocks_json.find("100% (1 helpful, 0 wrong)"), std::string::npos) << post.blocks_json;
  auto recorded = run_coro(io_, db().get_digest("2026-W48")).value();
  ASSERT_TRUE(recorded);
  EXPECT_TRUE(recorded->posted_at);
  EXPECT_EQ(recorded->message_ts, post.ts);

  auto& restarted = replica("c");
  EXPECT_FALSE(run_coro(io_, restarted.check()).value());
  clock_.advance(26h);  // later in the same week
  EXPECT_FALSE(run_coro(io_, restarted.check()).value());
  EXPECT_FALSE(run_coro(io_, a.check()).value());
  EXPECT_EQ(posts().size(), 1u);
}

TEST_F(DigestSchedule, AFailedPostIsRetried) {
  auto& s = replica("a");
  to(utc(11, 23, 8, 5));
  ws_->inject_http_errors("chat.postMessage", 1, 500);
  auto failed = run_coro(io_, s.check());
  ASSERT_FALSE(failed);
  EXPECT_TRUE(posts().empty());
  EXPECT_FALSE(run_coro(io_, db().get_digest("2026-W48")).value());  // released
  clock_.advance(1min);
  auto retried = run_coro(io_, s.check());
  ASSERT_TRUE(retried) << retried.error().describe();
  EXPECT_TRUE(*retried);
  EXPECT_EQ(posts().size(), 1u);
}

TEST_F(DigestSchedule, RunChecksEveryMinuteAndStops) {
  auto& s = replica("a");
  to(utc(11, 23, 7, 57));
  bool running = true;
  asio::co_spawn(io_, s.run(), [&](std::exception_ptr) { running = false; });
  ASSERT_TRUE(run_until(io_, [&] { return clock_.sleepers() > 0; }));
  for (int i = 0; i < 5; ++i) {  // 07:58 ... 08:02
    clock_.advance(1min);
    ASSERT_TRUE(run_until(io_, [&] { return clock_.sleepers() > 0; }));
    EXPECT_EQ(posts().size(), i < 2 ? 0u : 1u) << "at minute " << i;
  }
  s.stop();
  ASSERT_TRUE(run_until(io_, [&] { return !running; }));
  EXPECT_EQ(ws_->calls("chat.postMessage").size(), 1u);
}

// The `digest:` config section: values, defaults, and errors that name the key.
TEST(DigestConfig, ReadsTheSection) {
  const Config c = load_config_text("digest: {channel: C0DIGEST, weekday: fri, time: \"17:30\", timezone: Europe/Berlin}\n",
                                    "a.yaml");
  EXPECT_TRUE(c.has_digest);
  EXPECT_EQ(c.digest.channel, "C0DIGEST");
  EXPECT_EQ(c.digest.weekday, 5u);
  EXPECT_EQ(c.digest.hour, 17);
  EXPECT_EQ(c.digest.minute, 30);
  EXPECT_EQ(c.digest.timezone, "Europe/Berlin");
  const Config d = load_config_text("digest: {channel: C1}\n", "a.yaml");
  EXPECT_EQ(d.digest.weekday, 1u);
  EXPECT_EQ(d.digest.hour, 9);
  EXPECT_EQ(d.digest.timezone, "UTC");
  EXPECT_FALSE(load_config_text("store: {url: \"sqlite::memory:\"}\n", "a.yaml").has_digest);
  EXPECT_NE(dump_config_masked(c).find("weekday: fri"), std::string::npos);
}

TEST(DigestConfig, ErrorsNameTheKey) {
  auto key_of = [](const std::string& yaml) {
    try {
      load_config_text(yaml, "a.yaml");
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(key_of("digest: {weekday: mon}\n"), "digest.channel");
  EXPECT_EQ(key_of("digest: {channel: C1, weekday: someday}\n"), "digest.weekday");
  EXPECT_EQ(key_of("digest: {channel: C1, time: \"9am\"}\n"), "digest.time");
  EXPECT_EQ(key_of("digest: {channel: C1, time: \"24:00\"}\n"), "digest.time");
  EXPECT_EQ(key_of("digest: {channel: C1, timezone: Mars/Base}\n"), "digest.timezone");
  EXPECT_EQ(key_of("digest: {channel: C1, day: mon}\n"), "digest.day");
}

}  // namespace
