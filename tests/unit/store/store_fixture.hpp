// StoreFixture: what every SQLite store test starts from: a fresh temporary directory, a
// FakeClock, and store_, a migrated store on DIR/alertbot.db (opened as sqlite:///abs/path).
// run() drives one coroutine to completion on the test thread's io_context.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/store.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"

namespace store_test {

namespace asio = boost::asio;
using alertbot::awaitable;

inline std::string make_temp_dir() {
  std::string path = (std::filesystem::temp_directory_path() / "alertbot-store-XXXXXX").string();
  if (::mkdtemp(path.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + path);
  return path;
}

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    store_ = open("alertbot.db");
    auto version = run(store_->migrate());
    ASSERT_TRUE(version) << version.error().describe();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& file) const { return dir_ + "/" + file; }

  // A new store on DIR/file, not migrated. Fails the test (and returns null) if it cannot open.
  std::unique_ptr<alertbot::store::Store> open(const std::string& file) {
    alertbot::store::StoreSettings settings;
    settings.url = "sqlite://" + path(file);
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
  std::unique_ptr<alertbot::store::Store> store_;  // destroyed before clock_ and io_
};

}  // namespace store_test
