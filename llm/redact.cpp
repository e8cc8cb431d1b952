#include "llm/redact.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "net/encoding.hpp"

namespace alertbot::llm {

namespace detail {
// A match found by one scanner: [begin, end) in the text, its kind (nullptr: keep the text as it
// is), and a priority (lower wins when matches overlap).
struct Match {
  std::size_t begin = 0;
  std::size_t end = 0;
  const char* kind = "";
  int priority = 0;
};
}  // namespace detail

namespace {

using detail::Match;

// std::regex (libstdc++) recurses once or more per character matched: a 32 KiB line overflows an
// 8 MiB stack with `(a|b)+`. Operator regexes therefore see a line through 2 KiB windows that
// overlap by half, so every match up to 1 KiB long is found whole (longer ones are found in
// overlapping pieces, which are merged).
constexpr std::size_t kWindow = 2048;
constexpr std::size_t kStep = kWindow / 2;
constexpr std::size_t kMaxQuoted = 4096;  // a quoted key/value secret longer than this is cut
constexpr std::size_t kMinSecret = 4;     // exact secrets shorter than this are ignored

// Priorities: lower wins when two matches overlap.
constexpr int kKeep = -1;  // an existing placeholder: copied as is, so redacting twice changes nothing
constexpr int kExact = 0;
constexpr int kPem = 1;
constexpr int kToken = 2;
constexpr int kUrl = 3;
constexpr int kAuth = 4;
constexpr int kKeyValue = 5;
constexpr int kEntropy = 6;
constexpr int kEmail = 7;
constexpr int kIp = 8;
constexpr int kPattern = 9;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_alnum(char c) { return is_digit(c) || is_upper(c) || is_lower(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_upper_digit(char c) { return is_upper(c) || is_digit(c); }
bool is_b64url(char c) { return is_alnum(c) || c == '-' || c == '_'; }
bool is_ident(char c) { return is_b64url(c) || c == '.'; }
bool is_b64(char c) { return is_alnum(c) || c == '+' || c == '/' || c == '='; }
bool is_token_char(char c) { return is_b64url(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '='; }
bool is_space(char c) { return c == ' ' || c == '\t'; }
char lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

template <class Pred>
std::size_t skip(std::string_view t, std::size_t i, Pred pred) {
  while (i < t.size() && pred(t[i])) ++i;
  return i;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool istarts_with(std::string_view t, std::size_t i, std::string_view p) {
  return i <= t.size() && t.size() - i >= p.size() && iequals(t.substr(i, p.size()), p);
}

bool iends_with(std::string_view t, std::string_view p) { return t.size() >= p.size() && iequals(t.substr(t.size() - p.size()), p); }

// Standard or URL-safe base64, padding optional; "" if a character is not base64.
std::string decode_base64(std::string_view s) { return base64_decode(s).value_or(""); }

// ---- PEM private keys: the whole block, BEGIN line to END line (to the end if END is missing).
void find_pem(std::string_view t, std::vector<Match>& out) {
  std::size_t pos = 0;
  while ((pos = t.find("-----BEGIN ", pos)) != std::string_view::npos) {
    std::size_t label_end = t.find("-----", pos + 11);
    if (label_end == std::string_view::npos) return;
    std::string_view label = t.substr(pos + 11, label_end - pos - 11);
    if (label.find('\n') != std::string_view::npos || !iends_with(label, "PRIVATE KEY")) {
      pos = label_end;
      continue;
    }
    std::size_t end = t.size();
    if (std::size_t footer = t.find("-----END ", label_end + 5); footer != std::string_view::npos) {
      std::size_t close = t.find("-----", footer + 9);
      end = close == std::string_view::npos ? t.size() : close + 5;
    }
    out.push_back({pos, end, "private_key", kPem});
    pos = end;
  }
}

// ---- Tokens recognised by their prefix, and JWTs. Checked at the start of a word.
struct Prefix {
  std::string_view prefix;
  const char* kind;
  std::size_t min_body;
  std::size_t max_body;  // 0: no limit
  bool (*body)(char);
  bool needs_digit;
};

constexpr std::array kPrefixes = {
    Prefix{"AKIA", "aws_key", 16, 16, is_upper_digit, false},
    Prefix{"ASIA", "aws_key", 16, 16, is_upper_digit, false},
    Prefix{"AIza", "gcp_key", 35, 0, is_b64url, false},
    Prefix{"github_pat_", "github_token", 20, 0, is_b64url, false},
    Prefix{"ghp_", "github_token", 20, 0, is_alnum, false},
    Prefix{"gho_", "github_token", 20, 0, is_alnum, false},
    Prefix{"ghu_", "github_token", 20, 0, is_alnum, false},
    Prefix{"ghs_", "github_token", 20, 0, is_alnum, false},
    Prefix{"ghr_", "github_token", 20, 0, is_alnum, false},
    Prefix{"xoxb-", "slack_token", 10, 0, is_b64url, false},
    Prefix{"xoxp-", "slack_token", 10, 0, is_b64url, false},
    Prefix{"xoxa-", "slack_token", 10, 0, is_b64url, false},
    Prefix{"xoxe-", "slack_token", 10, 0, is_b64url, false},
    Prefix{"xoxe.", "slack_token", 10, 0, is_b64url, false},
    Prefix{"xapp-", "slack_token", 10, 0, is_b64url, false},
    Prefix{"sk-ant-", "anthropic_key", 20, 0, is_b64url, false},
    Prefix{"sk-", "openai_key", 20, 0, is_b64url, true},
};

// A JWT at t[i]: three base64url parts joined by dots, the first decoding to a JSON object.
std::size_t jwt_end(std::string_view t, std::size_t i) {
  std::size_t a = skip(t, i, is_b64url);
  if (a - i < 10 || a >= t.size() || t[a] != '.') return 0;
  std::size_t b = skip(t, a + 1, is_b64url);
  if (b - a - 1 < 4 || b >= t.size() || t[b] != '.') return 0;
  std::size_t c = skip(t, b + 1, is_b64url);
  std::string header = decode_base64(t.substr(i, a - i));
  if (header.size() < 2 || header.front() != '{' || header.find('}') == std::string::npos) return 0;
  return c;
}

void find_tokens(std::string_view t, std::vector<Match>& out) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i > 0 && (is_b64url(t[i - 1]) || t[i - 1] == '.')) continue;
    char c = t[i];
    if (c != 'A' && c != 'g' && c != 'x' && c != 's' && c != 'e') continue;
    if (t.substr(i, 3) == "eyJ") {
      if (std::size_t end = jwt_end(t, i)) {
        out.push_back({i, end, "jwt", kToken});
        i = end;
        continue;
      }
    }
    for (const Prefix& p : kPrefixes) {
      if (t.substr(i, p.prefix.size()) != p.prefix) continue;
      std::size_t body = i + p.prefix.size();
      std::size_t end = skip(t, body, p.body);
      std::size_t n = end - body;
      bool digit = std::any_of(t.begin() + body, t.begin() + end, is_digit);
      if (n < p.min_body || (p.max_body && n > p.max_body) || (end < t.size() && is_alnum(t[end])) || (p.needs_digit && !digit)) break;
      out.push_back({i, end, p.kind, kToken});
      i = end;
      break;
    }
  }
}

// ---- URLs: the password in scheme://user:password@host, and Slack webhook paths.
bool is_dsn_scheme(std::string_view s) {
  for (std::string_view d : {"postgres", "postgresql", "mysql", "redis", "rediss", "mongodb", "mongodb+srv", "amqp", "amqps"}) {
    if (iequals(s, d)) return true;
  }
  return false;
}

bool ends_authority(char c) {
  return c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '\'' || c == '<' || c == '>' ||
         c == '`';
}

void find_urls(std::string_view t, std::vector<Match>& out) {
  std::size_t pos = 0;
  while ((pos = t.find("://", pos)) != std::string_view::npos) {
    std::size_t s = pos;
    while (s > 0 && (is_alnum(t[s - 1]) || t[s - 1] == '+' || t[s - 1] == '.' || t[s - 1] == '-')) --s;
    std::string_view scheme = t.substr(s, pos - s);
    std::size_t a = pos + 3;
    std::size_t a_end = skip(t, a, [](char c) { return !ends_authority(c); });
    std::string_view authority = t.substr(a, a_end - a);
    std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      std::size_t colon = authority.substr(0, at).find(':');
      if (colon != std::string_view::npos && colon + 1 < at) {
        out.push_back({a + colon + 1, a + at, is_dsn_scheme(scheme) ? "connection_string" : "url_password", kUrl});
      }
    } else if (iequals(authority, "hooks.slack.com") && t.substr(a_end, 10) == "/services/") {
      std::size_t p = a_end + 10;
      std::size_t end = skip(t, p, [](char c) { return is_b64url(c) || c == '/'; });
      if (end > p) out.push_back({p, end, "slack_token", kUrl});
    }
    pos = a_end > pos + 3 ? a_end : pos + 3;
  }
}

// ---- Authorization: Bearer <token> / Basic <base64 of user:password>.
void find_auth(std::string_view t, std::vector<Match>& out) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if ((t[i] != 'B' && t[i] != 'b') || (i > 0 && is_alnum(t[i - 1]))) continue;
    bool bearer = istarts_with(t, i, "bearer");
    if (!bearer && !istarts_with(t, i, "basic")) continue;
    std::size_t v = i + (bearer ? 6 : 5);
    std::size_t start = skip(t, v, is_space);
    if (start == v) continue;
    std::size_t end = skip(t, start, bearer ? is_token_char : is_b64);
    std::string_view value = t.substr(start, end - start);
    if (value.size() < 8 || (end < t.size() && is_alnum(t[end]))) continue;
    bool ok = bearer ? std::any_of(value.begin(), value.end(), [](char c) { return !is_upper(c) && !is_lower(c); })
                     : decode_base64(value).find(':') != std::string::npos;
    if (ok) out.push_back({start, end, "bearer", kAuth});
    i = end;
  }
}

