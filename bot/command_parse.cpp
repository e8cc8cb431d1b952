#include "bot/command_parse.hpp"

#include <algorithm>
#include <cctype>

#include "net/duration.hpp"
#include "slack/mrkdwn.hpp"

namespace alertbot::bot {
namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  // Slack wraps links as <url> or <url|label>.
  for (auto& w : out) {
    if (w.size() > 2 && w.front() == '<' && w.back() == '>') w = w.substr(1, std::min(w.find('|'), w.size() - 1) - 1);
  }
  return out;
}

// A word the person typed, safe to quote back in mrkdwn: escaped (no pings, no links) and short.
std::string quoted(std::string_view w) { return slack::escape(slack::truncate_utf8(w, 80)); }

bool is_trace_id(std::string_view w) {
  return w.size() >= 16 && w.size() <= 32 &&
         std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isxdigit(c); });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The configured service `w` names, or that a link mentions (service=checkout, /checkout/, ...).
std::string service_in(const std::string& w, const std::vector<std::string>& services) {
  for (const auto& s : services) {
    if (w == s) return s;
  }
  if (w.find("://") == std::string::npos) return {};
  // A link: the longest configured name that appears in it as a whole token.
  std::string best;
  for (const auto& s : services) {
    for (auto at = w.find(s); at != std::string::npos; at = w.find(s, at + 1)) {
      auto boundary = [&](std::size_t i) { return i >= w.size() || !(std::isalnum(static_cast<unsigned char>(w[i])) || w[i] == '-' || w[i] == '_'); };
      if ((at == 0 || boundary(at - 1)) && boundary(at + s.size()) && s.size() > best.size()) best = s;
    }
  }
  return best;
}

void read_investigate(const std::vector<std::string>& args, std::size_t from, const std::vector<std::string>& services,
                      CommandRequest& r) {
  r.name = "investigate";
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& w = args[i];
    if (is_trace_id(w) && r.trace_id.empty()) {
      r.trace_id = lower(w);
      continue;
    }
    if (auto d = parse_duration(w); d && w.find_first_of("0123456789") == 0) {
      if (*d <= std::chrono::milliseconds(0) || *d > kMaxWindow) {
        r.error = "the window must be between 1m and 24h (got " + quoted(w) + ")";
        return;
      }
      r.window = *d;
      continue;
    }
    if (std::string s = service_in(w, services); !s.empty() && r.service.empty()) {
      r.service = s;
      continue;
    }
    r.error = "I don't know what `" + quoted(w) + "` is: give a configured service, an alert link or a trace id";
    return;
  }
  if (r.service.empty() && r.trace_id.empty()) {
    r.error = "which service? e.g. `/investigate checkout 1h`";
    return;
  }
  if (r.service.empty() && services.size() == 1) r.service = services.front();
  if (r.service.empty()) r.error = "which service is trace " + r.trace_id + " from? e.g. `/investigate " + r.trace_id + " checkout`";
}

}  // namespace

CommandRequest parse_command(std::string_view command, std::string_view text, const std::vector<std::string>& services) {
  CommandRequest r;
  auto args = words(text);
  if (command == "/investigate") {
    read_investigate(args, 0, services, r);
    return r;
  }
  if (args.empty() || lower(args[0]) == "help") {
    r.name = "help";
    return r;
  }
  const std::string verb = lower(args[0]);
  if (verb == "investigate") {
    read_investigate(args, 1, services, r);
  } else if (verb == "status" || verb == "digest") {
    r.name = verb;
  } else if (verb == "deploys") {
    r.name = verb;
    if (args.size() < 2) {
      r.error = "which service? e.g. `/alertbot deploys checkout`";
    } else if (r.service = service_in(args[1], services); r.service.empty()) {
      r.error = "`" + quoted(args[1]) + "` is not a configured service";
    }
  } else if (verb == "silence") {
    r.name = verb;
    if (args.size() < 3) {
      r.error = "usage: `/alertbot silence <service> <duration> [reason]`, e.g. `/alertbot silence checkout 2h deploy window`";
      return r;
    }
    r.service = service_in(args[1], services);
    if (r.service.empty()) {
      r.error = "`" + quoted(args[1]) + "` is not a configured service";
      return r;
    }
    auto d = parse_duration(args[2]);
    if (!d || *d <= std::chrono::milliseconds(0) || *d > kMaxSilence) {
      r.error = "the duration must be between 1m and 7d (got " + quoted(args[2]) + ")";
      return r;
    }
    r.duration = *d;
    for (std::size_t i = 3; i < args.size(); ++i) r.reason += (i > 3 ? " " : "") + args[i];
    if (r.reason.size() > 300) r.reason.resize(300);
  } else if (!args.empty()) {
    // "@alertbot checkout 30m": a bare target reads as investigate.
    read_investigate(args, 0, services, r);
    if (!r.error.empty()) r.error = "I didn't understand that. " + command_help();
  }
  return r;
}

std::string command_help() {
  return "*Alertbot commands*\n"
         "• `/investigate <service|alert link|trace id> [window]`: investigate now (window 1m-24h, default 1h); "
         "the report comes in a thread\n"
         "• `/alertbot status`: open incidents, running investigations, queue\n"
         "• `/alertbot deploys <service>`: the service's recent deploys\n"
         "• `/alertbot digest`: last week's digest, for you\n"
         "• `/alertbot silence <service> <duration> [reason]`: record but do not investigate its alerts for a while\n"
         "• Mention me in a report's thread to ask about it; mention me elsewhere with a service to investigate it.";
}

}  // namespace alertbot::bot
