// Redactor: removes secrets and personal data from every text sent to an LLM. Each match becomes
// `[REDACTED:<kind>:<n>]`; n numbers the distinct values of one kind in order of first appearance,
// so within one Redactor the same value always gets the same placeholder (the model can still tell
// values apart) and a placeholder never contains any part of the value. One Redactor is built per
// investigation; it is not thread-safe (confine it to the investigation's strand).
//
// Detected (built-in scanners, no regex): AWS key ids and secret keys, GCP API keys, Azure account
// keys, GitHub/Slack/OpenAI/Anthropic tokens, Slack webhook URLs, JWTs, PEM private keys, URL and
// DSN passwords (scheme, user and host kept), key/value secrets (password=, token: ..., JSON
// "secret": "..."), Authorization Bearer/Basic, high-entropy strings (hex SHAs, UUIDs, ULIDs and
// trace ids are kept: they are evidence), emails and IPv4/IPv6 (each switchable), the operator's own
// regexes (lowest priority; per line, through overlapping 2 KiB windows so a hostile line cannot
// overflow std::regex's recursion: matches longer than 1 KiB are cut) and the config's exact secrets.
#pragma once

#include <cstddef>
#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "llm/llm_settings.hpp"
#include "net/result.hpp"

namespace alertbot::llm {

namespace detail {
struct Match;  // a span found by one scanner (redact.cpp)
}  // namespace detail

struct RedactionRules {
  bool emails = true;                 // redact.emails
  bool ips = true;                    // redact.ips
  std::vector<std::string> patterns;  // redact.patterns: ECMAScript regexes; with a capture group
                                      // only group 1 is redacted, otherwise the whole match
  std::vector<std::string> secrets;   // exact strings (the config's own secrets), always redacted;
                                      // strings shorter than 4 characters are ignored
};

// The rules of the `llm:` section (redact.emails, redact.ips, redact.patterns) with `secrets`
// (the config's), the provider's API key and every extra header value added.
RedactionRules redaction_rules(const LlmSettings& settings, std::vector<std::string> secrets);

class Redactor {
 public:
  // Errors: InvalidArgument naming the pattern that does not compile.
  static Result<Redactor> create(RedactionRules rules);

  // Every match -> its stable placeholder; everything else is copied unchanged.
  std::string redact(std::string_view text);

  // Distinct values redacted so far (all kinds).
  std::size_t count() const;

  // kind -> distinct values redacted so far, for the report ("redacted 3 tokens, 2 emails").
  std::map<std::string, std::size_t> counts_by_kind() const;

 private:
  Redactor(RedactionRules rules, std::vector<std::regex> compiled);

  void find_patterns(std::string_view text, std::vector<detail::Match>& out) const;
  void find_secrets(std::string_view text, std::vector<detail::Match>& out) const;
  std::string placeholder(const char* kind, std::string_view value);

  RedactionRules rules_;
  std::vector<std::regex> compiled_;  // rules_.patterns, compiled once
  // kind -> value -> its number. Holds the values themselves: the Redactor lives only as long as
  // the investigation, in memory.
  std::map<std::string, std::unordered_map<std::string, std::size_t>> seen_;
};

}  // namespace alertbot::llm
