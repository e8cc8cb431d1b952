// LlmSettings: the `llm:` section of the config: which model explains an investigation's findings
// (llm/explain.hpp), how long it may take, what it costs, and what is redacted before it is sent.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace alertbot::llm {

enum class LlmProvider { None, OpenAi, Anthropic };

struct LlmSettings {
  static constexpr const char* kName = "llm";

  LlmProvider provider = LlmProvider::None;
  std::string base_url;                          // provider endpoint, e.g. https://api.openai.com/v1
  std::string model;                             // model name sent to the provider
  std::string api_key;                           // secret
  std::chrono::milliseconds timeout{30000};      // the whole LLM step, retries included
  int max_context_tokens = 24000;                // budget for the packed evidence
  int max_output_tokens = 1500;
  double temperature = 0.0;
  double input_usd_per_mtok = 0.0;               // price.input_per_mtok
  double output_usd_per_mtok = 0.0;              // price.output_per_mtok
  bool redact_emails = true;                     // redact.emails
  bool redact_ips = true;                        // redact.ips
  std::vector<std::string> redact_patterns;      // redact.patterns: extra regexes
  // Extra HTTP headers on every provider request (a gateway's auth, an organisation id). Values
  // of headers named like credentials (authorization, *key*, *token*, ...) are secrets.
  std::map<std::string, std::string> headers;
};

}  // namespace alertbot::llm