// ---- key=value secrets: password=..., "token": "...", client_secret: ..., AccountKey=...;
struct Key {
  std::string_view suffix;  // matched case-insensitively against the end of the key
  const char* kind;
};

constexpr std::array kKeys = {
    Key{"aws_secret_access_key", "aws_key"},
    Key{"accountkey", "azure_key"},
    Key{"sharedaccesskey", "azure_key"},
    Key{"password", "password"},
    Key{"passwd", "password"},
    Key{"pwd", "password"},
    Key{"secret", "password"},
    Key{"secret_key", "password"},
    Key{"token", "password"},
    Key{"api_key", "password"},
    Key{"apikey", "password"},
    Key{"api-key", "password"},
};

const Key* secret_key(std::string_view name) {
  for (const Key& k : kKeys) {
    if (iends_with(name, k.suffix)) return &k;
  }
  return nullptr;
}

// Values that are placeholders for a secret rather than one.
bool is_dummy(std::string_view v) {
  if (v.empty() || v.substr(0, 2) == "${" || v.front() == '<' || v.substr(0, 10) == "[REDACTED:") return true;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c == '*' || c == 'x' || c == 'X'; })) return true;
  for (std::string_view d : {"null", "none", "true", "false", "redacted", "\"\"", "''"}) {
    if (iequals(v, d)) return true;
  }
  return false;
}

