// The PostgreSQL backend itself: connection failures (no URL in messages), replicas migrating one
// database at once, and a connection the server dropped being reopened by the next call. What
// every backend must do is in store_test.cpp and its siblings, which run on both.
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <thread>

#include "store/migrations.hpp"
#include "store/pg_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using alertbot::Errc;
using namespace alertbot::store;

class PgBackend : public store_test::StoreFixture {
 protected:
  store_test::Backend backend() const override { return store_test::Backend::Postgres; }
};

int latest_version() { return sqlite::migrations().back().version; }

TEST_F(PgBackend, AnUnreachableServerIsUnavailableAndTheUrlIsNotRepeated) {
  const int port = alertbot::testing::free_port();
  const std::string url = "postgresql://bot:hunter2secret@127.0.0.1:" + std::to_string(port) + "/alertbot";
  auto store = open_store(StoreSettings{url}, clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::Unavailable);
  EXPECT_EQ(store.error().message.find("hunter2secret"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("postgresql"), std::string::npos) << store.error().message;
}

TEST_F(PgBackend, ThreeReplicasMigratingAFreshDatabaseTogetherApplyEachMigrationOnce) {
  const std::string url = url_of("fresh");
  std::vector<alertbot::Result<int>> versions(3, alertbot::fail(Errc::Internal, "not run"));
  std::vector<std::thread> replicas;
  replicas.reserve(versions.size());
  for (auto& version : versions) {
    replicas.emplace_back([&] {
      boost::asio::io_context io;
      auto store = open_store(StoreSettings{url}, clock_);
      if (!store) {
        version = store.error();
        return;
      }
      version = alertbot::testing::run_coro(io, (*store)->migrate());
      store->reset();
    });
  }
  for (auto& t : replicas) t.join();
  for (const auto& v : versions) {
    ASSERT_TRUE(v) << v.error().describe();
    EXPECT_EQ(*v, latest_version());
  }
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec("SELECT COUNT(*) FROM schema_migrations")[0][0].as<int>(), latest_version());
}

TEST_F(PgBackend, AConnectionTheServerDroppedIsReopenedByTheNextCall) {
  ASSERT_TRUE(run(store_->record_event({"slack", "before", "events_api", "{}"})));
  {
    pqxx::connection admin(url_of("alertbot.db"));
    pqxx::nontransaction tx(admin);
    tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()");
  }
  // Calls on a dropped connection fail as Unavailable (never anything else); within a few calls
  // every pooled connection has been reopened and calls succeed again.
  int failures = 0;
  bool recorded = false;
  for (int attempt = 0; attempt < 8 && !recorded; ++attempt) {
    auto r = run(store_->record_event({"slack", "after", "events_api", "{}"}));
    if (r) {
      recorded = true;
    } else {
      ++failures;
      EXPECT_EQ(r.error().code, Errc::Unavailable) << r.error().describe();
    }
  }
  EXPECT_TRUE(recorded);
  EXPECT_LE(failures, 4);
  auto ev = run(store_->get_event("after"));
  ASSERT_TRUE(ev && *ev);
}

}  // namespace
