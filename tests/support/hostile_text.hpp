// Hostile text for property tests: random mixes of words, multi-byte characters, mrkdwn and entity
// characters, every kind of Slack mention and links; and checks that a message's text pings nobody.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace alertbot::testing {

namespace json = boost::json;

// Pieces untrusted text is made of: plain words, multi-byte characters, mrkdwn and entity
// characters, every kind of mention and a link.
inline const std::vector<std::string> kPieces = {
    "latency", " ", "checkout-7d9", "é", "中文", "\xF0\x9F\x94\xA5", "&", "<", ">", "&amp;", "*bold*", "_it_", "`code`",
    "<!channel>", "<!here>", "<!everyone>", "<@U0123ABC>", "<!subteam^S0123|oncall>", "@here", "@channel", "@everyone",
    "<https://evil.example/|click>", "https://ok.example/a?b=1&c=2", "\n", "\t", "\"", "\\", "|"};

inline std::string random_text(std::mt19937& rng, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len_dist(0, max_len);
  std::uniform_int_distribution<std::size_t> pick(0, kPieces.size() - 1);
  std::size_t target = len_dist(rng);
  std::string out;
  while (out.size() < target) out += kPieces[pick(rng)];
  return out;
}

// Every string Slack shows (the "text" of every text object, block and element), concatenated.
// Button values and ids are data sent back to the bot, never shown, so they are not collected.
inline void collect_text(const json::value& v, std::string& out) {
  if (v.is_array()) {
    for (const auto& e : v.as_array()) collect_text(e, out);
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.as_object()) {
      if (k == "text" && e.is_string()) out += std::string(e.get_string()) + "\n";
      else collect_text(e, out);
    }
  }
}

inline void expect_no_ping(const std::string& text, const std::string& context) {
  for (const char* ping : {"<!channel", "<!here", "<!everyone", "<@", "<!subteam"}) {
    EXPECT_EQ(text.find(ping), std::string::npos) << context << " contains " << ping;
  }
  for (const char* bare : {"@here", "@channel", "@everyone"}) {
    EXPECT_EQ(text.find(bare), std::string::npos) << context << " contains a bare " << bare;
  }
}

}  // namespace alertbot::testing
