// The GitHub compare diff source: the commits between a deploy's previous and current revision
// from GET /repos/{o}/{r}/compare/{base}...{head} (commit list, oldest first, up to 250), then
// GET /repos/{o}/{r}/commits/{sha} for the newest 30 commits (6 at a time) for their files and
// patches. A file without a patch (binary, too large, past GitHub's diff limit) is marked
// patch_missing: its counts, zeros included, are not trusted.
#pragma once

#include <memory>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

// Creates a diff source for services with repo.github set. The lead registers the git factory
// first, so a service with a local clone (repo.path) uses that instead. `http` must outlive it.
std::unique_ptr<DiffFactory> make_github_compare_factory(HttpClient& http);

}  // namespace alertbot::investigators
