// The workspace emulator's HTTP-mode delivery. Filled in by the HTTP-mode work.
#include "tests/fakes/slack_workspace_state.hpp"

namespace alertbot::fakes::detail {

awaitable<void> WorkspaceState::send_http(std::string) { co_return; }

}  // namespace alertbot::fakes::detail