// The value after a key ending at t[i]: [begin, end), or begin == end if there is none.
std::pair<std::size_t, std::size_t> value_after_key(std::string_view t, std::size_t i) {
  auto backslash = [](char c) { return c == '\\'; };
  i = skip(t, i, backslash);
  if (i < t.size() && (t[i] == '"' || t[i] == '\'')) ++i;
  i = skip(t, i, is_space);
  if (i >= t.size() || (t[i] != '=' && t[i] != ':')) return {i, i};
  if (i + 1 < t.size() && t[i + 1] == t[i]) return {i, i};  // ==, ::
  i = skip(t, i + 1, is_space);
  std::size_t q = skip(t, i, backslash);
  if (q < t.size() && (t[q] == '"' || t[q] == '\'')) {
    // Quoted; inside an escaped string (\"key\": \"value\") the value ends at the next backslash.
    bool escaped = q > i;
    char quote = t[q];
    std::size_t b = q + 1;
    for (i = b; i < t.size() && i - b < kMaxQuoted && t[i] != '\n' && t[i] != quote; ++i) {
      if (t[i] == '\\' && escaped) break;
      if (t[i] == '\\') ++i;
    }
    return {b, std::min(i, t.size())};
  }
  std::size_t e = skip(t, i, [](char c) {
    return c > ' ' && c != ',' && c != ';' && c != '&' && c != '"' && c != '\'' && c != '<' && c != '>' && c != ')' && c != ']' && c != '}';
  });
  return {i, e};
}

