#include "investigators/analysis/commit_clues.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/analysis/suspect_commits.hpp"

namespace alertbot::investigators::analysis::clues {
namespace {

constexpr std::string_view kStopWords[] = {
    "the", "and", "for", "with", "from", "into", "this", "that", "then", "else", "when", "where", "select", "insert",
    "update", "delete", "values", "set", "get", "put", "post", "http", "https", "www", "com", "org", "error", "errors",
    "err", "failed", "fail", "true", "false", "null", "nil", "none", "func", "function", "return", "var", "let", "const",
    "int", "string", "str", "bool", "void", "new", "value", "request", "response", "req", "resp", "res", "handler",
    "main", "test", "tests", "api", "json", "yaml", "yml", "app", "src", "lib", "pkg", "internal", "cmd", "java", "cpp",
    "hpp", "txt", "not", "all", "any", "was", "are", "has", "have", "will", "can", "use", "after", "before", "per", "via",
    "msg", "level", "info", "warn", "debug", "trace", "span", "ids", "todo", "fix", "add", "remove", "change", "file",
    "code", "data", "call", "self", "def", "class", "public", "private", "static", "import", "package", "include", "std"};

// Match strengths by clue kind: in a file path, in a changed line, in the commit message.
constexpr std::size_t kMinLiteralStatement = 16;  // shorter statements are too generic to quote

}  // namespace

// Not in the header: used here and by clue_words below.
bool is_stop(std::string_view w) {
  static const std::unordered_set<std::string_view> kStop(std::begin(kStopWords), std::end(kStopWords));
  return kStop.count(w) > 0;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Plural to singular, roughly: "items" -> "item", "entries" -> "entry".
std::string stem(std::string w) {
  if (w.size() > 4 && w.ends_with("ies")) return w.substr(0, w.size() - 3) + "y";
  if (w.size() > 3 && w.back() == 's' && w[w.size() - 2] != 's') w.pop_back();
  return w;
}

// "LoadItems", "load_items", "load-items" -> "loaditem".
std::string key_of(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return stem(std::move(out));
}

// Keys of every identifier (runs of letters, digits, '_') and of every word in `text`.
std::set<std::string> keys_in(std::string_view text) {
  std::set<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !std::isalnum(static_cast<unsigned char>(text[i])) && text[i] != '_') ++i;
    std::size_t j = i;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
    if (j > i) {
      std::string k = key_of(text.substr(i, j - i));
      if (k.size() >= 3 && !is_stop(k)) out.insert(k);
      for (auto& w : clue_words(text.substr(i, j - i))) out.insert(stem(w));
    }
    i = j;
  }
  return out;
}

// A key-like name: snake_case, dotted, kebab or camelCase (what config keys and code look like).
static bool key_like(std::string_view t) {
  for (std::size_t i = 1; i + 1 < t.size(); ++i) {
    bool sep = t[i] == '_' || t[i] == '.' || t[i] == '-';
    if (sep && std::isalnum(static_cast<unsigned char>(t[i - 1])) && std::isalnum(static_cast<unsigned char>(t[i + 1]))) return true;
    if (std::islower(static_cast<unsigned char>(t[i - 1])) && std::isupper(static_cast<unsigned char>(t[i]))) return true;
  }
  return false;
}


