#include "investigators/sources/source_text.hpp"

#include "net/time_format.hpp"

namespace alertbot::investigators {

std::string body_snippet(std::string_view body, std::size_t max) {
  std::string out;
  for (char c : body.substr(0, max)) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > max) out += "...";
  return out;
}

Error not_json(std::string_view backend, const HttpResponse& resp, std::string_view url) {
  return fail(Errc::HttpStatus, std::string(backend) + ": HTTP " + std::to_string(resp.status) + " (not JSON) from " + std::string(url));
}

std::string clock_time(Time t) { return format_rfc3339(t, false).substr(11, 8); }

std::string clock_time_us(std::int64_t unix_micros) { return clock_time(Time(std::chrono::microseconds(unix_micros))); }

}  // namespace alertbot::investigators
