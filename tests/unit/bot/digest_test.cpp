// The weekly digest's numbers from a seeded SQLite week (alerts re-sent and flapping,
// investigations with first reply and finish times, feedback changed by its author, LLM cost),
// the week's boundaries in Europe/Berlin against UTC, the JSON shape, and escaping in Slack.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "bot/digest.hpp"
#include "bot/digest_render.hpp"
#include "store/store.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
using namespace alertbot;
using namespace alertbot::bot;
using store::Id;
using store::Time;

Time utc(int month, int day, int hour, int minute, int second = 0) {
  return sys_days{year{2026} / month / day} + hours(hour) + minutes(minute) + seconds(second);
}

class DigestWeek : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = store_test::make_temp_dir();
    store::StoreSettings settings;
    settings.url = "sqlite://" + dir_ + "/digest.db";
    auto st = store::open_store(settings, clock_);
    ASSERT_TRUE(st) << st.error().describe();
    store_ = std::move(*st);
    ASSERT_TRUE(run(store_->migrate()));
    seed();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  template <class T>
  T run(awaitable<T> coro) {
    return alertbot::testing::run_coro(io_, std::move(coro));
  }

  void at(Time t) {
    ASSERT_GE(t, clock_.system_now());
    clock_.advance(t - clock_.system_now());
  }

  void alert(Time when, std::string name, std::string service, std::string severity, std::string status,
             std::string fingerprint, std::string group, Time starts) {
    at(when);
    store::AlertRow a;
    a.source = "alertmanager";
    a.name = std::move(name);
    a.service = std::move(service);
    a.severity = std::move(severity);
    a.status = std::move(status);
    a.fingerprint = std::move(fingerprint);
    a.group_key = std::move(group);
    a.labels_json = "{}";
    a.annotations_json = "{}";
    a.starts_at = starts;
    ASSERT_TRUE(run(store_->add_alert(a)));
  }
  void latency(Time when, std::string status, Time starts, std::string fp = "fpA") {
    alert(when, "HighLatency", "checkout", "critical", std::move(status), std::move(fp), "gA", starts);
  }
  void disk(Time when) { alert(when, "DiskFull", "storage", "warning", "firing", "fpB", "gB", when); }

  Id group(std::string key) {
    auto g = run(store_->create_group(store::AlertGroupRow{.group_key = std::move(key), .service = "checkout"}));
    EXPECT_TRUE(g) << g.error().describe();
    return g->id;
  }

  // An investigation created at `when`, first reply after `reply`, finished (done or failed)
  // after `took`, with a search document suspecting `kind` when it is not empty.
  Id investigation(Time when, std::optional<Id> group, const std::string& service, std::string trigger, seconds reply,
                   seconds took, bool done, const std::string& kind, std::string alert_name, store::LlmUsage llm) {
    at(when);
    store::InvestigationRow inv;
    inv.group_id = group;
    inv.service = service;
    inv.trigger = std::move(trigger);
    const Id id = run(store_->create_investigation(inv)).value();
    EXPECT_TRUE(run(store_->set_first_reply(id, when + reply)));
    at(when + took);
    const auto status = done ? store::InvestigationStatus::Done : store::InvestigationStatus::Failed;
    EXPECT_TRUE(run(store_->update_investigation(id, status, done ? "{}" : "", done ? "" : "boom")));
    EXPECT_TRUE(run(store_->add_llm_usage(id, llm)));
    if (!kind.empty()) {
      store::SearchDocument doc;
      doc.investigation_id = id;
      doc.service = service;
      doc.alert_name = std::move(alert_name);
      doc.top_cause = kind + " cause of #" + std::to_string(id);
      doc.suspect_kind = kind;
      doc.suspect_ref = kind + "-ref";
      doc.finished_at = clock_.system_now();
      EXPECT_TRUE(run(store_->index_investigation(doc)));
    }
    return id;
  }

  void verdict(Time when, Id inv, std::string user, std::string verdict) {
    at(when);
    EXPECT_TRUE(run(store_->add_feedback(store::FeedbackRow{.investigation_id = inv, .user = std::move(user), .verdict = std::move(verdict)})));
  }

  // Europe/Berlin is UTC+1 all through this week; 2026-W47 there is [11-15 23:00Z, 11-22 23:00Z).
  void seed() {
    const Id ga = group("gA");
    const Id gc = group("gC");
    group("gB");
    latency(utc(11, 15, 23, 30), "firing", utc(11, 15, 23, 29));  // Monday 00:30 in Berlin
    i1_ = investigation(utc(11, 15, 23, 31), ga, "checkout", "alert", 2s, 40s, true, "deploy", "HighLatency",
                        {2, 1000, 200, 0.10, 1500});
    latency(utc(11, 15, 23, 40), "firing", utc(11, 15, 23, 29));  // re-sent: the same episode
    verdict(utc(11, 15, 23, 45), i1_, "U1", "helpful");
    latency(utc(11, 15, 23, 50), "resolved", utc(11, 15, 23, 29));
    latency(utc(11, 17, 10, 0), "firing", utc(11, 17, 10, 0));
    verdict(utc(11, 17, 10, 5), i1_, "U1", "wrong");  // changed their mind: the latest counts
    verdict(utc(11, 17, 10, 6), i1_, "U2", "wrong");
    latency(utc(11, 17, 11, 0), "resolved", utc(11, 17, 10, 0));
    latency(utc(11, 18, 9, 0), "firing", utc(11, 18, 9, 0));
    disk(utc(11, 18, 12, 0));
    latency(utc(11, 19, 8, 0), "firing", utc(11, 19, 8, 0));
    disk(utc(11, 19, 9, 0));
    const Id i4 = investigation(utc(11, 19, 9, 30), ga, "checkout", "alert", 6s, 120s, true, "span", "HighLatency",
                                {1, 300, 50, 0.02, 400});
    latency(utc(11, 19, 14, 0), "firing", utc(11, 19, 14, 0), "fpA2");  // another pod, same alert
    verdict(utc(11, 19, 15, 0), i4, "U2", "helpful");
    disk(utc(11, 20, 10, 0));
    alert(utc(11, 20, 11, 0), "ErrorRate", "checkout", "critical", "firing", "fpC", "gC", utc(11, 20, 11, 0));
    const Id i2 = investigation(utc(11, 20, 11, 1), gc, "checkout", "alert", 4s, 60s, true, "commit", "ErrorRate",
                                {1, 500, 100, 0.05, 800});
    i2_ = i2;
    verdict(utc(11, 20, 12, 0), i2, "U1", "helpful");
    verdict(utc(11, 20, 12, 1), i2, "U3", "helpful");
    investigation(utc(11, 21, 10, 0), std::nullopt, "payments", "command", 1s, 10s, false, "", "", {});
    alert(utc(11, 22, 23, 30), "Late", "storage", "warning", "firing", "fpD", "gD", utc(11, 22, 23, 30));  // W48 in Berlin
  }

  Digest digest_for(const std::string& zone_name) {
    auto zone = TimeZone::load(zone_name);
    EXPECT_TRUE(zone) << zone.error().describe();
    const DigestWindow window = week_window(IsoWeek::parse("2026-W47").value(), *zone);
    auto data = run(store_->digest_data(window.from, window.to));
    EXPECT_TRUE(data) << data.error().describe();
    return compute_digest(*data, window);
  }

  asio::io_context io_;
  alertbot::testing::FakeClock clock_{utc(11, 15, 22, 0)};
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  Id i1_ = 0;
  Id i2_ = 0;
};

