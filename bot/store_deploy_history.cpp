#include "bot/store_deploy_history.hpp"

#include "store/store.hpp"

namespace alertbot::bot {
namespace {

class StoreDeployHistory final : public investigators::DeployHistory {
 public:
  explicit StoreDeployHistory(store::Store& store) : store_(store) {}

  awaitable<Result<std::vector<investigators::DeployEvent>>> deploys(std::string service, investigators::Time from,
                                                                      investigators::Time to) override {
    auto rows = co_await store_.list_deploys(std::move(service), from, to);
    if (!rows) co_return rows.error();
    std::vector<investigators::DeployEvent> out;
    for (auto& r : *rows) {
      investigators::DeployEvent d;
      d.id = r.external_id.empty() ? "deploy-" + std::to_string(r.id) : r.external_id;
      d.service = r.service;
      d.environment = r.environment;
      d.version = r.version;
      d.previous_version = r.previous_version;
      d.author = r.author;
      d.description = r.description;
      d.source = r.source.empty() ? "webhook" : r.source;
      d.at = r.deployed_at;
      out.push_back(std::move(d));
    }
    co_return out;
  }

 private:
  store::Store& store_;
};

}  // namespace

std::unique_ptr<investigators::DeployHistory> make_store_deploy_history(store::Store& store) {
  return std::make_unique<StoreDeployHistory>(store);
}

}  // namespace alertbot::bot