namespace {



std::string attr(const Finding& f, const char* k) {
  auto it = f.attributes.find(k);
  return it == f.attributes.end() ? std::string() : it->second;
}

void add_identifier(ClueGroup& g, std::string_view name, const std::string& label, bool from_log = false) {
  std::string k = key_of(name);
  if (k.size() >= 3 && !is_stop(k)) g.clues.push_back({ClueKind::Identifier, k, label, false, from_log});
  for (auto& w : clue_words(name)) g.clues.push_back({ClueKind::Word, stem(w), label + " (word \"" + w + "\")", false, from_log});
}

void add_sql(ClueGroup& g, const std::string& statement, bool fanout, const char* why = nullptr) {
  std::string verb = lower(statement.substr(0, statement.find(' ')));
  for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string suffix = why ? why : fanout ? " (N+1)" : " (slower)";
  for (const auto& t : sql_tables(statement)) {
    g.clues.push_back({ClueKind::Table, key_of(t), verb + " " + t + suffix, fanout});
    // The statement itself in an added line is stronger than its table's name.
    if (statement.size() >= kMinLiteralStatement) {
      g.clues.push_back({ClueKind::Literal, lower(statement), "the statement " + verb + " " + t + suffix, fanout});
    }
  }
}

// Values in a log line (200ms, 2s, v2, 5xx) that a configuration change may have set: runs of
// letters and digits holding both, or numbers with a unit.
void add_log_values(ClueGroup& g, const std::string& example, const std::string& origin) {
  std::size_t i = 0;
  while (i < example.size()) {
    while (i < example.size() && !std::isalnum(static_cast<unsigned char>(example[i]))) ++i;
    std::size_t j = i;
    bool digit = false, alpha = false;
    while (j < example.size() && (std::isalnum(static_cast<unsigned char>(example[j])) || example[j] == '.')) {
      digit = digit || std::isdigit(static_cast<unsigned char>(example[j]));
      alpha = alpha || std::isalpha(static_cast<unsigned char>(example[j]));
      ++j;
    }
    std::string_view tok(example.data() + i, j - i);
    if (digit && alpha && tok.size() >= 3 && tok.size() <= 24 && std::isdigit(static_cast<unsigned char>(tok.front()))) {
      g.clues.push_back({ClueKind::Literal, lower(tok), "value " + std::string(tok) + " (in " + origin + ")", false, true, origin});
    }
    i = j;
  }
}

// Literal phrases and key-like names of a log template ("<*>" marks the variable parts).
void add_log_template(ClueGroup& g, const std::string& tmpl) {
  std::vector<std::string> phrases;
  std::size_t start = 0;
  while (start <= tmpl.size()) {
    auto end = std::min(tmpl.find("<*>", start), tmpl.find('"', start));
    std::string piece = tmpl.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!piece.empty() && std::string_view(" :,;=()[]'").find(piece.back()) != std::string_view::npos) piece.pop_back();
    while (!piece.empty() && std::string_view(" :,;=()[]'").find(piece.front()) != std::string_view::npos) piece.erase(0, 1);
    if (piece.size() >= 8 && piece.find(' ') != std::string::npos && piece.find('=') == std::string::npos) phrases.push_back(piece);
    if (end == std::string::npos) break;
    start = end + (tmpl.compare(end, 3, "<*>") == 0 ? 3 : 1);
  }
  std::string brief = phrases.empty() ? tmpl.substr(0, 40) + (tmpl.size() > 40 ? "..." : "") : phrases.front();
  std::string label = "log \"" + brief + "\"";
  for (const auto& p : phrases) g.clues.push_back({ClueKind::Literal, lower(p), "log \"" + p + "\"", false, true, label});
  std::size_t i = 0;
  while (i < tmpl.size()) {  // tokens: runs of letters, digits, '_', '.', '-'
    while (i < tmpl.size() && !std::isalnum(static_cast<unsigned char>(tmpl[i]))) ++i;
    std::size_t j = i;
    while (j < tmpl.size() && (std::isalnum(static_cast<unsigned char>(tmpl[j])) || std::string_view("_.-").find(tmpl[j]) != std::string_view::npos)) ++j;
    std::string_view tok(tmpl.data() + i, j - i);
    if (key_like(tok)) g.clues.push_back({ClueKind::Identifier, key_of(tok), "log key " + std::string(tok), false, true, label});
    for (auto& w : clue_words(tok)) g.clues.push_back({ClueKind::Word, stem(w), label + " (word \"" + w + "\")", false, true, label});
    i = j;
  }
}


}  // namespace