TEST_F(DigestWeek, SeededBerlinWeekHasTheRightNumbers) {
  const Digest d = digest_for("Europe/Berlin");
  EXPECT_EQ(d.window.week, "2026-W47");
  EXPECT_EQ(d.window.from, utc(11, 15, 23, 0));
  EXPECT_EQ(d.window.to, utc(11, 22, 23, 0));
  EXPECT_EQ(d.window.from_local, "2026-11-16 00:00");
  EXPECT_EQ(d.window.to_local, "2026-11-23 00:00");

  EXPECT_EQ(d.notifications, 12);
  EXPECT_EQ(d.alerts, 9);  // fpA 4 episodes, fpA2 1, fpB 3, fpC 1
  ASSERT_EQ(d.by_service.size(), 2u);
  EXPECT_EQ(d.by_service[0].service, "checkout");
  EXPECT_EQ(d.by_service[0].severity, "critical");
  EXPECT_EQ(d.by_service[0].alerts, 6);
  EXPECT_EQ(d.by_service[1].service, "storage");
  EXPECT_EQ(d.by_service[1].alerts, 3);

  EXPECT_EQ(d.investigations, 4);
  EXPECT_EQ(d.investigations_done, 3);
  EXPECT_EQ(d.investigations_failed, 1);
  EXPECT_EQ(d.median_first_reply_ms, 3000);  // 1, 2, 4, 6 s
  EXPECT_EQ(d.first_reply_samples, 4);
  EXPECT_EQ(d.median_report_ms, 60000);  // 40, 60, 120 s; the failed one has no report
  EXPECT_EQ(d.report_samples, 3);

  ASSERT_EQ(d.most_fired.size(), 3u);
  EXPECT_EQ(d.most_fired[0].name, "HighLatency");
  EXPECT_EQ(d.most_fired[0].count, 5);
  EXPECT_NE(d.most_fired[0].suggestion.find("threshold"), std::string::npos);
  EXPECT_EQ(d.most_fired[1].name, "DiskFull");
  EXPECT_EQ(d.most_fired[1].count, 3);
  EXPECT_EQ(d.most_fired[1].suggestion, "");
  EXPECT_EQ(d.most_fired[2].name, "ErrorRate");
  ASSERT_EQ(d.flapping.size(), 2u);
  EXPECT_EQ(d.flapping[0].fingerprint, "fpA");
  EXPECT_EQ(d.flapping[0].count, 3);
  EXPECT_EQ(d.flapping[1].fingerprint, "fpB");
  EXPECT_EQ(d.flapping[1].count, 2);
  EXPECT_NE(d.flapping[0].suggestion.find("for:"), std::string::npos);
  ASSERT_EQ(d.never_acted_on.size(), 1u);  // HighLatency and ErrorRate got feedback
  EXPECT_EQ(d.never_acted_on[0].name, "DiskFull");
  EXPECT_EQ(d.never_acted_on[0].count, 3);

  ASSERT_EQ(d.regressions.size(), 2u);
  EXPECT_EQ(d.regressions[0].investigation_id, i1_);
  EXPECT_EQ(d.regressions[0].suspect_kind, "deploy");
  EXPECT_EQ(d.regressions[0].alert_name, "HighLatency");
  EXPECT_EQ(d.regressions[1].investigation_id, i2_);
  EXPECT_EQ(d.regressions[1].suspect_kind, "commit");

  EXPECT_EQ(d.helpful, 3);
  EXPECT_EQ(d.wrong, 2);
  ASSERT_TRUE(d.helpfulness_rate);
  EXPECT_DOUBLE_EQ(*d.helpfulness_rate, 0.6);
  EXPECT_EQ(d.llm.calls, 4);
  EXPECT_EQ(d.llm.prompt_tokens, 1800);
  EXPECT_EQ(d.llm.completion_tokens, 350);
  EXPECT_NEAR(d.llm.cost_usd, 0.17, 1e-9);
  EXPECT_EQ(d.llm.latency_ms, 2700);
}

