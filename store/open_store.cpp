// open_store() and the store URL parser: picks the backend named by settings.url.
#include <string>

#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/store.hpp"
#include "store/store_url.hpp"

namespace alertbot::store {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite://";
constexpr std::string_view kSqliteMemory = "sqlite::memory:";
constexpr const char* kExpected = " (expected sqlite://PATH, sqlite:///ABSOLUTE/PATH or postgresql://...)";

}  // namespace

Result<StoreUrl> parse_store_url(std::string_view url) {
  if (url == kSqliteMemory) return StoreUrl{StoreUrl::Backend::Sqlite, ":memory:"};
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return StoreUrl{StoreUrl::Backend::Postgres, ""};
  }
  if (!url.starts_with(kSqlitePrefix)) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
      return fail(Errc::InvalidArgument, std::string("store url has no scheme") + kExpected);
    }
    return fail(Errc::InvalidArgument,
                "store url scheme '" + std::string(url.substr(0, scheme_end)) + "' is not supported" + kExpected);
  }
  const std::string_view path = url.substr(kSqlitePrefix.size());
  if (path.empty()) return fail(Errc::InvalidArgument, std::string("store url sqlite:// has no path") + kExpected);
  if (path.find('?') != std::string_view::npos) {
    return fail(Errc::InvalidArgument, "store url: sqlite:// takes no query parameters");
  }
  return StoreUrl{StoreUrl::Backend::Sqlite, std::string(path)};
}

Result<std::unique_ptr<Store>> open_store(const StoreSettings& settings, Clock& clock) {
  auto url = parse_store_url(settings.url);
  if (!url) return url.error();
  if (url->backend == StoreUrl::Backend::Postgres) {
    return open_pg_store(settings.url, clock);
  }
  return open_sqlite_store(url->path, clock);
}

}  // namespace alertbot::store
