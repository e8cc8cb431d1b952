// The Pyroscope source: the service's CPU profile over the investigation window, read as six
// equal slices at once (GET /pyroscope/render?query=<type>{service_name="<app>"}&from=&until=
// &format=json, Unix seconds), each decoded to folded stacks (flamebearer JSON, or a text/plain
// folded body). Failed slices become notes; when every slice fails, fetch() returns the first
// error. Built for services with `profiles` set.
#pragma once

#include <memory>
#include <string>

#include "investigators/source_registry.hpp"

namespace alertbot::investigators {

inline constexpr int kPyroscopeSlices = 6;
inline constexpr const char* kCpuProfileType = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

std::unique_ptr<SourceFactory> make_pyroscope_factory(HttpClient& http);

}  // namespace alertbot::investigators
