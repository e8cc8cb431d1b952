// Redactor: a generated corpus of realistic texts with planted secrets of every kind (all must be
// gone), a clean control corpus (nothing may change), stability of placeholders, options, errors,
// and a 1 MB run.
#include "llm/redact.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace alertbot::llm {
namespace {

// Deterministic generator (no std distributions: their output differs between libraries).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  std::string from(std::string_view alphabet, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += alphabet[below(alphabet.size())];
    return s;
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

 private:
  std::uint64_t state_;
};

constexpr std::string_view kUpperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kB64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64(std::string_view in, bool url) {
  std::string_view alphabet = url ? kB64Url : kB64;
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (i + 1 < in.size() ? (unsigned char)in[i + 1] << 8 : 0);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (i + 1 < in.size()) out += alphabet[(v >> 6) & 63];
    if (!url) out += i + 1 < in.size() ? "=" : "==";
  }
  return out;
}

// A secret value plus the text around it that makes it one (e.g. "password=" + value).
struct Planted {
  std::string kind;
  std::string fragment;             // what goes into the text
  std::vector<std::string> values;  // what must not survive
};

std::string words(Rng& r) {
  static const std::vector<std::string> kWords = {"amber", "falcon", "river", "copper", "maple", "orbit", "quartz", "tundra"};
  return r.pick(kWords) + r.pick(kWords);
}

