// The Store's durable job queue, on both backends: claim, leases and their expiry, heartbeat, complete, fail and
// retry, and claimers racing from separate connections. Time moves only through FakeClock.
#include <boost/asio/co_spawn.hpp>
#include <iostream>
#include <set>
#include <thread>
#include <vector>

#include "tests/unit/store/store_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using alertbot::Errc;
using namespace alertbot::store;

class JobQueue : public store_test::StoreFixture {
 protected:
  Id enqueue(std::string kind = "investigate", std::optional<Time> run_at = std::nullopt, int max_attempts = 3) {
    auto id = run(store_->enqueue_job(std::move(kind), "{\"id\":1}", run_at, max_attempts));
    EXPECT_TRUE(id) << id.error().describe();
    return id ? *id : 0;
  }
  std::optional<Job> claim(std::string worker, std::chrono::milliseconds lease = 30s) {
    auto job = run(store_->claim_job(std::move(worker), lease));
    EXPECT_TRUE(job) << job.error().describe();
    return job ? *job : std::nullopt;
  }
  Job job(Id id) { return run(store_->get_job(id)).value().value(); }
};
INSTANTIATE_STORE_SUITE(JobQueue);

// What one claimer saw: the ids it was leased, and any error.
struct ClaimLog {
  std::vector<Id> ids;
  std::vector<std::string> errors;
};

// Claims and completes jobs until none is runnable.
alertbot::awaitable<ClaimLog> claim_until_empty(Store& store, std::string worker) {
  ClaimLog log;
  for (;;) {
    auto job = co_await store.claim_job(worker, 5min);
    if (!job) {
      log.errors.push_back(job.error().describe());
      co_return log;
    }
    if (!*job) co_return log;
    log.ids.push_back((*job)->id);
    auto done = co_await store.complete_job((*job)->id, worker);
    if (!done) log.errors.push_back(done.error().describe());
  }
}

// Fails with the ids claimed twice, or those nobody claimed.
void expect_each_claimed_once(const std::vector<ClaimLog>& logs, const std::vector<Id>& enqueued) {
  std::multiset<Id> claimed;
  for (const auto& log : logs) {
    EXPECT_TRUE(log.errors.empty()) << log.errors.front();
    claimed.insert(log.ids.begin(), log.ids.end());
  }
  for (Id id : enqueued) EXPECT_EQ(claimed.count(id), 1u) << "job " << id;
  EXPECT_EQ(claimed.size(), enqueued.size());
}

TEST_P(JobQueue, EnqueueClaimComplete) {
  const Id id = enqueue();
  EXPECT_EQ(run(store_->pending_jobs()).value(), 1);
  auto claimed = claim("w1", 30s);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, id);
  EXPECT_EQ(claimed->kind, "investigate");
  EXPECT_EQ(claimed->payload, "{\"id\":1}");
  EXPECT_EQ(claimed->status, JobStatus::Running);
  EXPECT_EQ(claimed->owner, "w1");
  EXPECT_EQ(claimed->attempts, 1);
  EXPECT_EQ(claimed->max_attempts, 3);
  EXPECT_EQ(claimed->lease_until, now() + 30s);
  EXPECT_EQ(claimed->run_at, now());
  EXPECT_EQ(run(store_->pending_jobs()).value(), 1);

  ASSERT_TRUE(run(store_->complete_job(id, "w1")));
  EXPECT_EQ(job(id).status, JobStatus::Done);
  EXPECT_FALSE(job(id).lease_until);
  EXPECT_EQ(run(store_->pending_jobs()).value(), 0);
  EXPECT_FALSE(claim("w1"));
}

TEST_P(JobQueue, ClaimOnEmptyQueueReturnsNothing) {
  EXPECT_FALSE(claim("w1"));
  EXPECT_FALSE(run(store_->get_job(1)).value());
}

