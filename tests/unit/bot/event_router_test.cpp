// EventRouter::on_envelope: the persist-then-ack contract without a socket in between.
#include <gtest/gtest.h>

#include "bot/config.hpp"
#include "bot/event_router.hpp"
#include "bot/intake.hpp"
#include "bot/wakeup.hpp"
#include "investigators/source_registry.hpp"
#include "net/http_client.hpp"
#include "slack/rate_limiter.hpp"
#include "slack/web_api.hpp"
#include "store/store.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/test_certs.hpp"

namespace alertbot::bot {
namespace {

using testing::run_coro;

class EventRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.store.url = "sqlite://" + testing::make_temp_dir("alertbot-router") + "/r.db";
    auto st = store::open_store(config_.store, clock_);
    ASSERT_TRUE(st);
    store_ = std::move(*st);
    http_ = make_curl_http_client(io_.get_executor(), clock_);
    api_ = slack::make_web_api(*http_, limiter_, config_.slack);  // never reached in these tests
    intake_ = std::make_unique<AlertIntake>(*store_, *api_, config_, registry_, clock_, wakeup_);
    router_ = std::make_unique<EventRouter>(io_.get_executor(), *store_, config_, *intake_, slack::Identity{}, clock_);
  }
  void TearDown() override {
    router_.reset();
    intake_.reset();
    store_.reset();
  }
  slack::Envelope envelope(const std::string& event_id) {
    slack::Envelope e;
    e.envelope_id = "env-" + event_id;
    e.type = "events_api";
    e.payload_json = R"({"type":"event_callback","event_id":")" + event_id +
                     R"(","event":{"type":"message","channel":"C0OTHER","user":"U1","text":"hi","ts":"1.000001"}})";
    e.dedupe_key = event_id;
    return e;
  }

  asio::io_context io_;
  testing::FakeClock clock_;
  Config config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<HttpClient> http_;
  slack::RateLimiter limiter_{clock_};
  std::unique_ptr<slack::WebApi> api_;
  investigators::SourceRegistry registry_;
  Wakeup wakeup_{io_.get_executor(), clock_};
  std::unique_ptr<AlertIntake> intake_;
  std::unique_ptr<EventRouter> router_;
};

TEST_F(EventRouterTest, AStoreThatCannotWriteMeansNoAck) {
  // Not migrated: the events table does not exist, so nothing can be persisted.
  auto env = envelope("Ev1");
  auto r = run_coro(io_, router_->on_envelope(env));
  ASSERT_FALSE(r) << "an envelope that was not stored must not be acked";
  EXPECT_EQ(router_->in_flight(), 0);
}

TEST_F(EventRouterTest, StoredEnvelopeIsAckedAndProcessedOnce) {
  ASSERT_TRUE(run_coro(io_, store_->migrate()));
  auto env = envelope("Ev2");
  auto first = run_coro(io_, router_->on_envelope(env));
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->has_value()) << "events_api acks carry no payload";
  auto stored = run_coro(io_, store_->get_event("Ev2"));
  ASSERT_TRUE(stored && stored->has_value()) << "stored by the time the ack is allowed";
  // Processing runs after the handler returned.
  ASSERT_TRUE(testing::run_until(io_, [&] { return router_->in_flight() == 0; }));
  auto second = run_coro(io_, router_->on_envelope(env));
  ASSERT_TRUE(second);
  EXPECT_EQ(router_->in_flight(), 0) << "a redelivery is acked without being processed again";
  auto after = run_coro(io_, store_->get_event("Ev2"));
  EXPECT_EQ((*after)->status, store::EventStatus::Ignored);
  EXPECT_EQ((*after)->note, "channel not watched");
}

}  // namespace
}  // namespace alertbot::bot