Planted plant(const std::string& kind, Rng& r) {
  auto ctx = [&](const std::vector<std::string>& forms, const std::string& v) {
    std::string f = r.pick(forms);
    return f.replace(f.find("{}"), 2, v);
  };
  if (kind == "aws_key") {
    if (r.below(2)) {
      std::string v = (r.below(2) ? "AKIA" : "ASIA") + r.from(kUpperDigits, 16);
      return {
          kind, ctx({"AWS_ACCESS_KEY_ID={}", "using access key {} for s3:PutObject", "\"AccessKeyId\": \"{}\"", "aws_access_key_id: '{}'"}, v), {v}};
    }
    std::string v = r.from(kB64, 40);
    return {kind, ctx({"aws_secret_access_key = {}", "AWS_SECRET_ACCESS_KEY={}", "\"aws_secret_access_key\": \"{}\""}, v), {v}};
  }
  if (kind == "gcp_key") {
    std::string v = "AIza" + r.from(kB64Url, 35);
    return {kind, ctx({"maps api key {} rejected", "GOOGLE_API_KEY={}", "url=https://maps.googleapis.com/maps/api/geocode/json?key={}"}, v), {v}};
  }
  if (kind == "azure_key") {
    std::string v = r.from(kB64, 86) + "==";
    return {kind,
            ctx({"DefaultEndpointsProtocol=https;AccountName=acct" + words(r) + ";AccountKey={};EndpointSuffix=core.windows.net", "AccountKey={}",
                 "\"connectionString\": \"Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={}\""},
                v),
            {v}};
  }
  if (kind == "github_token") {
    static const std::vector<std::string> kPrefixes = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"};
    std::string v = r.below(4) ? r.pick(kPrefixes) + r.from(kAlnum, 36) : "github_pat_" + r.from(kAlnum, 22) + "_" + r.from(kAlnum, 59);
    return {
        kind, ctx({"GITHUB_TOKEN={}", "git clone https://x-access-token:{}@github.com/acme/app.git", "token {} has expired", "(auth {})"}, v), {v}};
  }
  if (kind == "slack_token") {
    int form = static_cast<int>(r.below(3));
    if (form == 2) {
      std::string path = "T" + r.from(kUpperDigits, 8) + "/B" + r.from(kUpperDigits, 10) + "/" + r.from(kAlnum, 24);
      return {kind,
              ctx({"webhook https://hooks.slack.com/services/{} returned 404", "SLACK_WEBHOOK_URL=\"https://hooks.slack.com/services/{}\""}, path),
              {path}};
    }
    std::string v =
        form == 0 ? std::string(r.below(2) ? "xoxb-" : "xoxp-") + r.from("0123456789", 12) + "-" + r.from("0123456789", 13) + "-" + r.from(kAlnum, 24)
                  : "xapp-1-A" + r.from(kUpperDigits, 10) + "-" + r.from("0123456789", 13) + "-" + r.from("abcdef0123456789", 64);
    return {kind, ctx({"SLACK_BOT_TOKEN={}", "slack client init with {}", "'{}'"}, v), {v}};
  }
  if (kind == "openai_key") {
    std::string v = r.below(2) ? "sk-" + r.from(kAlnum, 48) : "sk-proj-" + r.from(kB64Url, 64) + "1";
    return {kind, ctx({"OPENAI_API_KEY={}", "Incorrect API key provided: {}.", "openai.api_key = \"{}\""}, v), {v}};
  }
  if (kind == "anthropic_key") {
    std::string v = "sk-ant-api03-" + r.from(kB64Url, 93) + "AA";
    return {kind, ctx({"ANTHROPIC_API_KEY={}", "x-api-key: {}", "client = Anthropic(api_key=\"{}\")"}, v), {v}};
  }
  if (kind == "jwt") {
    std::string header = base64(r.below(2) ? R"({"alg":"HS256","typ":"JWT"})" : R"({"alg":"RS256","kid":"k1"})", true);
    std::string payload = base64(R"({"sub":")" + r.from(kAlnum, 10) + R"(","exp":1714567890})", true);
    std::string v = header + "." + payload + "." + r.from(kB64Url, 43);
    return {kind, ctx({"Authorization: Bearer {}", "id_token={}", "cookie: session={}; Path=/", "jwt {} failed verification"}, v), {v}};
  }
  if (kind == "private_key") {
    static const std::vector<std::string> kLabels = {"RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY",
                                                    "ENCRYPTED PRIVATE KEY"};
    std::string label = r.pick(kLabels);
    std::vector<std::string> lines;
    std::string block = "-----BEGIN " + label + "-----\n";
    for (int i = 0; i < 4; ++i) {
      lines.push_back(r.from(kB64, 64));
      block += lines.back() + "\n";
    }
    block += "-----END " + label + "-----";
    return {kind, "tls:\n  key: |\n" + block + "\n", lines};
  }
  if (kind == "url_password" || kind == "connection_string") {
    std::string v = r.from(kAlnum, 10) + r.from("!$*-_~", 1) + r.from(kAlnum, 4);
    static const std::vector<std::string> kPlain = {"https", "http", "ftp", "sftp", "smtp"};
    static const std::vector<std::string> kDsn = {"postgres", "postgresql", "mysql", "redis", "mongodb+srv", "amqp"};
    std::string scheme = kind == "url_password" ? r.pick(kPlain) : r.pick(kDsn);
    std::string url = scheme + "://" + (scheme == "redis" ? "" : "svc_" + words(r)) + ":" + v + "@" + words(r) + ".internal:5432/db?sslmode=require";
    return {kind, ctx({"connecting to {}", "DATABASE_URL={}", "\"url\": \"{}\"", "dial {}: connection refused"}, url), {v}};
  }
  if (kind == "bearer") {
    if (r.below(2)) {
      std::string v = r.from(kAlnum, 20) + "." + r.from(kAlnum, 12);
      return {
          kind,
          ctx({"Authorization: Bearer {}", "curl -H 'Authorization: Bearer {}' https://api.internal/v1/orders", "\"authorization\": \"Bearer {}\""},
              v),
          {v}};
    }
    std::string user = "svc-" + words(r);
    std::string v = base64(user + ":" + r.from(kAlnum, 14), false);
    return {kind, ctx({"Authorization: Basic {}", "> authorization: basic {}"}, v), {v}};
  }
  if (kind == "password") {
    std::string v = words(r) + std::to_string(1000 + r.below(9000)) + r.from("!#%*+-", 1);
    static const std::vector<std::string> kKeys = {"password", "passwd",      "pwd",           "secret",     "token",
                                                  "api_key",  "DB_PASSWORD", "client_secret", "PGPASSWORD", "x-api-key"};
    std::string key = r.pick(kKeys);
    return {kind,
            ctx({key + "={}", key + ": {}", "\"" + key + "\": \"{}\"", "  " + key + ": '{}'", "--" + key + "={} --verbose",
                 "{\\\"" + key + "\\\":\\\"{}\\\"}"},
                v),
            {v}};
  }
  if (kind == "high_entropy") {
    std::string v = r.from(kB64, 36) + "7a";
    return {kind, ctx({"X-Signature: {}", "cache entry {} evicted", "nonce={}", "signed payload with {} (hmac-sha256)"}, v), {v}};
  }
  if (kind == "email") {
    std::string v = words(r) + "." + r.from("abcdefghij", 5) + "@" + words(r) + "-corp.example.com";
    return {kind, ctx({"user {} logged in", "assignee: {}", "\"email\":\"{}\"", "<{}>"}, v), {v}};
  }
  if (kind == "ip") {
    std::string v = r.below(2)
                        ? std::to_string(r.below(223) + 1) + "." + std::to_string(r.below(256)) + "." + std::to_string(r.below(256)) + "." +
                              std::to_string(r.below(256))
                        : "2001:db8:" + r.from("0123456789abcdef", 4) + "::" + r.from("123456789abcdef", 3) + ":" + r.from("0123456789abcdef", 4);
    return {kind, ctx({"client {} connected", "upstream connect error to {}:8080", "\"remote_addr\":\"{}\"", "peer=[{}]"}, v), {v}};
  }
  if (kind == "pattern") {
    if (r.below(2)) {
      std::string v = "CUST-" + r.from("0123456789", 6);
      return {kind, ctx({"order placed by {}", "\"customer\": \"{}\""}, v), {v}};
    }
    std::string v = "E" + r.from("0123456789", 5);
    return {kind, "employee_id=" + v + " approved the change", {v}};
  }
  // secret: the config's own secrets, which no scanner would recognise.
  std::string v = "tin-" + words(r) + "-" + r.from("abcdefghijklmnop", 6);
  return {kind, ctx({"loaded signing salt {}", "value {} in header", "\"{}\""}, v), {v}};
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// Wraps a fragment in one of several realistic texts.
std::string wrap(const std::string& f, std::size_t n) {
  switch (n % 8) {
    case 0:
      return "2024-05-01T12:00:03.123Z ERROR payments-api-7d9f8b6c5d-x2kqp [trace_id=4bf92f3577b34da6a3ce929d0e0e4736] request failed: " + f +
             " (took 235ms)";
    case 1: return "database:\n  host: db.internal\n  port: 5432\n  " + f + "\n  pool_size: 20\n";
    case 2:
      return R"({"ts":"2024-05-01T12:00:03Z","level":"warn","msg":")" + json_escape(f) + R"(","service":"checkout","span_id":"00f067aa0ba902b7"})";
    case 3:
      return "java.lang.IllegalStateException: " + f +
             "\n\tat com.acme.pay.Client.call(Client.java:88)\n\tat com.acme.pay.Worker.run(Worker.java:31)\n";
    case 4: return "diff --git a/deploy/values.yaml b/deploy/values.yaml\n@@ -12,7 +12,7 @@ env:\n-  LOG_LEVEL: info\n+  " + f + "\n   REPLICAS: 3\n";
    case 5: return "summary: High error rate on checkout\ndescription: " + f + "\nrunbook_url: https://runbooks.internal/checkout\n";
    case 6: return f;
    default: return "panic: " + f + "\n\ngoroutine 1 [running]:\nmain.(*Server).Serve(0xc000123456)\n\t/app/server.go:142 +0x1a5\n";
  }
}

const std::vector<std::string> kKinds = {"aws_key",       "gcp_key",      "azure_key",   "github_token", "slack_token",       "openai_key",
                                         "anthropic_key", "jwt",          "private_key", "url_password", "connection_string", "bearer",
                                         "password",      "high_entropy", "email",       "ip",           "pattern",           "secret"};

std::vector<std::string> control_corpus() {
  std::vector<std::string> out;
  Rng r(7);
  for (int i = 0; i < 200; ++i) {
    std::string sha = r.from("0123456789abcdef", 40);
    std::string uuid = r.from("0123456789abcdef", 8) + "-" + r.from("0123456789abcdef", 4) + "-4" + r.from("0123456789abcdef", 3) + "-a" +
                       r.from("0123456789abcdef", 3) + "-" + r.from("0123456789abcdef", 12);
    std::string trace = r.from("0123456789abcdef", 32);
    std::string span = r.from("0123456789abcdef", 16);
    switch (i % 15) {
      case 0: out.push_back("commit " + sha + "\nAuthor: deploy-bot\nDate: 2024-05-01\n\n    fix retry budget in payments client"); break;
      case 1:
        out.push_back("2024-05-01T12:00:03.123Z INFO checkout-7d9f8b6c5d-x2kqp trace_id=" + trace + " span_id=" + span +
                      " GET /api/v1/orders/12345 200 235ms");
        break;
      case 2: out.push_back("{\"request_id\":\"" + uuid + "\",\"duration\":\"1.5s\",\"path\":\"/var/log/app/checkout.log\"}"); break;
      case 3:
        out.push_back("\tat com.acme.pay.Client.call(Client.java:" + std::to_string(i) + ")\n\tat java.base/java.lang.Thread.run(Thread.java:833)");
        break;
      case 4: out.push_back("sha256:" + sha + trace.substr(0, 24) + " pulled image registry.internal/checkout:v1.24." + std::to_string(i)); break;
      case 5:
        out.emplace_back("histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{service=\"checkout\"}[5m]))) = 1.25");
        break;
      case 6: out.push_back("main.(*Server).Serve(0xc000123456)\n\t/app/internal/server/handler_v2.go:" + std::to_string(i) + " +0x1a5"); break;
      case 7: out.emplace_back("pod payments-api-7d9f8b6c5d-x2kqp restarted 3 times in 1h30m (OOMKilled, limit 512Mi)"); break;
      case 8:
        out.emplace_back(
            "@@ -40,6 +40,8 @@ func (c *Client) Call(ctx context.Context) error {\n+\tctx, cancel := context.WithTimeout(ctx, "
            "30*time.Second)\n+\tdefer cancel()");
        break;
      case 10: out.push_back("require github.com/acme/retry v0.0.0-20240501120003-" + sha.substr(0, 12) + " // indirect"); break;
      case 11:
        out.emplace_back("std::vector<int>::iterator at src/llm/redact.cpp:42:7, mac 00:1a:2b:3c:4d:5e, at 12:04:05.123, rss 0x7ffd5e8c9a10");
        break;
      case 12:
        out.emplace_back(
            "org.springframework.web.servlet.DispatcherServlet: Completed 500 INTERNAL_SERVER_ERROR in 1h2m3s (v1.24.3, p99=850ms, 99.95%)");
        break;
      case 13:
        out.push_back("{\"event\":{\"id\":\"01DEN3R4QK8Y8R9V5P3W2A6B7C\"},\"request_id\":\"req_01HF3Z9K8QW2R" +
                      r.from("0123456789ABCDEFGHJKMNPQRSTVWXYZ", 13) + "\"}");
        break;
      case 14:
        out.push_back("kube-system/coredns-5d78c9869d-" + r.from("bcdfghjklmnpqrstvwxz2456789", 5) +
                      " Readiness probe failed: GET /healthz returned 503 after 5s");
        break;
      default:
        out.push_back("deployment checkout rolled out " + sha.substr(0, 12) +
                      " at 12:04:05, token budget 24000, password reset flow latency p99 850ms");
        break;
    }
  }
  return out;
}

RedactionRules corpus_rules(const std::vector<std::string>& secrets) {
  RedactionRules rules;
  rules.patterns = {"CUST-[0-9]{6}", "employee_id=(E[0-9]{5})"};
  rules.secrets = secrets;
  return rules;
}

const std::regex kPlaceholder(R"(\[REDACTED:[a-z_]+:[0-9]+\])");

TEST(Redactor, CorpusRemovesEveryPlantedSecretAndKeepsTheControlCorpus) {
  constexpr int kPerKind = 150;
  Rng r(42);
  std::vector<Planted> planted;
  std::vector<std::string> secrets;
  for (const std::string& kind : kKinds) {
    for (int i = 0; i < kPerKind; ++i) {
      planted.push_back(plant(kind, r));
      if (kind == "secret") secrets.push_back(planted.back().values.front());
    }
  }
  auto redactor = Redactor::create(corpus_rules(secrets));
  ASSERT_TRUE(redactor.has_value());

  struct Row {
    int planted = 0;
    int redacted = 0;  // every value gone
    int as_kind = 0;   // and a placeholder of the planted kind in its place
  };
  std::map<std::string, Row> table;
  for (std::size_t i = 0; i < planted.size(); ++i) {
    const Planted& p = planted[i];
    std::string text = wrap(p.fragment, i);
    std::string out = redactor->redact(text);
    bool gone = true;
    for (const std::string& v : p.values) {
      EXPECT_EQ(out.find(v), std::string::npos) << p.kind << " survived in:\n" << out;
      gone = gone && out.find(v) == std::string::npos;
    }
    EXPECT_TRUE(std::regex_search(out, kPlaceholder)) << out;
    Row& row = table[p.kind];
    ++row.planted;
    row.redacted += gone ? 1 : 0;
    row.as_kind += out.find("[REDACTED:" + p.kind + ":") != std::string::npos ? 1 : 0;
  }
  ASSERT_GE(planted.size(), 200u);

  // The control corpus gets its own Redactor, so its counts are exactly the false positives.
  auto control = Redactor::create(corpus_rules(secrets));
  ASSERT_TRUE(control.has_value());
  int changed = 0;
  for (const std::string& line : control_corpus()) {
    std::string out = control->redact(line);
    EXPECT_EQ(out, line);
    changed += out == line ? 0 : 1;
  }
  auto fp = control->counts_by_kind();
  std::printf("%-18s %8s %9s %8s %16s\n", "kind", "planted", "redacted", "as kind", "false positives");
  for (const auto& [kind, row] : table) {
    std::printf("%-18s %8d %9d %8d %16zu\n", kind.c_str(), row.planted, row.redacted, row.as_kind, fp[kind]);
    EXPECT_EQ(row.redacted, row.planted) << kind;
  }
  std::printf("control corpus: 200 texts (SHAs, UUIDs, trace ids, durations, paths), %d changed\n", changed);
  std::printf("corpus: %zu texts, distinct values redacted: %zu\n", planted.size(), redactor->count());
  EXPECT_EQ(changed, 0);
}

TEST(Redactor, EachKindGetsItsOwnPlaceholderKind) {
  Rng r(5);
  for (const std::string& kind : kKinds) {
    Planted p = plant(kind, r);
    std::vector<std::string> secrets;
    if (kind == "secret") secrets = p.values;
    auto redactor = Redactor::create(corpus_rules(secrets));
    ASSERT_TRUE(redactor.has_value());
    std::string out = redactor->redact(p.fragment);
    auto counts = redactor->counts_by_kind();
    EXPECT_TRUE(counts.count(kind)) << kind << ": " << out;
  }
  auto redactor = Redactor::create({});
  ASSERT_TRUE(redactor.has_value());
  EXPECT_EQ(redactor->redact("key AKIAIOSFODNN7EXAMPLE here"), "key [REDACTED:aws_key:1] here");
  EXPECT_EQ(redactor->redact("https://bob:hunter2x@db.example.org/x"), "https://bob:[REDACTED:url_password:1]@db.example.org/x");
  EXPECT_EQ(redactor->redact("postgres://app:s3cretPw@db:5432/orders"), "postgres://app:[REDACTED:connection_string:1]@db:5432/orders");
  EXPECT_EQ(redactor->redact(R"({"password": "tr0ub4dor&3"})"), R"({"password": "[REDACTED:password:1]"})");
  EXPECT_EQ(redactor->redact("mail ops@acme.io from 10.1.2.3"), "mail [REDACTED:email:1] from [REDACTED:ip:1]");
  EXPECT_EQ(redactor->redact("ping fe80::1ff:fe23:4567:890a ok"), "ping [REDACTED:ip:2] ok");
}

TEST(Redactor, SameValueSamePlaceholderDifferentValuesDifferentNumbers) {
  auto redactor = Redactor::create({});
  ASSERT_TRUE(redactor.has_value());
  std::string a = "ghp_" + std::string(36, 'a').replace(0, 6, "x1y2z3");
  std::string b = "ghp_" + std::string(36, 'b').replace(0, 6, "q9w8e7");
  EXPECT_EQ(redactor->redact(a + " " + b + " " + a), "[REDACTED:github_token:1] [REDACTED:github_token:2] [REDACTED:github_token:1]");
  EXPECT_EQ(redactor->redact("later: " + b), "later: [REDACTED:github_token:2]");
  EXPECT_EQ(redactor->redact("user=x password=one1 / password=two2 / password=one1"),
            "user=x password=[REDACTED:password:1] / password=[REDACTED:password:2] / password=[REDACTED:password:1]");
  EXPECT_EQ(redactor->count(), 4u);
  auto counts = redactor->counts_by_kind();
  EXPECT_EQ(counts["github_token"], 2u);
  EXPECT_EQ(counts["password"], 2u);
  // Redacting redacted text changes nothing.
  std::string once = redactor->redact("token=abc123 " + a);
  EXPECT_EQ(redactor->redact(once), once);
}

TEST(Redactor, PlaceholdersNeverContainAnyPartOfTheSecret) {
  Rng r(11);
  auto redactor = Redactor::create(corpus_rules({}));
  ASSERT_TRUE(redactor.has_value());
  for (int i = 0; i < 300; ++i) {
    Planted p = plant(kKinds[static_cast<std::size_t>(i) % (kKinds.size() - 1)], r);
    std::string out = redactor->redact(p.fragment);
    for (std::sregex_iterator it(out.begin(), out.end(), kPlaceholder), end; it != end; ++it) {
      std::string ph = it->str();
      for (const std::string& v : p.values) {
        // No 4-character piece of the value appears in a placeholder (beyond its fixed kind name:
        // "github_pat_..." shares "github" with "github_token").
        std::string kind = ph.substr(10, ph.rfind(':') - 10);
        for (std::size_t k = 0; k + 4 <= v.size(); ++k) {
          std::string piece = v.substr(k, 4);
          if (kind.find(piece) == std::string::npos) {
            EXPECT_EQ(ph.find(piece), std::string::npos) << ph << " / " << v;
          }
        }
      }
    }
  }
}

TEST(Redactor, CustomPatternsRedactTheMatchOrItsFirstGroup) {
  RedactionRules rules;
  rules.patterns = {"INC-[0-9]+", "customer=([a-z]+)"};
  auto redactor = Redactor::create(rules);
  ASSERT_TRUE(redactor.has_value());
  EXPECT_EQ(redactor->redact("see INC-4411 for customer=globex\nand INC-4411 again"),
            "see [REDACTED:pattern:1] for customer=[REDACTED:pattern:2]\nand [REDACTED:pattern:1] again");
  EXPECT_EQ(redactor->counts_by_kind()["pattern"], 2u);
}

TEST(Redactor, BadPatternIsAnInvalidArgumentNamingIt) {
  RedactionRules rules;
  rules.patterns = {"ok[0-9]", "broken(["};
  auto redactor = Redactor::create(rules);
  ASSERT_FALSE(redactor.has_value());
  EXPECT_EQ(redactor.error().code, Errc::InvalidArgument);
  EXPECT_NE(redactor.error().message.find("broken(["), std::string::npos) << redactor.error().message;
}

TEST(Redactor, EmailsAndIpsSwitchedOffAreKept) {
  RedactionRules rules;
  rules.emails = false;
  rules.ips = false;
  auto redactor = Redactor::create(rules);
  ASSERT_TRUE(redactor.has_value());
  std::string text = "alice@example.com from 192.168.1.20 and 2001:db8::7334, password=hunter22";
  EXPECT_EQ(redactor->redact(text), "alice@example.com from 192.168.1.20 and 2001:db8::7334, password=[REDACTED:password:1]");
}

TEST(Redactor, ExactSecretsAreRedactedWhereverTheyAppear) {
  RedactionRules rules;
  rules.secrets = {"plain words secret", "abc"};  // too short: ignored
  auto redactor = Redactor::create(rules);
  ASSERT_TRUE(redactor.has_value());
  EXPECT_EQ(redactor->redact("x plain words secretplain words secret abc"), "x [REDACTED:secret:1][REDACTED:secret:1] abc");
}

TEST(Redactor, HostileInputIsHandled) {
  RedactionRules rules;
  rules.patterns = {"internal-[a-z]+", "note: .*"};
  auto redactor = Redactor::create(rules);
  ASSERT_TRUE(redactor.has_value());
  // A key block cut off before its END line is redacted to the end of the text.
  EXPECT_EQ(redactor->redact("key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), "key:\n[REDACTED:private_key:1]");
  // One 2 MB line (64 KiB would already overflow std::regex's recursion): operator patterns see
  // it through 2 KiB windows, so `.*` is cut there, and a match at the far end is still found.
  std::string line = "note: " + std::string(2u << 20, 'x') + " internal-host";
  std::string out = redactor->redact(line);
  EXPECT_EQ(out.substr(0, 20), "[REDACTED:pattern:1]");
  EXPECT_EQ(out.size(), line.size() - 2048 + 20 - 13 + 20);
  EXPECT_EQ(out.substr(out.size() - 21), " [REDACTED:pattern:2]");
  // Degenerate separators and lone markers.
  std::string junk = std::string(100000, '@') + std::string(100000, ':') + std::string(50000, '.') + "://@:" + std::string(50000, '=');
  EXPECT_EQ(redactor->redact(junk), junk);
}

TEST(Redactor, OneMegabyteOfLogs) {
  Rng r(3);
  std::string text;
  std::size_t n = 0;
  auto controls = control_corpus();
  while (text.size() < (1u << 20)) {
    text += controls[n % controls.size()] + "\n";
    if (n % 10 == 0) text += wrap(plant(kKinds[n % kKinds.size()], r).fragment, n) + "\n";
    ++n;
  }
  auto redactor = Redactor::create(corpus_rules({"tin-secret-value"}));
  ASSERT_TRUE(redactor.has_value());
  auto start = std::chrono::steady_clock::now();  // reported, not asserted
  std::string out = redactor->redact(text);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  std::printf("1 MB (%zu bytes): %lld ms, %zu distinct values redacted\n", text.size(), static_cast<long long>(ms), redactor->count());
  EXPECT_GT(redactor->count(), 100u);
}

}  // namespace
}  // namespace alertbot::llm
