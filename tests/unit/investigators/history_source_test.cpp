// The history source over a hand-written PastSearch: what it asks (words, service, cutoff,
// limit), what it returns, and how its factory decides.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "investigators/sources/history_source.hpp"
#include "investigators/sources/past_search.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

using namespace std::chrono_literals;
const Time kT0 = Time(std::chrono::seconds(1795578000));

// Records every call and answers with `answer`.
class FakePastSearch final : public PastSearch {
 public:
  struct Call {
    std::string service;
    std::string words;
    Time before;
    int limit = 0;
  };

  awaitable<Result<std::vector<PastInvestigation>>> similar(std::string service, std::string words, Time before,
                                                            int limit) override {
    calls.push_back(Call{std::move(service), std::move(words), before, limit});
    co_return answer;
  }

  std::vector<Call> calls;
  Result<std::vector<PastInvestigation>> answer = std::vector<PastInvestigation>{};
};

PastInvestigation past(std::string id, double similarity, std::string feedback = "") {
  PastInvestigation p;
  p.id = std::move(id);
  p.at = kT0 - 48h;
  p.service = "checkout";
  p.alert_name = "CheckoutLatencyHigh";
  p.top_cause = "Deploy v42 added an N+1 query";
  p.suspect_kind = "deploy";
  p.suspect_ref = "deploy-42";
  p.feedback = std::move(feedback);
  p.similarity = similarity;
  return p;
}

Alert latency_alert() {
  Alert a;
  a.name = "CheckoutLatencyHigh";
  a.summary = "p99 latency of checkout above 500ms";
  a.labels = {{"alertname", "CheckoutLatencyHigh"}, {"instance", "10.0.0.7:9100"}, {"route", "/cart"},
              {"service", "checkout"}, {"severity", "page"}};
  return a;
}

class HistorySource : public ::testing::Test {
 protected:
  Query query(const Alert* alert) const {
    Query q;
    q.service = "checkout";
    q.alert = alert;
    q.start = kT0 - 1h;
    q.end = kT0;
    return q;
  }

  Result<SourceData> fetch(PastSearch* search, const Query& q) {
    auto factory = make_history_factory(search);
    auto source = factory->create(ServiceSettings{});
    EXPECT_NE(source, nullptr);
    if (!source) return fail(Errc::Internal, "no source");
    return testing::run_coro(io_, source->fetch(q));
  }

  boost::asio::io_context io_;
  FakePastSearch search_;
};

TEST_F(HistorySource, FactoryCreatesAHistorySourceForEveryServiceOnlyWithASearch) {
  auto factory = make_history_factory(&search_);
  EXPECT_EQ(factory->name(), "history");
  ServiceSettings unconfigured;
  auto source = factory->create(unconfigured);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->name(), "history");
  EXPECT_EQ(source->kind(), SourceKind::History);
  EXPECT_EQ(make_history_factory(nullptr)->create(unconfigured), nullptr);
}

TEST_F(HistorySource, AsksWithTheAlertWordsTheServiceAndAFiveMinuteGap) {
  const Alert alert = latency_alert();
  auto data = fetch(&search_, query(&alert));
  ASSERT_TRUE(data) << data.error().describe();
  ASSERT_EQ(search_.calls.size(), 1u);
  const auto& call = search_.calls[0];
  EXPECT_EQ(call.service, "checkout");
  EXPECT_EQ(call.words, "CheckoutLatencyHigh p99 latency of checkout above 500ms /cart checkout");
  EXPECT_EQ(call.before, kT0 - 5min);
  EXPECT_EQ(call.limit, 3);
}

TEST_F(HistorySource, OnDemandRunsSearchByTheServiceName) {
  auto data = fetch(&search_, query(nullptr));
  ASSERT_TRUE(data);
  ASSERT_EQ(search_.calls.size(), 1u);
  EXPECT_EQ(search_.calls[0].words, "checkout");
  EXPECT_EQ(search_.calls[0].service, "checkout");
}

TEST_F(HistorySource, FillsPastWithTheSearchAnswerInOrder) {
  search_.answer = std::vector<PastInvestigation>{past("12", 0.91, "helpful"), past("7", 0.4, "wrong"), past("3", 0.2)};
  auto data = fetch(&search_, query(nullptr));
  ASSERT_TRUE(data);
  ASSERT_EQ(data->past.size(), 3u);
  EXPECT_EQ(data->past[0].id, "12");
  EXPECT_DOUBLE_EQ(data->past[0].similarity, 0.91);
  EXPECT_EQ(data->past[0].feedback, "helpful");
  EXPECT_EQ(data->past[0].top_cause, "Deploy v42 added an N+1 query");
  EXPECT_EQ(data->past[1].id, "7");
  EXPECT_EQ(data->past[1].feedback, "wrong");
  EXPECT_EQ(data->past[2].id, "3");
  EXPECT_TRUE(data->series.empty());
  EXPECT_TRUE(data->notes.empty());
}

TEST_F(HistorySource, KeepsAtMostThreeEvenIfTheSearchGivesMore) {
  search_.answer = std::vector<PastInvestigation>{past("1", 0.9), past("2", 0.8), past("3", 0.7), past("4", 0.6)};
  auto data = fetch(&search_, query(nullptr));
  ASSERT_TRUE(data);
  ASSERT_EQ(data->past.size(), 3u);
  EXPECT_EQ(data->past[2].id, "3");
}

TEST_F(HistorySource, ASearchErrorIsTheSourceError) {
  search_.answer = fail(Errc::Busy, "search_investigations.words: database is locked");
  auto data = fetch(&search_, query(nullptr));
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error().code, Errc::Busy);
  EXPECT_EQ(data.error().message, "search_investigations.words: database is locked");
}

TEST(HistoryWords, TakesAtMostFourShortSymptomLabelValues) {
  Alert a;
  a.name = "Errors";
  a.labels = {{"a", "one"}, {"b", std::string(65, 'x')}, {"c", ""}, {"cluster", "prod-eu"}, {"d", "two"},
              {"e", "three"}, {"f", "four"}, {"g", "five"}};
  Query q;
  q.service = "api";
  q.alert = &a;
  EXPECT_EQ(history_words(q), "Errors one two three four");
}

TEST(HistoryWords, StaysWithinOneKibibyteOnACharacterBoundary) {
  Alert a;
  a.name = "Errors";
  a.summary.clear();
  for (int i = 0; i < 600; ++i) a.summary += "\xc3\xa9";  // 1200 bytes of two-byte characters
  Query q;
  q.alert = &a;
  const std::string words = history_words(q);
  EXPECT_LE(words.size(), 1024u);
  EXPECT_GE(words.size(), 1022u);
  EXPECT_EQ(words.substr(0, 7), "Errors ");
  EXPECT_EQ((words.size() - 7) % 2, 0u);  // whole characters only
}

}  // namespace
}  // namespace alertbot::investigators
