// SourceFactory and SourceRegistry: how the pipeline gets the sources for one service. Each
// factory is registered once under its name (a duplicate name is refused) and creates a source
// for a service that configures its backend, or nothing. Registration is explicit: bot/ calls
// register_builtin_sources() at start-up.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "investigators/source.hpp"
#include "net/asio_fwd.hpp"

namespace alertbot {
class Clock;
class HttpClient;
}  // namespace alertbot

namespace alertbot::investigators {

class DeployHistory;
class PastSearch;

class SourceFactory {
 public:
  virtual ~SourceFactory() = default;
  virtual std::string name() const = 0;
  // A source for `service`, or nullptr when the service does not configure this backend.
  virtual std::unique_ptr<Source> create(const ServiceSettings& service) const = 0;
};

// Like SourceFactory, for the code between two revisions (local git first, then GitHub compare).
class DiffFactory {
 public:
  virtual ~DiffFactory() = default;
  virtual std::string name() const = 0;
  virtual std::unique_ptr<DiffSource> create(const ServiceSettings& service) const = 0;
};

class SourceRegistry {
 public:
  // Errors: Conflict when a factory with the same name is registered.
  Result<void> add(std::unique_ptr<SourceFactory> factory);
  // Every source `service` configures, in registration order.
  std::vector<std::unique_ptr<Source>> create_for(const ServiceSettings& service) const;
  // Names of the factories whose backend `service` does not configure (shown as skipped).
  std::vector<std::string> skipped_for(const ServiceSettings& service) const;

  // Errors: Conflict when a diff factory with the same name is registered.
  Result<void> add_diff(std::unique_ptr<DiffFactory> factory);
  // The first diff source (in registration order) `service` configures, or nullptr.
  std::unique_ptr<DiffSource> diff_for(const ServiceSettings& service) const;

 private:
  std::vector<std::unique_ptr<SourceFactory>> factories_;
  std::vector<std::unique_ptr<DiffFactory>> diff_factories_;
};

// What the built-in sources need; each must outlive the registry's sources.
struct SourceDeps {
  HttpClient& http;
  Clock& clock;
  DeployHistory* deploy_history = nullptr;  // deploys received on our webhook (may be null)
  PastSearch* past = nullptr;               // earlier investigations in the store (may be null)
  asio::any_io_executor executor;           // for child processes (git)
};

void register_builtin_sources(SourceRegistry& registry, SourceDeps deps);

}  // namespace alertbot::investigators
