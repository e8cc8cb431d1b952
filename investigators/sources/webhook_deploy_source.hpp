// The webhook deploy source: deploys that CI posted to Alertbot (POST /hooks/deploy), read back
// through DeployHistory for the investigation window plus an hour before it.
#pragma once

#include <memory>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

// `history` may be null (no store): the factory then creates nothing.
std::unique_ptr<SourceFactory> make_webhook_deploy_factory(DeployHistory* history);

}  // namespace alertbot::investigators