TEST_F(DigestWeek, TheSameWeekInUtcStartsAnHourLater) {
  const Digest d = digest_for("UTC");
  EXPECT_EQ(d.window.from, utc(11, 16, 0, 0));
  EXPECT_EQ(d.window.to, utc(11, 23, 0, 0));
  EXPECT_EQ(d.notifications, 10);  // Monday 00:30 Berlin is Sunday in UTC; the late one is in
  EXPECT_EQ(d.alerts, 9);
  EXPECT_EQ(d.investigations, 3);
  ASSERT_EQ(d.regressions.size(), 1u);
  EXPECT_EQ(d.regressions[0].investigation_id, i2_);
}

TEST_F(DigestWeek, JsonHasTheDocumentedShape) {
  const auto v = boost::json::parse(digest_json(digest_for("Europe/Berlin")));
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("week").as_string(), "2026-W47");
  EXPECT_EQ(o.at("window").at("from").as_string(), "2026-11-15T23:00:00.000Z");
  EXPECT_EQ(o.at("window").at("timezone").as_string(), "Europe/Berlin");
  EXPECT_EQ(o.at("alerts").at("total").as_int64(), 9);
  EXPECT_EQ(o.at("alerts").at("notifications").as_int64(), 12);
  EXPECT_EQ(o.at("alerts").at("by_service").as_array().at(0).at("count").as_int64(), 6);
  EXPECT_EQ(o.at("investigations").at("median_first_reply_ms").as_int64(), 3000);
  EXPECT_EQ(o.at("investigations").at("median_report_ms").as_int64(), 60000);
  EXPECT_EQ(o.at("noisiest").at("most_fired").as_array().at(0).at("name").as_string(), "HighLatency");
  EXPECT_TRUE(o.at("noisiest").at("most_fired").as_array().at(1).at("suggestion").is_null());
  EXPECT_EQ(o.at("noisiest").at("flapping").as_array().at(0).at("flaps").as_int64(), 3);
  EXPECT_EQ(o.at("noisiest").at("never_acted_on").as_array().at(0).at("name").as_string(), "DiskFull");
  EXPECT_EQ(o.at("regressions").as_array().at(0).at("suspect").at("kind").as_string(), "deploy");
  EXPECT_EQ(o.at("feedback").at("helpfulness_rate").as_double(), 0.6);
  EXPECT_EQ(o.at("llm").at("cost_usd").as_double(), 0.17);
  EXPECT_EQ(o.at("llm").at("calls").as_int64(), 4);
}

