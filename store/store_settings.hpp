// StoreSettings: the `store:` section of the config.
#pragma once

#include <string>

namespace alertbot::store {

struct StoreSettings {
  static constexpr const char* kName = "store";

  // sqlite://PATH (relative to the working directory, or absolute as sqlite:///abs/path).
  // postgresql://USER:PASSWORD@HOST:PORT/DB (any libpq connection URI) for PostgreSQL, shared by
  // replicas. May hold a password: masked when printed.
  std::string url = "sqlite://alertbot.db";
};

}  // namespace alertbot::store
