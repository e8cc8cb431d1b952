#include "llm/llm_client.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>

#include "net/http_client.hpp"

namespace alertbot::llm {

std::unique_ptr<LlmClient> make_llm_client(HttpClient& http, Clock& clock, const LlmSettings& settings) {
  switch (settings.provider) {
    case LlmProvider::OpenAi: return make_openai_client(http, clock, settings);
    case LlmProvider::Anthropic: return make_anthropic_client(http, clock, settings);
    case LlmProvider::None: break;
  }
  return nullptr;
}

double cost_usd(const ChatUsage& usage, const LlmSettings& settings) {
  return (static_cast<double>(usage.prompt_tokens) * settings.input_usd_per_mtok +
          static_cast<double>(usage.completion_tokens) * settings.output_usd_per_mtok) /
         1e6;
}

namespace detail {
namespace {

using std::chrono::milliseconds;

// Retry-After as delta seconds (HTTP dates are rare from LLM APIs and read as absent).
std::optional<milliseconds> retry_after(const HttpResponse& r) {
  auto v = r.header("retry-after");
  if (!v || v->empty() || v->size() > 12) return std::nullopt;
  std::string s(*v);
  char* end = nullptr;
  double secs = std::strtod(s.c_str(), &end);
  if (!end || *end != '\0' || !(secs >= 0) || secs > 86400) return std::nullopt;
  return milliseconds(static_cast<long long>(secs * 1000));
}

milliseconds backoff(int attempt) { return milliseconds(500LL << std::min(attempt - 1, 6)); }

}  // namespace

std::string scrub(std::string_view text, std::string_view secret, std::size_t cap) {
  std::string out(text);
  if (secret.size() >= 4) {
    for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3)) {
      out.replace(pos, secret.size(), "***");
    }
  }
  if (out.size() > cap) {
    out.resize(cap);
    out += "...";
  }
  return out;
}

void add_extra_headers(HttpHeaders& headers, const LlmSettings& settings) {
  for (const auto& [name, value] : settings.headers) {
    if (iequals(name, "content-type") || iequals(name, "content-length")) continue;
    headers.emplace_back(name, value);
  }
}

std::string json_instructions(std::string_view schema) {
  return "Answer with a single JSON object and nothing else (no prose, no code fences). "
         "It must follow this JSON Schema:\n" +
         std::string(schema);
}

awaitable<Result<HttpResponse>> post_with_retries(HttpClient& http, Clock& clock, HttpRequest req,
                                                  Clock::SteadyTime deadline, std::string what, const LiveText* live) {
  req.method = "POST";
  req.max_attempts = 1;  // retries are ours: they must respect the whole-step deadline
  req.idempotent = false;
  for (int attempt = 1;; ++attempt) {
    auto remaining = std::chrono::duration_cast<milliseconds>(deadline - clock.steady_now());
    if (remaining.count() <= 0) co_return fail(Errc::Timeout, what + ": no answer within the LLM timeout");
    req.timeout = remaining;
    auto r = co_await http.send(req);
    std::optional<milliseconds> wait;
    if (!r) {
      if (r.error().code == Errc::Timeout) {
        co_return fail(Errc::Timeout, what + ": no answer within the LLM timeout (" +
                                          std::to_string(remaining.count()) + " ms left at attempt " +
                                          std::to_string(attempt) + ")");
      }
      if (r.error().code != Errc::ConnectFailed || attempt >= kMaxAttempts) co_return r.error();
      // A stream cut after text was shown is not asked again: the text would show twice.
      if (live && live->started()) co_return fail(Errc::ConnectFailed, what + ": the stream broke off: " + r.error().message);
      wait = backoff(attempt);
    } else if (r->status == 429 || r->status >= 500) {
      const bool limited = r->status == 429;
      const Errc code = limited ? Errc::RateLimited : Errc::HttpStatus;
      const std::string why = what + ": HTTP " + std::to_string(r->status) + " after " + std::to_string(attempt) +
                              (attempt == 1 ? " attempt" : " attempts");
      if (attempt >= kMaxAttempts) co_return fail(code, why);
      wait = retry_after(*r).value_or(backoff(attempt));
      if (clock.steady_now() + *wait >= deadline) {
        co_return fail(code, why + "; next retry in " + std::to_string(wait->count()) +
                                 " ms would pass the LLM timeout");
      }
    } else {
      r->attempts = attempt;
      co_return r;
    }
    if (!co_await clock.sleep_for(*wait)) co_return fail(Errc::Cancelled, what + ": cancelled while waiting to retry");
  }
}

namespace json = boost::json;

Result<std::string> string_field(const json::object& o, std::string_view key, const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return fail(Errc::ProtocolError, path + ": expected a string");
  const auto& s = v->get_string();
  if (s.size() > kMaxStringBytes) {
    return fail(Errc::ProtocolError, path + ": longer than " + std::to_string(kMaxStringBytes) + " bytes");
  }
  return std::string(s.data(), s.size());
}

Result<const json::object*> object_field(const json::object& o, std::string_view key, const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return fail(Errc::ProtocolError, path + ": expected an object");
  return &v->get_object();
}

Result<const json::value*> array_field(const json::object& o, std::string_view key, const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return static_cast<const json::value*>(nullptr);
  if (!v->is_array()) return fail(Errc::ProtocolError, path + ": expected an array");
  return v;
}

Result<long> count_field(const json::object& o, std::string_view key, const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return 0L;
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<long>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= 1'000'000'000'000ULL) return static_cast<long>(v->get_uint64());
  return fail(Errc::ProtocolError, path + ": expected a non-negative integer");
}

Result<json::object> parse_answer(std::string_view text, const std::string& what) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return fail(Errc::ProtocolError, what + ": not JSON (" + ec.message() + ")");
  if (!v.is_object()) return fail(Errc::ProtocolError, what + ": not a JSON object");
  return std::move(v.get_object());
}

std::string provider_error(std::string_view body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const auto* err = v.get_object().if_contains("error")) {
      if (err->is_object()) {
        if (auto m = string_field(err->get_object(), "message", "error.message"); m && !m->empty()) return *m;
      }
      if (err->is_string()) return std::string(err->get_string());
    }
  }
  return std::string(body);
}

void LiveText::attach(HttpRequest& req) {
  if (!on_text_ || !streamed_) return;
  req.on_body = [this](std::string_view piece) {
    for (const auto& ev : sse_.feed(piece)) {
      std::string text = extract_(ev);
      if (text.empty()) continue;
      delivered_ += text.size();
      on_text_(text);
    }
  };
}

void LiveText::finish(const std::string& content) {
  if (!on_text_ || delivered_ >= content.size()) return;
  on_text_(std::string_view(content).substr(delivered_));
  delivered_ = content.size();
}

}  // namespace detail
}  // namespace alertbot::llm