Clues gather_clues(const std::vector<Finding>& findings, const std::string& service) {
  Clues out;
  for (const auto& f : findings) {
    ClueGroup g;
    g.weight = 0.5 + 0.5 * std::clamp(f.score, 0.0, 1.0);
    const std::string op = attr(f, "operation");
    if (f.kind == kinds::kOnset) {
      std::string metric = attr(f, "metric");
      double s = metric == "errors" ? 0.35 : metric == "latency" || metric == "saturation" ? 0.15 : 0.0;
      if (s * g.weight > out.onset) {
        out.onset = s * g.weight;
        out.onset_label = (metric == "errors" ? "error-rate" : metric) + " onset";
      }
    } else if (f.kind == kinds::kFanout || f.kind == kinds::kSpanLatency) {
      bool fanout = f.kind == kinds::kFanout;
      add_sql(g, attr(f, "db_statement"), fanout);
      if (!op.empty()) add_identifier(g, op, "operation " + op + (fanout ? " (N+1)" : " (slower)"));
      for (auto& w : clue_words(attr(f, "http_route"))) g.clues.push_back({ClueKind::Word, stem(w), "route " + attr(f, "http_route")});
    } else if (f.kind == kinds::kNewCall) {
      if (!attr(f, "db_statement").empty()) add_sql(g, attr(f, "db_statement"), false, " (new call)");
      if (!attr(f, "peer_service").empty()) add_identifier(g, attr(f, "peer_service"), "new call to " + attr(f, "peer_service"));
      if (!op.empty()) add_identifier(g, op, "new call " + op);
    } else if (f.kind == kinds::kSpanErrors) {
      if (!op.empty()) add_identifier(g, op, "errors in " + op);
    } else if (f.kind == kinds::kDependency) {
      if (attr(f, "service") != service && !attr(f, "service").empty()) add_identifier(g, attr(f, "service"), "dependency " + attr(f, "service"));
    } else if (f.kind == kinds::kLogPattern) {
      add_log_template(g, attr(f, "template"));
      add_log_values(g, attr(f, "example"), "log \"" + attr(f, "template").substr(0, 40) + "\"");
    } else if (f.kind == kinds::kProfileFunction) {
      std::string fn = attr(f, "function");
      auto cut = fn.find_last_of(".:/)");
      std::string last = cut == std::string::npos ? fn : fn.substr(cut + 1);
      if (!last.empty()) add_identifier(g, last, "hot function " + fn);
      const std::string caller = attr(f, "caller");
      if (!caller.empty()) {
        auto ccut = caller.find_last_of(".:/)");
        add_identifier(g, ccut == std::string::npos ? caller : caller.substr(ccut + 1), "hot function " + fn + " called from " + caller);
      }
      const std::string who = caller.empty() ? fn : caller;
      if (!attr(f, "file").empty()) g.clues.push_back({ClueKind::File, attr(f, "file"), "hot function " + who + " in " + attr(f, "file")});
    }
    if (!g.clues.empty()) out.groups.push_back(std::move(g));
  }
  return out;
}


}  // namespace alertbot::investigators::analysis::clues

namespace alertbot::investigators::analysis {

using clues::is_stop;
using clues::lower;

std::vector<std::string> clue_words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string w = lower(cur);
    if (w.size() >= 3 && !is_stop(w) && std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
    cur.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!std::isalnum(c)) {
      flush();
      continue;
    }
    bool boundary = !cur.empty() && std::isupper(c) &&
                    (std::islower(static_cast<unsigned char>(cur.back())) ||
                     (i + 1 < text.size() && std::islower(static_cast<unsigned char>(text[i + 1])) && std::isupper(static_cast<unsigned char>(cur.back()))));
    bool digit_edge = !cur.empty() && (std::isdigit(c) != 0) != (std::isdigit(static_cast<unsigned char>(cur.back())) != 0);
    if (boundary || digit_edge) flush();
    cur += static_cast<char>(c);
  }
  flush();
  return out;
}

std::vector<std::string> sql_tables(std::string_view statement) {
  std::vector<std::string> out;
  std::string s = lower(statement);
  for (const char* kw : {"from", "join", "update", "into"}) {
    std::size_t pos = 0;
    std::string k(kw);
    while ((pos = s.find(k, pos)) != std::string::npos) {
      bool word_start = pos == 0 || !std::isalnum(static_cast<unsigned char>(s[pos - 1]));
      std::size_t after = pos + k.size();
      pos = after;
      if (!word_start || after >= s.size() || !std::isspace(static_cast<unsigned char>(s[after]))) continue;
      while (after < s.size() && (std::isspace(static_cast<unsigned char>(s[after])) || s[after] == '"' || s[after] == '`')) ++after;
      std::size_t end = after;
      while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_' || s[end] == '.')) ++end;
      std::string name = s.substr(after, end - after);
      if (auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
      if (name.size() >= 2 && name != "select" && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
  }
  return out;
}


}  // namespace alertbot::investigators::analysis
