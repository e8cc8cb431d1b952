// The local git diff source: the commits between a deploy's previous and current revision, read
// from a clone on disk (repo.path) with one `git log --reverse -p` child process (run_process:
// no shell, a deadline, an output cap; the event loop never blocks). Revisions are checked with
// is_safe_revision() before they reach git, and passed after --end-of-options.
#pragma once

#include <memory>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

// Creates a diff source for services with repo.path set. Children run on `executor`.
std::unique_ptr<DiffFactory> make_git_diff_factory(asio::any_io_executor executor);

}  // namespace alertbot::investigators
