// Which configured service an alert is about: the first service whose `match` labels all equal
// the alert's labels; else the configured service named by the alert's service, job or app label;
// else the parser's guess; else the first of those labels that is set (an unconfigured service,
// investigated without service-specific sources); else "".
#pragma once

#include <string>
#include <vector>

#include "investigators/alert.hpp"
#include "investigators/service_settings.hpp"

namespace alertbot::investigators {

std::string map_service(const Alert& alert, const std::vector<ServiceSettings>& services);

}  // namespace alertbot::investigators