TEST_P(JobQueue, ClaimWaitsForRunAt) {
  const Id id = enqueue("digest", now() + 10s);
  EXPECT_FALSE(claim("w1"));
  clock_.advance(9999ms);
  EXPECT_FALSE(claim("w1"));
  clock_.advance(1ms);
  auto claimed = claim("w1");
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, id);
}

TEST_P(JobQueue, ClaimsTheEarliestRunAtFirst) {
  const Id later = enqueue("a", now());
  const Id earlier = enqueue("b", now() - 1min);
  EXPECT_EQ(claim("w1")->id, earlier);
  EXPECT_EQ(claim("w1")->id, later);
}

TEST_P(JobQueue, LeaseExpiryLetsAnotherWorkerReclaim) {
  const Id id = enqueue();
  ASSERT_TRUE(claim("w1", 30s));
  EXPECT_FALSE(claim("w2"));  // leased
  clock_.advance(30s);
  EXPECT_FALSE(claim("w2"));  // the lease runs to lease_until inclusive
  clock_.advance(1ms);
  auto reclaimed = claim("w2", 30s);
  ASSERT_TRUE(reclaimed);
  EXPECT_EQ(reclaimed->id, id);
  EXPECT_EQ(reclaimed->owner, "w2");
  EXPECT_EQ(reclaimed->attempts, 2);
  EXPECT_EQ(reclaimed->lease_until, now() + 30s);

  // The presumed-dead worker comes back: it no longer holds the job.
  EXPECT_EQ(run(store_->heartbeat_job(id, "w1", 30s)).error().code, Errc::Conflict);
  EXPECT_EQ(run(store_->complete_job(id, "w1")).error().code, Errc::Conflict);
  ASSERT_TRUE(run(store_->complete_job(id, "w2")));
  EXPECT_EQ(job(id).status, JobStatus::Done);
}

TEST_P(JobQueue, HeartbeatExtendsTheLease) {
  const Id id = enqueue();
  ASSERT_TRUE(claim("w1", 30s));
  clock_.advance(20s);
  ASSERT_TRUE(run(store_->heartbeat_job(id, "w1", 30s)));
  EXPECT_EQ(job(id).lease_until, now() + 30s);
  clock_.advance(20s);  // 40s after the claim: past the first lease, within the extended one
  EXPECT_FALSE(claim("w2"));
  clock_.advance(10s + 1ms);
  auto reclaimed = claim("w2");
  ASSERT_TRUE(reclaimed);
  EXPECT_EQ(reclaimed->id, id);
}

TEST_P(JobQueue, OnlyTheLeaseHolderCanTouchTheJob) {
  const Id id = enqueue();
  ASSERT_TRUE(claim("w1"));
  auto heartbeat = run(store_->heartbeat_job(id, "w2", 30s));
  ASSERT_FALSE(heartbeat);
  EXPECT_EQ(heartbeat.error().code, Errc::Conflict);
  EXPECT_NE(heartbeat.error().message.find("w1"), std::string::npos) << heartbeat.error().message;
  EXPECT_EQ(run(store_->complete_job(id, "w2")).error().code, Errc::Conflict);
  EXPECT_EQ(run(store_->fail_job(id, "w2", "boom", 1s)).error().code, Errc::Conflict);
  EXPECT_EQ(run(store_->complete_job(id + 1, "w1")).error().code, Errc::NotFound);
  // A finished job is held by nobody.
  ASSERT_TRUE(run(store_->complete_job(id, "w1")));
  EXPECT_EQ(run(store_->complete_job(id, "w1")).error().code, Errc::Conflict);
}