TEST_F(DigestWeek, TextNamesEveryPart) {
  const std::string text = digest_text(digest_for("Europe/Berlin"));
  for (const char* part : {"Weekly digest 2026-W47", "Alerts: 9 (12 notifications)", "checkout / critical: 6",
                           "median time to first reply: 3.0s (4)", "median time to full report: 1m 0s (3)",
                           "HighLatency (checkout): 5 alerts", "never acted on:", "Helpfulness: 60% (3 helpful, 2 wrong)",
                           "LLM: 4 calls, 1800 prompt + 350 completion tokens, $0.17"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  }
}

TEST(Digest, EmptyWeekHasNoRatesAndNoMedians) {
  const Digest d = compute_digest({}, week_window(IsoWeek{2026, 47}, TimeZone::utc()));
  EXPECT_EQ(d.alerts, 0);
  EXPECT_FALSE(d.helpfulness_rate);
  EXPECT_FALSE(d.median_first_reply_ms);
  const auto v = boost::json::parse(digest_json(d));
  EXPECT_TRUE(v.at("feedback").at("helpfulness_rate").is_null());
  EXPECT_TRUE(v.at("investigations").at("median_report_ms").is_null());
}

TEST(Digest, SlackMessageEscapesUntrustedNames) {
  store::DigestData data;
  for (int i = 0; i < 6; ++i) {
    data.alerts.push_back({"<!channel> @here <http://evil|x>", "svc&co", "critical", "firing", "fp",
                           "g", Time(seconds(i)), Time(seconds(i))});
  }
  const Digest d = compute_digest(data, week_window(IsoWeek{2026, 47}, TimeZone::utc()));
  const auto msg = digest_message(d);
  EXPECT_EQ(msg.blocks_json.find("<!channel>"), std::string::npos);
  EXPECT_EQ(msg.blocks_json.find("<http://evil"), std::string::npos);
  EXPECT_EQ(msg.blocks_json.find("svc&co"), std::string::npos);
  EXPECT_NE(msg.blocks_json.find("&lt;!channel&gt;"), std::string::npos);
  EXPECT_NE(msg.blocks_json.find("Most flapping"), std::string::npos);
  EXPECT_NO_THROW(boost::json::parse(msg.blocks_json));
}

}  // namespace
