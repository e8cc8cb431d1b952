// The GitHub deployments source: deploys of a service's repository (repo.github) to one
// environment (deploys.environment), read from the GitHub REST API for the investigation window
// plus an hour before it. A deployment counts from its first `success` status; deployments that
// never succeeded are skipped with a note. Each deploy's previous_version is the SHA of the next
// older successful deployment, so the diff source can compare the two.
#pragma once

#include <memory>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

// Creates a source for services with deploys.source == github and repo.github set. `http` must
// outlive the factory and its sources.
std::unique_ptr<SourceFactory> make_github_deploy_factory(HttpClient& http);

}  // namespace alertbot::investigators
