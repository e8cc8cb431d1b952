// Internal to the workspace emulator: the Web API methods. Each runs with the state's mutex held
// and returns Slack's answer; Socket Mode events it causes (the bot's own posts coming back) are
// queued in `after` and sent once the lock is released.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_server.hpp"

namespace alertbot::fakes::detail {

struct WorkspaceState;
using Args = std::map<std::string, std::string>;

struct MethodCall {
  WorkspaceState& st;
  const Args& args;
  std::vector<std::function<void()>>& after;
};

using Method = ServerResponse (*)(MethodCall&);

// The handler of Web API method `name`, or nullptr for a method the emulator does not know
// (answered unknown_method). apps.connections.open and auth.test are handled by the caller.
Method find_method(std::string_view name);

ServerResponse ok_answer(boost::json::object o);
ServerResponse error_answer(const std::string& code);
std::string arg(const Args& a, const std::string& key);

}  // namespace alertbot::fakes::detail
