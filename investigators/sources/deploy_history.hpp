// DeployHistory: deploys Alertbot itself recorded (POST /hooks/deploy), as the pipeline reads them.
// Implemented over the store by bot/, so investigators/ stays free of the store.
#pragma once

#include <string>
#include <vector>

#include "investigators/evidence.hpp"
#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

class DeployHistory {
 public:
  virtual ~DeployHistory() = default;
  // Deploys of `service` with from <= at <= to, newest first. Errors: as the store gives them.
  virtual awaitable<Result<std::vector<DeployEvent>>> deploys(std::string service, Time from, Time to) = 0;
};

}  // namespace alertbot::investigators
