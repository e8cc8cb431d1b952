#include "investigators/source_registry.hpp"

#include "investigators/sources/argocd_deploy_source.hpp"
#include "investigators/sources/git_diff_source.hpp"
#include "investigators/sources/github_compare_source.hpp"
#include "investigators/sources/github_deploy_source.hpp"
#include "investigators/sources/history_source.hpp"
#include "investigators/sources/jaeger_source.hpp"
#include "investigators/sources/loki_source.hpp"
#include "investigators/sources/prometheus_source.hpp"
#include "investigators/sources/pyroscope_source.hpp"
#include "investigators/sources/tempo_source.hpp"
#include "investigators/sources/webhook_deploy_source.hpp"

namespace alertbot::investigators {

Result<void> SourceRegistry::add(std::unique_ptr<SourceFactory> factory) {
  for (const auto& f : factories_) {
    if (f->name() == factory->name()) return fail(Errc::Conflict, "source '" + factory->name() + "' is registered twice");
  }
  factories_.push_back(std::move(factory));
  return {};
}

std::vector<std::unique_ptr<Source>> SourceRegistry::create_for(const ServiceSettings& service) const {
  std::vector<std::unique_ptr<Source>> out;
  for (const auto& f : factories_) {
    if (auto s = f->create(service)) out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> SourceRegistry::skipped_for(const ServiceSettings& service) const {
  std::vector<std::string> out;
  for (const auto& f : factories_) {
    if (!f->create(service)) out.push_back(f->name());
  }
  return out;
}

Result<void> SourceRegistry::add_diff(std::unique_ptr<DiffFactory> factory) {
  for (const auto& f : diff_factories_) {
    if (f->name() == factory->name()) return fail(Errc::Conflict, "diff source '" + factory->name() + "' is registered twice");
  }
  diff_factories_.push_back(std::move(factory));
  return {};
}

std::unique_ptr<DiffSource> SourceRegistry::diff_for(const ServiceSettings& service) const {
  for (const auto& f : diff_factories_) {
    if (auto s = f->create(service)) return s;
  }
  return nullptr;
}

void register_builtin_sources(SourceRegistry& registry, SourceDeps deps) {
  // Names are distinct by construction; a Conflict here would be a bug.
  (void)registry.add(make_prometheus_factory(deps.http));
  (void)registry.add(make_webhook_deploy_factory(deps.deploy_history));
  (void)registry.add(make_github_deploy_factory(deps.http));
  (void)registry.add(make_argocd_factory(deps.http));
  (void)registry.add(make_jaeger_factory(deps.http));
  (void)registry.add(make_tempo_factory(deps.http));
  (void)registry.add(make_loki_factory(deps.http));
  (void)registry.add(make_pyroscope_factory(deps.http));
  (void)registry.add(make_history_factory(deps.past));
  // The local clone first: no API quota, full patches.
  (void)registry.add_diff(make_git_diff_factory(deps.executor));
  (void)registry.add_diff(make_github_compare_factory(deps.http));
}

}  // namespace alertbot::investigators
