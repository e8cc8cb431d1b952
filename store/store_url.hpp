// StoreUrl: which backend a store URL names, and where. sqlite://PATH (PATH relative to the
// working directory; sqlite:///abs/path is absolute) or sqlite::memory: for a private in-memory
// database; postgresql://... and postgres://... name the PostgreSQL backend. Error messages never
// repeat the URL, which may hold a password.
#pragma once

#include <string>
#include <string_view>

#include "net/result.hpp"

namespace alertbot::store {

struct StoreUrl {
  enum class Backend { Sqlite, Postgres };
  Backend backend = Backend::Sqlite;
  std::string path;  // Sqlite: the file path (":memory:" for sqlite::memory:); Postgres: empty
};

// InvalidArgument for an unknown scheme, an empty SQLite path, or a query string (?...).
Result<StoreUrl> parse_store_url(std::string_view url);

}  // namespace alertbot::store