void find_key_values(std::string_view t, std::vector<Match>& out) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!is_ident(t[i]) || (i > 0 && is_ident(t[i - 1]))) continue;
    std::size_t end = skip(t, i, is_ident);
    const Key* key = end - i <= 64 ? secret_key(t.substr(i, end - i)) : nullptr;
    if (key) {
      auto [b, e] = value_after_key(t, end);
      std::string_view v = t.substr(b, e - b);
      bool cwd = key->suffix == "pwd" && !v.empty() && (v.front() == '/' || v.front() == '~');
      if (!is_dummy(v) && !cwd) {
        out.push_back({b, e, key->kind, kKeyValue});
        end = e;
      }
    }
    i = end;
  }
}

// ---- High-entropy strings; hex (SHAs, trace ids), UUIDs and ULIDs are evidence and are kept.
double entropy(std::string_view s) {
  std::array<std::size_t, 256> freq{};
  for (char c : s) ++freq[static_cast<unsigned char>(c)];
  double h = 0;
  for (std::size_t f : freq) {
    if (f == 0) continue;
    double p = static_cast<double>(f) / static_cast<double>(s.size());
    h -= p * std::log2(p);
  }
  return h;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t k = 0; k < s.size(); ++k) {
    bool dash = k == 8 || k == 13 || k == 18 || k == 23;
    if (dash ? s[k] != '-' : !is_hex(s[k])) return false;
  }
  return true;
}

// A ULID (26 Crockford base32 characters), optionally after a lowercase type prefix ("req_").
bool is_ulid(std::string_view s) {
  if (s.size() < 26) return false;
  std::string_view id = s.substr(s.size() - 26);
  std::string_view prefix = s.substr(0, s.size() - 26);
  bool crockford =
      std::all_of(id.begin(), id.end(), [](char c) { return is_digit(c) || (is_upper(c) && c != 'I' && c != 'L' && c != 'O' && c != 'U'); });
  bool typed = prefix.empty() ||
               (prefix.size() >= 2 && (prefix.back() == '_' || prefix.back() == '-') && std::all_of(prefix.begin(), prefix.end() - 1, is_lower));
  return crockford && typed;
}

bool looks_secret(std::string_view s) {
  if (s.size() < 24 || std::all_of(s.begin(), s.end(), is_hex) || is_uuid(s) || is_ulid(s)) return false;
  bool upper = std::any_of(s.begin(), s.end(), is_upper);
  bool low = std::any_of(s.begin(), s.end(), is_lower);
  bool digit = std::any_of(s.begin(), s.end(), is_digit);
  bool separated = s.find_first_of("-_/") != std::string_view::npos;
  if (!(upper || low) || !digit) return false;
  if (separated && !(upper && low)) return false;  // pod names, CONSTANT_NAMES, lowercase paths
  return entropy(s) >= 4.0;
}

void find_high_entropy(std::string_view t, std::vector<Match>& out) {
  auto body = [](char c) { return is_alnum(c) || c == '+' || c == '/' || c == '_' || c == '-'; };
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!body(t[i]) || (i > 0 && body(t[i - 1]))) continue;
    std::size_t end = skip(t, i, body);
    end = skip(t, end, [](char c) { return c == '='; });
    std::string_view run = t.substr(i, end - i);
    if (run.front() == '/') {
      // An absolute path: judge each segment on its own.
      for (std::size_t s = 1; s < run.size();) {
        std::size_t e = std::min(run.find('/', s), run.size());
        if (looks_secret(run.substr(s, e - s))) out.push_back({i + s, i + e, "high_entropy", kEntropy});
        s = e + 1;
      }
    } else if (looks_secret(run)) {
      out.push_back({i, end, "high_entropy", kEntropy});
    }
    i = end - 1;
  }
}

// ---- Emails and IP addresses.
void find_emails(std::string_view t, std::vector<Match>& out) {
  auto local = [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; };
  auto domain = [](char c) { return is_alnum(c) || c == '.' || c == '-'; };
  std::size_t pos = 0;
  while ((pos = t.find('@', pos)) != std::string_view::npos) {
    std::size_t b = pos;
    while (b > 0 && pos - b < 64 && local(t[b - 1])) --b;
    std::size_t e = skip(t, pos + 1, domain);
    while (e > pos + 1 && (t[e - 1] == '.' || t[e - 1] == '-')) --e;
    std::string_view host = t.substr(pos + 1, e - pos - 1);
    std::size_t dot = host.rfind('.');
    bool tld = dot != std::string_view::npos && host.size() - dot > 2 &&
               std::all_of(host.begin() + static_cast<std::ptrdiff_t>(dot) + 1, host.end(), [](char c) { return is_upper(c) || is_lower(c); });
    if (b < pos && tld) out.push_back({b, e, "email", kEmail});
    pos = std::max(e, pos + 1);
  }
}

