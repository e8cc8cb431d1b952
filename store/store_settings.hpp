// StoreSettings: the `store:` section of the config.
#pragma once

#include <string>

namespace alertbot::store {

struct StoreSettings {
  static constexpr const char* kName = "store";

  // sqlite://PATH (relative to the working directory, or absolute as sqlite:///abs/path).
  // postgresql://... is reserved for the PostgreSQL backend (a later issue). May hold a password:
  // masked when printed.
  std::string url = "sqlite://alertbot.db";
};

}  // namespace alertbot::store