TEST_P(JobQueue, FailRetriesAfterDelayThenFailsForGood) {
  const Id id = enqueue("investigate", std::nullopt, 2);
  ASSERT_TRUE(claim("w1"));
  ASSERT_TRUE(run(store_->fail_job(id, "w1", "prometheus timeout", 5s)));
  Job retried = job(id);
  EXPECT_EQ(retried.status, JobStatus::Queued);
  EXPECT_EQ(retried.run_at, now() + 5s);
  EXPECT_EQ(retried.last_error, "prometheus timeout");
  EXPECT_EQ(retried.owner, "");
  EXPECT_FALSE(claim("w1"));  // not before run_at

  clock_.advance(5s);
  auto second = claim("w2");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->attempts, 2);
  ASSERT_TRUE(run(store_->fail_job(id, "w2", "llm down", 5s)));
  EXPECT_EQ(job(id).status, JobStatus::Failed);
  EXPECT_EQ(job(id).last_error, "llm down");
  EXPECT_EQ(run(store_->pending_jobs()).value(), 0);
  clock_.advance(1h);
  EXPECT_FALSE(claim("w3"));
}

TEST_P(JobQueue, ExpiredLeaseOnTheLastAttemptFailsTheJob) {
  const Id id = enqueue("investigate", std::nullopt, 1);
  ASSERT_TRUE(claim("w1", 30s));
  clock_.advance(31s);
  EXPECT_FALSE(claim("w2"));  // a worker died on every allowed attempt: not handed out again
  Job failed = job(id);
  EXPECT_EQ(failed.status, JobStatus::Failed);
  EXPECT_NE(failed.last_error.find("expired"), std::string::npos) << failed.last_error;
  EXPECT_EQ(run(store_->complete_job(id, "w1")).error().code, Errc::Conflict);
}

TEST_P(JobQueue, EnqueueRejectsZeroMaxAttempts) {
  auto id = run(store_->enqueue_job("investigate", "{}", std::nullopt, 0));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, Errc::InvalidArgument);
}

TEST_P(JobQueue, ConcurrentCoroutinesOnOneStoreNeverShareAJob) {
  std::vector<Id> enqueued;
  enqueued.reserve(50);
  for (int i = 0; i < 50; ++i) enqueued.push_back(enqueue());
  std::vector<ClaimLog> logs(4);
  int finished = 0;
  for (std::size_t i = 0; i < logs.size(); ++i) {
    boost::asio::co_spawn(io_, claim_until_empty(*store_, "w" + std::to_string(i)),
                          [&, i](std::exception_ptr e, ClaimLog log) {
                            if (e) log.errors.emplace_back("exception");
                            logs[i] = std::move(log);
                            ++finished;
                          });
  }
  io_.restart();
  while (finished < static_cast<int>(logs.size()) && io_.run_one() > 0) {
  }
  ASSERT_EQ(finished, static_cast<int>(logs.size()));
  expect_each_claimed_once(logs, enqueued);
}

TEST_P(JobQueue, TwoStoresClaimingConcurrentlyNeverShareAJob) {
  constexpr int kJobs = 300;
  std::vector<Id> enqueued;
  enqueued.reserve(kJobs);
  for (int i = 0; i < kJobs; ++i) enqueued.push_back(enqueue());
  // Each claimer has its own thread and io_context. The contexts outlive both stores (a store's
  // thread may still be inside post() to a context when the claimer sees its last result).
  std::vector<boost::asio::io_context> contexts(2);
  auto other = open("alertbot.db");  // a second connection, as another process would have
  ASSERT_NE(other, nullptr);

  // The FakeClock is only read while the claimers run.
  std::vector<ClaimLog> logs(2);
  std::vector<Store*> stores{store_.get(), other.get()};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < logs.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        const std::string worker = "worker-" + std::to_string(i);
        logs[i] = alertbot::testing::run_coro(contexts[i], claim_until_empty(*stores[i], worker));
      } catch (const std::exception& e) {
        logs[i].errors.emplace_back(e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  expect_each_claimed_once(logs, enqueued);
  EXPECT_EQ(run(store_->pending_jobs()).value(), 0);
  std::cout << "[          ] claims per store: " << logs[0].ids.size() << " / " << logs[1].ids.size() << "\n";
  other.reset();
  store_.reset();
}

}  // namespace
