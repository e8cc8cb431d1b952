// DeployHistory over the store: deploys that arrived on POST /hooks/deploy, for the pipeline.
#pragma once

#include <memory>

#include "investigators/sources/deploy_history.hpp"

namespace alertbot::store {
class Store;
}

namespace alertbot::bot {

// `store` must outlive the result.
std::unique_ptr<investigators::DeployHistory> make_store_deploy_history(store::Store& store);

}  // namespace alertbot::bot
