// The SQLite backend itself: opening files (missing directories, files that are not databases),
// the in-memory URL, WAL mode, and the FTS5 query built from untrusted words. What every backend
// must do is in store_test.cpp and its siblings, which run on SQLite and PostgreSQL.
#include <cstdio>
#include <filesystem>

#include "store/migrations.hpp"
#include "store/sqlite_ops.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace {

using alertbot::Errc;
using namespace alertbot::store;

class SqliteBackend : public store_test::SqliteOnlyFixture {};

int latest_version() { return sqlite::migrations().back().version; }

TEST_F(SqliteBackend, OpenStoreFailsClearlyWhenDirectoryIsMissing) {
  auto store = open_store(StoreSettings{"sqlite://" + path("no/such/dir/alertbot.db")}, clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::Internal);
  EXPECT_NE(store.error().message.find("does not exist"), std::string::npos) << store.error().message;
}

TEST_F(SqliteBackend, OpenStoreRejectsAFileThatIsNotADatabase) {
  std::FILE* junk = std::fopen(path("junk.db").c_str(), "w");
  ASSERT_NE(junk, nullptr);
  std::fputs("this file is plain text and certainly not an SQLite database", junk);
  std::fclose(junk);
  auto store = open_store(StoreSettings{"sqlite://" + path("junk.db")}, clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::Internal);
}

TEST_F(SqliteBackend, InMemoryUrlOpensAndMigrates) {
  auto store = open_store(StoreSettings{"sqlite::memory:"}, clock_);
  ASSERT_TRUE(store) << store.error().describe();
  auto version = run((*store)->migrate());
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, latest_version());
}

TEST_F(SqliteBackend, OpensInWalMode) {
  ASSERT_TRUE(run(store_->record_event({"slack", "e1", "events_api", "{}"})));
  EXPECT_TRUE(std::filesystem::exists(path("alertbot.db-wal")));
}

TEST(SqliteFts5Query, QuotesEveryWordAndDropsOperators) {
  EXPECT_EQ(sqlite::fts5_query("NEAR(\"Pool\" pool* -x:y AND or)"), "\"pool\" OR \"x\" OR \"y\"");
  EXPECT_EQ(sqlite::fts5_query("caf\xc3\xa9 p99"), "\"caf\xc3\xa9\" OR \"p99\"");
  EXPECT_EQ(sqlite::fts5_query(" -*:^()\"{}+ "), "");
  EXPECT_EQ(sqlite::fts5_query(std::string(65, 'a') + " b"), "\"b\"");
  std::string many;
  for (int i = 0; i < 40; ++i) many += "w" + std::to_string(i) + " ";
  const std::string q = sqlite::fts5_query(many);
  EXPECT_NE(q.find("\"w31\""), std::string::npos);
  EXPECT_EQ(q.find("\"w32\""), std::string::npos);
}

}  // namespace
