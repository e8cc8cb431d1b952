// Log template mining (the first half of log_patterns.hpp): masking variable parts of a line and
// the Drain-like prefix-tree miner. log_patterns.cpp compares templates before and after a pivot.
#include "investigators/analysis/log_patterns.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace alertbot::investigators::analysis {
namespace {

constexpr std::string_view kWild = "<*>";
// Quoted values of these keys are messages: kept (masked inside), not replaced by <*>.
constexpr std::string_view kMessageKeys[] = {"msg", "message", "error", "err", "reason", "event", "description",
                                              "exception", "summary", "title", "level", "lvl", "severity"};
// Number suffixes that make a duration, size or ratio.
constexpr std::string_view kUnits[] = {"ns", "us", "\xC2\xB5s", "ms", "s", "m", "h", "d", "b", "kb", "mb", "gb",
                                       "kib", "mib", "gib", "k", "x", "%"};

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool xdigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)); }

std::size_t run_of(std::string_view s, std::size_t i, bool (*pred)(char)) {
  std::size_t j = i;
  while (j < s.size() && pred(s[j])) ++j;
  return j - i;
}

bool at_end_of_word(std::string_view s, std::size_t j) { return j >= s.size() || !alnum(s[j]); }

// Length of "dddd-dd-dd[( |T)dd:dd[:dd][.d+]][Z|+hh[:]mm]" at i, or 0.
std::size_t match_datetime(std::string_view s, std::size_t i) {
  auto digits_at = [&](std::size_t p, std::size_t n) { return p + n <= s.size() && run_of(s, p, digit) >= n; };
  if (!digits_at(i, 4) || i + 10 > s.size() || s[i + 4] != '-' || !digits_at(i + 5, 2) || s[i + 7] != '-' || !digits_at(i + 8, 2)) return 0;
  std::size_t j = i + 10;
  if (j + 6 <= s.size() && (s[j] == 'T' || s[j] == ' ') && digits_at(j + 1, 2) && s[j + 3] == ':' && digits_at(j + 4, 2)) {
    j += 6;
    if (j + 3 <= s.size() && s[j] == ':' && digits_at(j + 1, 2)) j += 3;
    if (j + 1 < s.size() && (s[j] == '.' || s[j] == ',') && digit(s[j + 1])) j += 1 + run_of(s, j + 1, digit);
    if (j < s.size() && s[j] == 'Z') {
      ++j;
    } else if (j + 3 <= s.size() && (s[j] == '+' || s[j] == '-') && digits_at(j + 1, 2)) {
      j += 3;
      if (j + 3 <= s.size() && s[j] == ':' && digits_at(j + 1, 2)) j += 3;
      else if (digits_at(j, 2)) j += 2;
    }
  }
  return at_end_of_word(s, j) ? j - i : 0;
}

// Length of a UUID (8-4-4-4-12 hex) or a hex id (0x..., or 8+ hex characters with a digit) at i.
std::size_t match_hex(std::string_view s, std::size_t i) {
  std::size_t j = i;
  static constexpr std::size_t kGroups[] = {8, 4, 4, 4, 12};
  for (std::size_t g = 0; g < 5; ++g) {
    if (run_of(s, j, xdigit) != kGroups[g]) break;
    j += kGroups[g];
    if (g == 4 && at_end_of_word(s, j)) return j - i;
    if (g == 4 || j >= s.size() || s[j] != '-') break;
    ++j;
  }
  if (s.substr(i, 2) == "0x" && i + 2 < s.size() && xdigit(s[i + 2])) {
    j = i + 2 + run_of(s, i + 2, xdigit);
    return at_end_of_word(s, j) ? j - i : 0;
  }
  std::size_t n = run_of(s, i, xdigit);
  bool has_digit = std::any_of(s.begin() + i, s.begin() + i + n, digit);
  return n >= 8 && has_digit && at_end_of_word(s, i + n) ? n : 0;
}