// Length of a dotted-quad IPv4 address at the start of s, or 0.
std::size_t ipv4_length(std::string_view s) {
  std::size_t i = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (i >= s.size() || s[i] != '.') return 0;
      ++i;
    }
    std::size_t e = skip(s, i, is_digit);
    if (e == i || e - i > 3 || std::stoi(std::string(s.substr(i, e - i))) > 255) return 0;
    i = e;
  }
  return i;
}

bool valid_ipv6(std::string_view s) {
  if (s.size() < 3 || s.size() > 45) return false;
  std::size_t dc = s.find("::");
  if (dc != std::string_view::npos && s.find("::", dc + 1) != std::string_view::npos) return false;
  // Counts the groups of one side of "::" (-1: invalid); an IPv4 tail counts as two.
  auto groups = [](std::string_view part, bool last) -> int {
    if (part.empty()) return 0;
    int n = 0;
    for (std::size_t b = 0; b <= part.size();) {
      std::size_t e = std::min(part.find(':', b), part.size());
      std::string_view g = part.substr(b, e - b);
      if (last && e == part.size() && g.find('.') != std::string_view::npos) {
        if (ipv4_length(g) != g.size()) return -1;
        n += 2;
      } else if (g.empty() || g.size() > 4 || !std::all_of(g.begin(), g.end(), is_hex)) {
        return -1;
      } else {
        ++n;
      }
      b = e + 1;
    }
    return n;
  };
  if (dc == std::string_view::npos) return groups(s, true) == 8;
  int left = groups(s.substr(0, dc), false);
  int right = groups(s.substr(dc + 2), true);
  return left >= 0 && right >= 0 && left + right < 8 && left + right > 0;
}

void find_ips(std::string_view t, std::vector<Match>& out) {
  auto v6 = [](char c) { return is_hex(c) || c == ':' || c == '.'; };
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!v6(t[i]) || (i > 0 && (is_alnum(t[i - 1]) || t[i - 1] == '_' || t[i - 1] == '.' || t[i - 1] == ':'))) continue;
    std::size_t end = skip(t, i, v6);
    if (end < t.size() && (is_alnum(t[end]) || t[end] == '_')) {
      i = skip(t, end, is_ident);
      continue;
    }
    std::size_t e = end;
    while (e > i && t[e - 1] == '.') --e;
    if (e > i + 1 && t[e - 1] == ':' && t[e - 2] != ':') --e;
    std::string_view run = t.substr(i, e - i);
    if (std::count(run.begin(), run.end(), ':') >= 2) {
      if (valid_ipv6(run)) out.push_back({i, e, "ip", kIp});
    } else if (std::size_t n = ipv4_length(run); n > 0 && (n == run.size() || run[n] == ':')) {
      out.push_back({i, i + n, "ip", kIp});
    }
    i = end;
  }
}

// Placeholders already in the text (redacting twice changes nothing).
void find_placeholders(std::string_view t, std::vector<Match>& out) {
  std::size_t pos = 0;
  while ((pos = t.find("[REDACTED:", pos)) != std::string_view::npos) {
    std::size_t end = t.find(']', pos);
    if (end == std::string_view::npos || end - pos > 40) return;
    out.push_back({pos, end + 1, nullptr, kKeep});
    pos = end + 1;
  }
}

}  // namespace

Redactor::Redactor(RedactionRules rules, std::vector<std::regex> compiled) : rules_(std::move(rules)), compiled_(std::move(compiled)) {}

Result<Redactor> Redactor::create(RedactionRules rules) {
  std::vector<std::regex> compiled;
  for (const std::string& p : rules.patterns) {
    try {
      compiled.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return fail(Errc::InvalidArgument, "redact.patterns: '" + p + "' is not a valid regex: " + e.what());
    }
  }
  return Redactor(std::move(rules), std::move(compiled));
}

