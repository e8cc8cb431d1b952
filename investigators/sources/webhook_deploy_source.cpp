#include "investigators/sources/webhook_deploy_source.hpp"

#include "investigators/sources/deploy_history.hpp"

namespace alertbot::investigators {
namespace {

// Deploys this long before the window still count: a bad deploy often precedes the symptom.
constexpr std::chrono::hours kLookBefore{1};

class WebhookDeploySource final : public Source {
 public:
  explicit WebhookDeploySource(DeployHistory& history) : history_(history) {}
  std::string name() const override { return "deploys"; }
  SourceKind kind() const override { return SourceKind::Deploys; }
  awaitable<Result<SourceData>> fetch(const Query& q) override {
    auto deploys = co_await history_.deploys(q.service, q.start - kLookBefore, q.end);
    if (!deploys) co_return deploys.error();
    SourceData data;
    data.deploys = std::move(*deploys);
    co_return data;
  }

 private:
  DeployHistory& history_;
};

class WebhookDeployFactory final : public SourceFactory {
 public:
  explicit WebhookDeployFactory(DeployHistory* history) : history_(history) {}
  std::string name() const override { return "deploys"; }
  std::unique_ptr<Source> create(const ServiceSettings& service) const override {
    if (!history_ || service.deploys.source != DeploySource::Webhook) return nullptr;
    return std::make_unique<WebhookDeploySource>(*history_);
  }

 private:
  DeployHistory* history_;
};

}  // namespace

std::unique_ptr<SourceFactory> make_webhook_deploy_factory(DeployHistory* history) {
  return std::make_unique<WebhookDeployFactory>(history);
}

}  // namespace alertbot::investigators
