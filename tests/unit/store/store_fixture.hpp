// StoreFixture: what every store test starts from, on each backend: a fresh temporary directory,
// a FakeClock, and store_, a migrated store: SQLite on DIR/alertbot.db (opened as
// sqlite:///abs/path), or PostgreSQL on a fresh database of the test server
// (tests/support/pg_server.hpp). Suites written with TEST_P run on both backends
// (INSTANTIATE_STORE_SUITE); a suite that overrides backend() runs with TEST_F on one.
// open(name) opens another store on the database called `name` ("alertbot.db" is store_'s own,
// any other name a separate empty database), as another replica would.
// run() drives one coroutine to completion on the test thread's io_context.
#pragma once

#include <gtest/gtest.h>
#include <cstdlib>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/store.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/support/run_coro.hpp"

namespace store_test {

namespace asio = boost::asio;
using alertbot::awaitable;

enum class Backend { Sqlite, Postgres };

inline std::string make_temp_dir() {
  std::string path = (std::filesystem::temp_directory_path() / "alertbot-store-XXXXXX").string();
  if (::mkdtemp(path.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + path);
  return path;
}

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "Sqlite" : "Postgres";
}

class StoreFixture : public ::testing::TestWithParam<Backend> {
 protected:
  virtual Backend backend() const { return GetParam(); }

  void SetUp() override {
    dir_ = make_temp_dir();
    store_ = open("alertbot.db");
    ASSERT_NE(store_, nullptr);
    auto version = run(store_->migrate());
    ASSERT_TRUE(version) << version.error().describe();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& file) const { return dir_ + "/" + file; }

  // The store URL of database `name` on this test's backend (made on first use for PostgreSQL).
  std::string url_of(const std::string& name) {
    if (backend() == Backend::Sqlite) return "sqlite://" + path(name);
    auto& url = databases_[name];
    if (url.empty()) url = alertbot::testing::fresh_postgres_database();
    return url;
  }

  // A new store on database `name`, not migrated. Fails the test (and returns null) if it cannot open.
  std::unique_ptr<alertbot::store::Store> open(const std::string& name) {
    alertbot::store::StoreSettings settings;
    settings.url = url_of(name);
    auto store = alertbot::store::open_store(settings, clock_);
    EXPECT_TRUE(store) << store.error().describe();
    return store ? std::move(*store) : nullptr;
  }

  template <class T>
  T run(awaitable<T> coro) {
    return alertbot::testing::run_coro(io_, std::move(coro));
  }

  alertbot::store::Time now() const { return clock_.system_now(); }

  asio::io_context io_;
  alertbot::testing::FakeClock clock_;
  std::string dir_;
  std::map<std::string, std::string> databases_;  // PostgreSQL: database name -> URL
  std::unique_ptr<alertbot::store::Store> store_;  // destroyed before clock_ and io_
};

// A fixture for tests of the SQLite backend itself (file handling, WAL, FTS5), written with TEST_F.
class SqliteOnlyFixture : public StoreFixture {
 protected:
  Backend backend() const override { return Backend::Sqlite; }
};

}  // namespace store_test

// Runs every TEST_P of `suite` on SQLite and on PostgreSQL.
#define INSTANTIATE_STORE_SUITE(suite)                                                                              \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                                                         \
                           ::testing::Values(store_test::Backend::Sqlite, store_test::Backend::Postgres),           \
                           store_test::backend_name)