void Redactor::find_patterns(std::string_view t, std::vector<Match>& out) const {
  if (compiled_.empty()) return;
  std::vector<Match> found;
  for (std::size_t line = 0; line < t.size();) {
    std::size_t nl = std::min(t.find('\n', line), t.size());
    for (std::size_t w = line; w < nl; w += kStep) {
      std::size_t w_end = std::min(nl, w + kWindow);
      auto flags = w == line ? std::regex_constants::match_default : std::regex_constants::match_prev_avail | std::regex_constants::match_not_bol;
      for (const std::regex& re : compiled_) {
        for (std::cregex_iterator it(t.data() + w, t.data() + w_end, re, flags), last; it != last; ++it) {
          const std::cmatch& m = *it;
          std::size_t g = m.size() > 1 && m[1].matched ? 1 : 0;
          if (m.length(g) == 0) continue;
          std::size_t begin = static_cast<std::size_t>(m[g].first - t.data());
          found.push_back({begin, begin + static_cast<std::size_t>(m.length(g)), "pattern", kPattern});
        }
      }
      if (w_end == nl) break;
    }
    line = nl + 1;
  }
  // Windows overlap: merge what they found into disjoint matches.
  std::sort(found.begin(), found.end(), [](const Match& a, const Match& b) { return a.begin < b.begin; });
  for (const Match& m : found) {
    if (!out.empty() && out.back().priority == kPattern && out.back().end > m.begin) {
      out.back().end = std::max(out.back().end, m.end);
    } else {
      out.push_back(m);
    }
  }
}

void Redactor::find_secrets(std::string_view t, std::vector<Match>& out) const {
  for (const std::string& s : rules_.secrets) {
    if (s.size() < kMinSecret) continue;
    for (std::size_t pos = t.find(s); pos != std::string_view::npos; pos = t.find(s, pos + s.size())) {
      out.push_back({pos, pos + s.size(), "secret", kExact});
    }
  }
}

std::string Redactor::placeholder(const char* kind, std::string_view value) {
  auto& values = seen_[kind];
  auto [it, added] = values.try_emplace(std::string(value), values.size() + 1);
  return "[REDACTED:" + std::string(kind) + ":" + std::to_string(it->second) + "]";
}

std::string Redactor::redact(std::string_view text) {
  std::vector<Match> found;
  find_placeholders(text, found);
  find_secrets(text, found);
  find_pem(text, found);
  find_tokens(text, found);
  find_urls(text, found);
  find_auth(text, found);
  find_key_values(text, found);
  find_high_entropy(text, found);
  if (rules_.emails) find_emails(text, found);
  if (rules_.ips) find_ips(text, found);
  find_patterns(text, found);

  // Highest priority first; a match overlapping one already kept is dropped.
  std::stable_sort(found.begin(), found.end(),
                   [](const Match& a, const Match& b) { return a.priority != b.priority ? a.priority < b.priority : a.begin < b.begin; });
  std::map<std::size_t, Match> kept;  // by begin; the kept matches never overlap
  for (const Match& m : found) {
    if (m.begin >= m.end) continue;
    auto next = kept.lower_bound(m.end);
    if (next != kept.begin() && std::prev(next)->second.end > m.begin) continue;
    kept.emplace(m.begin, m);
  }

  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (const auto& [begin, m] : kept) {
    out.append(text.substr(pos, begin - pos));
    std::string_view value = text.substr(begin, m.end - begin);
    if (m.kind == nullptr) {
      out.append(value);
    } else {
      out.append(placeholder(m.kind, value));
    }
    pos = m.end;
  }
  out.append(text.substr(pos));
  return out;
}

std::size_t Redactor::count() const {
  std::size_t n = 0;
  for (const auto& [kind, values] : seen_) n += values.size();
  return n;
}

std::map<std::string, std::size_t> Redactor::counts_by_kind() const {
  std::map<std::string, std::size_t> out;
  for (const auto& [kind, values] : seen_) out[kind] = values.size();
  return out;
}

RedactionRules redaction_rules(const LlmSettings& settings, std::vector<std::string> secrets) {
  RedactionRules rules;
  rules.emails = settings.redact_emails;
  rules.ips = settings.redact_ips;
  rules.patterns = settings.redact_patterns;
  rules.secrets = std::move(secrets);
  rules.secrets.push_back(settings.api_key);
  for (const auto& [name, value] : settings.headers) rules.secrets.push_back(value);
  return rules;
}

}  // namespace alertbot::llm