// Length of a number with an optional fraction and unit, repeated for Go durations (1m30.5s).
std::size_t match_number(std::string_view s, std::size_t i) {
  std::size_t j = i;
  while (j < s.size() && digit(s[j])) {
    j += run_of(s, j, digit);
    if (j + 1 < s.size() && s[j] == '.' && digit(s[j + 1])) j += 1 + run_of(s, j + 1, digit);
    std::size_t k = j;
    while (k < s.size() && (std::isalpha(static_cast<unsigned char>(s[k])) || s[k] == '%' || static_cast<unsigned char>(s[k]) >= 0x80)) ++k;
    if (k == j) break;
    std::string unit(s.substr(j, k - j));
    for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::find(std::begin(kUnits), std::end(kUnits), unit) == std::end(kUnits)) return 0;
    j = k;
  }
  return at_end_of_word(s, j) ? j - i : 0;
}

bool is_message_key(std::string_view key) {
  std::string k(key);
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(std::begin(kMessageKeys), std::end(kMessageKeys), k) != std::end(kMessageKeys);
}

// The key a quoted value at `q` belongs to: `key="..."` or `"key": "..."`; "" for free text.
std::string_view key_before(std::string_view s, std::size_t q) {
  std::size_t j = q;
  while (j > 0 && s[j - 1] == ' ') --j;
  if (j == 0) return {};
  if (s[j - 1] == '=') {
    std::size_t end = j - 1, b = end;
    while (b > 0 && (alnum(s[b - 1]) || s[b - 1] == '_' || s[b - 1] == '.' || s[b - 1] == '-')) --b;
    return s.substr(b, end - b);
  }
  if (s[j - 1] == ':') {
    std::size_t k = j - 1;
    while (k > 0 && s[k - 1] == ' ') --k;
    if (k < 2 || s[k - 1] != '"') return {};
    std::size_t close = k - 1, open = s.rfind('"', close - 1);
    if (open == std::string_view::npos) return {};
    return s.substr(open + 1, close - open - 1);
  }
  return {};
}

void emit_wild(std::string& out) {
  if (out.size() >= 3 && std::string_view(out).substr(out.size() - 3) == kWild) return;
  if (out.size() >= 4 && std::string_view(out).substr(out.size() - 4, 3) == kWild &&
      std::string_view(".:-/").find(out.back()) != std::string_view::npos) {
    out.pop_back();  // "<*>:" + "<*>" -> "<*>" (IP:port, times, versions)
    return;
  }
  out += kWild;
}

// Masks `s` into `out`; double-quoted strings are looked into only at the top level.
void mask_into(std::string_view s, bool double_quotes, std::string& out) {
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    bool boundary = i == 0 || !alnum(s[i - 1]);
    if (boundary && xdigit(c)) {
      std::size_t n = digit(c) ? match_datetime(s, i) : 0;
      if (n == 0) n = match_hex(s, i);
      if (n == 0 && digit(c)) n = match_number(s, i);
      if (n > 0) {
        emit_wild(out);
        i += n;
        continue;
      }
    }
    if (double_quotes && c == '"') {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
      if (j < s.size()) {
        std::size_t after = j + 1;
        while (after < s.size() && s[after] == ' ') ++after;
        std::string_view content = s.substr(i + 1, j - i - 1);
        if ((after < s.size() && s[after] == ':') || is_message_key(key_before(s, i))) {
          out += '"';
          mask_into(content, false, out);  // a JSON key or a message: keep its words
          out += '"';
        } else {
          emit_wild(out);
        }
        i = j + 1;
        continue;
      }
    }
    if (c == '\'' && boundary) {
      std::size_t j = s.find('\'', i + 1);
      if (j != std::string_view::npos && at_end_of_word(s, j + 1)) {
        emit_wild(out);
        i = j + 1;
        continue;
      }
    }
    if (alnum(c)) {  // copy the whole word so no number inside it is masked
      std::size_t n = run_of(s, i, alnum);
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    out += c;
    ++i;
  }
}

// "key=" of a key=value token (key non-empty), else "".
std::string_view key_of(std::string_view token) {
  auto eq = token.find('=');
  return eq == std::string_view::npos || eq == 0 ? std::string_view() : token.substr(0, eq + 1);
}

bool token_matches(std::string_view tmpl, std::string_view tok) {
  if (tmpl == tok || tmpl == kWild) return true;
  auto k = key_of(tmpl);
  return !k.empty() && tmpl.substr(k.size()) == kWild && key_of(tok) == k;
}

}  // namespace

