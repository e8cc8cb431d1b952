// The Argo CD deploy source: an application's sync history (GET /api/v1/applications/{app},
// status.history, oldest first) as deploys in the investigation window plus an hour before it.
// Each deploy's previous_version is the revision of the history entry before it.
#pragma once

#include <memory>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

// Creates a source for services with deploys.source == argocd (deploys.argocd.url and .app set).
// `http` must outlive the factory and its sources.
std::unique_ptr<SourceFactory> make_argocd_factory(HttpClient& http);

}  // namespace alertbot::investigators
