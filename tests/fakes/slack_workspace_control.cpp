// The /_emulator/* control routes. Filled in by the Node SDK / Bolt work; until then the
// workspace answers 404 for them.
#include "tests/fakes/slack_workspace_state.hpp"

namespace alertbot::fakes::detail {

void add_control_routes(Router&, std::shared_ptr<WorkspaceState>, std::shared_ptr<SlackWorkspace*>) {}

}  // namespace alertbot::fakes::detail