std::string mask_log_line(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  mask_into(line, true, out);
  return out;
}

struct TemplateMiner::Impl {
  struct Node {
    std::unordered_map<std::string, std::unique_ptr<Node>> children;
    std::vector<std::size_t> templates;  // at leaves
  };
  struct Root {
    Node tree;
    std::vector<std::size_t> all;  // every template of this level and length
  };
  LogPatternOptions options;
  std::unordered_map<std::string, Root> roots;  // level + '\x1f' + token count
  std::vector<std::vector<std::string>> templates;

  Node& leaf(Root& root, const std::vector<std::string_view>& tokens) {
    Node* node = &root.tree;
    for (std::size_t d = 0; d < std::min(options.depth, tokens.size()); ++d) {
      std::string_view k = key_of(tokens[d]);
      std::string key(k.empty() ? tokens[d] : k);
      if (key.find(kWild) != std::string::npos || std::any_of(key.begin(), key.end(), digit)) key = kWild;
      auto it = node->children.find(key);
      if (it == node->children.end()) {
        if (node->children.size() >= options.max_children) key = kWild;
        auto& child = node->children[key];
        if (!child) child = std::make_unique<Node>();
        node = child.get();
      } else {
        node = it->second.get();
      }
    }
    return *node;
  }

  // The most similar template among `ids` if it reaches the threshold, else kNone.
  std::size_t best_of(const std::vector<std::size_t>& ids, const std::vector<std::string_view>& tokens) const {
    std::size_t best = kNone;
    double best_sim = -1;
    for (std::size_t id : ids) {
      const auto& t = templates[id];
      std::size_t same = 0;
      for (std::size_t i = 0; i < tokens.size(); ++i) same += token_matches(t[i], tokens[i]) ? 1 : 0;
      double sim = static_cast<double>(same) / static_cast<double>(tokens.size());
      if (sim > best_sim) {
        best_sim = sim;
        best = id;
      }
    }
    return best_sim >= options.similarity ? best : kNone;
  }

  std::size_t add(const std::vector<std::string_view>& tokens, std::string_view level) {
    Root& root = roots[std::string(level) + '\x1f' + std::to_string(tokens.size())];
    Node& node = leaf(root, tokens);
    std::size_t best = best_of(node.templates, tokens);
    if (best == kNone) {
      // A variable token among the first ones routed the line to another leaf: look wider, and
      // remember the template in this leaf too.
      best = best_of(root.all, tokens);
      if (best != kNone) node.templates.push_back(best);
    }
    if (best != kNone) {
      auto& t = templates[best];
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (token_matches(t[i], tokens[i])) continue;
        auto k = key_of(t[i]);
        t[i] = !k.empty() && key_of(tokens[i]) == k ? std::string(k) + std::string(kWild) : std::string(kWild);
      }
      return best;
    }
    if (templates.size() >= options.max_templates) return kNone;
    templates.emplace_back(tokens.begin(), tokens.end());
    node.templates.push_back(templates.size() - 1);
    root.all.push_back(templates.size() - 1);
    return templates.size() - 1;
  }
};

TemplateMiner::TemplateMiner(LogPatternOptions options) : impl_(std::make_unique<Impl>()) { impl_->options = options; }
TemplateMiner::~TemplateMiner() = default;
TemplateMiner::TemplateMiner(TemplateMiner&&) noexcept = default;
TemplateMiner& TemplateMiner::operator=(TemplateMiner&&) noexcept = default;

std::size_t TemplateMiner::add(std::string_view line, std::string_view level) {
  std::string masked = mask_log_line(line);
  std::vector<std::string_view> tokens;
  std::string_view rest = masked;
  while (tokens.size() < impl_->options.max_tokens) {
    auto b = rest.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) break;
    auto e = rest.find_first_of(" \t\r\n", b);
    tokens.push_back(rest.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    rest = rest.substr(e);
  }
  if (tokens.empty()) return kNone;
  return impl_->add(tokens, level);
}

std::string TemplateMiner::text(std::size_t id) const {
  std::string out;
  for (const auto& t : impl_->templates.at(id)) out += (out.empty() ? "" : " ") + t;
  return out;
}

std::size_t TemplateMiner::size() const { return impl_->templates.size(); }

}  // namespace alertbot::investigators::analysis
