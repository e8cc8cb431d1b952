#include "investigators/analysis/suspect_commits.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_set>

#include "investigators/analysis/commit_clues.hpp"
#include "investigators/analysis/finding_kinds.hpp"

namespace alertbot::investigators::analysis {
namespace {

using namespace clues;

// Strengths per ClueKind (Table, Identifier, Word, Literal, File).
constexpr double kInPath[] = {0.55, 0.5, 0.25, 0, 0};
constexpr double kInLine[] = {0.5, 0.45, 0.15, 0.6, 0};
constexpr double kInMessage[] = {0.15, 0.15, 0.05, 0.2, 0};
constexpr double kLoopAroundQuery = 0.9;  // an added loop around a query on the N+1 table
constexpr double kConfigKeyFromLog = 0.7;  // a changed config key a log pattern names
constexpr double kConfigWordFromLog = 0.45;
constexpr double kProfileFile = 0.7;
constexpr double kOnlyCommit = 0.1;
constexpr std::size_t kMaxLinesPerFile = 4000;

// A commit, read once: the keys of its paths, changed lines and message.
struct Line {
  char kind;  // '+', '-', ' ' or '@' (a hunk header's function context)
  std::string text;  // lower case
};
struct FileView {
  const FileChange* file;
  std::set<std::string> path_keys;
  std::vector<Line> lines;
  std::map<std::string, std::size_t> line_keys;  // key -> first changed line holding it
  std::set<std::string> added_keys;              // keys of added lines
};
struct CommitView {
  std::vector<FileView> files;
  std::set<std::string> message_keys;
  std::string message;  // lower case
  bool config = false;
};

// A line that opens a function or method (Go, Python, JS/TS, Rust, Java/C#/C++ style).
bool is_function_header(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (line.find('(') == std::string_view::npos) return false;
  for (std::string_view k : {"func ", "def ", "async def ", "function ", "async function ", "fn ", "pub fn ", "pub(crate) fn ",
                             "public ", "private ", "protected ", "static ", "void "}) {
    if (line.starts_with(k)) return true;
  }
  return false;
}

CommitView view_of(const Commit& c) {
  CommitView v;
  v.config = is_config_only(c);
  v.message = lower(c.message);
  v.message_keys = keys_in(c.message);
  for (const auto& f : c.files) {
    FileView fv{&f, keys_in(f.path + " " + f.previous_path), {}};
    // Keys of the function the next changed lines sit in: a change inside Charge() is about Charge.
    std::set<std::string> enclosing;
    std::size_t pos = 0;
    while (pos < f.patch.size() && fv.lines.size() < kMaxLinesPerFile) {
      auto nl = f.patch.find('\n', pos);
      std::string_view line(f.patch.data() + pos, (nl == std::string::npos ? f.patch.size() : nl) - pos);
      pos = nl == std::string::npos ? f.patch.size() : nl + 1;
      if (line.starts_with("@@")) {
        // The hunk header's context names the function the change sits in (git's funcname).
        auto close = line.find("@@", 2);
        std::string_view where = close == std::string_view::npos ? std::string_view() : line.substr(close + 2);
        enclosing = keys_in(where);
        if (!where.empty()) fv.lines.push_back(Line{'@', lower(where)});
        continue;
      }
      if (line.empty() || (line[0] != '+' && line[0] != '-' && line[0] != ' ')) continue;
      if (is_function_header(line.substr(1))) enclosing = keys_in(line.substr(1));
      if (line[0] != ' ') {
        for (auto& k : keys_in(line.substr(1))) {
          fv.line_keys.emplace(k, fv.lines.size());
          if (line[0] == '+') fv.added_keys.insert(k);
        }
        for (const auto& k : enclosing) fv.line_keys.emplace(k, fv.lines.size());
      }
      fv.lines.push_back(Line{line[0], lower(line.substr(1))});
    }
    v.files.push_back(std::move(fv));
  }
  return v;
}

bool is_loop(const std::string& l) {
  for (const char* k : {"for ", "for(", "foreach", "for_each", ".each", "while ", "while(", " range ", ".map(", "loop "}) {
    if (l.find(k) != std::string::npos) return true;
  }
  return false;
}

bool is_query(const Line& l) {
  for (const char* k : {"query", "select", "find", "fetch", "exec(", ".get("}) {
    if (l.text.find(k) != std::string::npos) return true;
  }
  return false;
}

// An added loop with, within the next lines, an added query on `table`.
bool loop_around_query(const FileView& fv, const std::string& table) {
  if (!fv.added_keys.count(table)) return false;
  for (std::size_t i = 0; i < fv.lines.size(); ++i) {
    if (fv.lines[i].kind != '+' || !is_loop(fv.lines[i].text)) continue;
    for (std::size_t j = i + 1; j < fv.lines.size() && j <= i + 12; ++j) {
      const Line& l = fv.lines[j];
      if (l.kind == '+' && (is_query(l) || keys_in(l.text).count(table))) return true;
    }
  }
  return false;
}

std::string trim_label(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.erase(0, 1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.pop_back();
  return s;
}

struct Match {
  double strength = 0;
  std::string label;
  const FileChange* file = nullptr;
};

void consider(Match& m, double s, const std::string& label, const FileChange* file) {
  if (s > m.strength) m = Match{s, label, file};
}

Match match_clue(const Clue& clue, const CommitView& v) {
  Match m;
  auto k = static_cast<std::size_t>(clue.kind);
  for (const auto& fv : v.files) {
    if (clue.kind == ClueKind::File) {
      const std::string& p = fv.file->path;
      if (p == clue.text || clue.text.ends_with("/" + p) || p.ends_with("/" + clue.text)) consider(m, kProfileFile, clue.label, fv.file);
      continue;
    }
    const double in_path = clue.kind != ClueKind::Literal && fv.path_keys.count(clue.text) ? kInPath[k] : 0.0;
    if (in_path > 0) consider(m, in_path, clue.label, fv.file);
    const Line* hit = nullptr;
    if (clue.kind == ClueKind::Literal) {
      for (const auto& l : fv.lines) {
        if (l.kind != ' ' && l.text.find(clue.text) != std::string::npos) {
          hit = &l;
          break;
        }
      }
    } else if (auto it = fv.line_keys.find(clue.text); it != fv.line_keys.end()) {
      hit = &fv.lines[it->second];
    }
    if (hit) {
      const Line& l = *hit;
      double s = kInLine[k];
      std::string label = clue.label;
      if (v.config && clue.from_log && clue.kind != ClueKind::Literal) {
        s = clue.kind == ClueKind::Word ? kConfigWordFromLog : kConfigKeyFromLog;
        label = "config key " + trim_label(l.text.substr(0, l.text.find_first_of(":="))) + " (in " + clue.origin + ")";
      }
      // A file named after the clue whose changed lines also hold it: two pieces of evidence.
      consider(m, 1 - (1 - s) * (1 - in_path), label, fv.file);
    }
    if (clue.fanout && loop_around_query(fv, clue.text)) consider(m, kLoopAroundQuery, clue.label, fv.file);
  }
  bool in_message = clue.kind == ClueKind::Literal ? v.message.find(clue.text) != std::string::npos : v.message_keys.count(clue.text) > 0;
  if (in_message && clue.kind != ClueKind::File) consider(m, kInMessage[k], clue.label + " (message)", nullptr);
  return m;
}

std::string short_sha(const std::string& sha) { return sha.substr(0, 7); }

std::string subject_of(const std::string& message) {
  std::string s = message.substr(0, message.find('\n'));
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

struct Scored {
  const Commit* commit;
  double relevance = 0;
  std::vector<std::string> matched;  // strongest first
  const FileChange* file = nullptr;  // where the strongest clue matched
  bool config = false;
};

Scored score(const Commit& c, const Clues& clues) {
  CommitView v = view_of(c);
  Scored out{&c};
  out.config = v.config;
  std::vector<std::pair<double, Match>> hits;
  for (const auto& g : clues.groups) {
    Match best;
    for (const auto& clue : g.clues) {
      Match m = match_clue(clue, v);
      if (m.strength > best.strength) best = m;
    }
    if (best.strength > 0) hits.emplace_back(best.strength * g.weight, best);
  }
  if (v.config && clues.onset > 0) hits.emplace_back(clues.onset, Match{clues.onset, clues.onset_label, nullptr});
  std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  double miss = 1;
  for (const auto& [s, m] : hits) {
    miss *= 1 - std::min(s, 0.99);
    if (std::find(out.matched.begin(), out.matched.end(), m.label) == out.matched.end()) out.matched.push_back(m.label);
    if (!out.file && m.file) out.file = m.file;
  }
  out.relevance = std::min(0.99, 1 - miss);
  return out;
}

Finding to_finding(const Scored& s, const CodeChange& change, int number, bool only) {
  const Commit& c = *s.commit;
  Finding f;
  f.id = "c" + std::to_string(number);
  f.kind = kinds::kCommit;
  f.source = change.backend.empty() ? "git" : change.backend;
  f.link = c.link;
  f.at = c.at;
  f.score = s.relevance > 0 ? s.relevance : kOnlyCommit;
  f.values["relevance"] = f.score;
  std::string files;
  for (std::size_t i = 0; i < c.files.size() && i < 20; ++i) files += (i ? "," : "") + c.files[i].path;
  if (c.files.size() > 20) files += ",... (" + std::to_string(c.files.size()) + " files)";
  std::string matched;
  for (std::size_t i = 0; i < s.matched.size() && i < 3; ++i) matched += (i ? "; " : "") + s.matched[i];
  std::string subject = subject_of(c.message);
  f.attributes = {{"sha", c.sha}, {"deploy_id", change.deploy_id}, {"service", change.service}, {"subject", subject}, {"author", c.author},
                  {"files", files}, {"matched", matched}, {"config", s.config ? "true" : "false"}};
  const FileChange* shown = s.file ? s.file : c.files.empty() ? nullptr : &c.files.front();
  f.title = "Commit " + short_sha(c.sha) + " \"" + subject + "\"" + (c.author.empty() ? "" : " by " + c.author);
  if (shown) f.title += " touches " + shown->path + (c.files.size() > 1 ? " (+" + std::to_string(c.files.size() - 1) + " more)" : "");
  if (!s.matched.empty()) f.title += ", matches " + s.matched.front();
  else if (only) f.title += ", the only commit in deploy " + change.deploy_id;
  char rel[16];
  std::snprintf(rel, sizeof rel, "%.2f", f.score);
  f.detail = (s.config ? "Configuration-only commit. " : "") + std::string("Relevance ") + rel +
             (matched.empty() ? ": no clue from the other findings matched it" : " from: " + matched) + ". Part of " +
             change.base + ".." + change.head + " (deploy " + change.deploy_id + ").";
  return f;
}

}  // namespace

bool is_config_only(const Commit& commit) {
  if (commit.files.empty()) return false;
  for (const auto& f : commit.files) {
    std::string p = lower(f.path);
    std::string base = p.substr(p.rfind('/') == std::string::npos ? 0 : p.rfind('/') + 1);
    bool config = false;
    for (const char* ext : {".yaml", ".yml", ".json", ".toml", ".ini", ".env", ".properties", ".conf", ".cfg"}) {
      if (p.ends_with(ext)) config = true;
    }
    if (base == ".env" || base.starts_with(".env.") || (p.ends_with(".tpl") && p.find("templates/") != std::string::npos)) config = true;
    if (!config) return false;
  }
  return true;
}

std::vector<Finding> rank_commits(const CodeChange& change, const std::vector<Finding>& findings, int first_id) {
  Clues clues = gather_clues(findings, change.service);
  std::vector<Scored> scored;
  for (const auto& c : change.commits) scored.push_back(score(c, clues));
  // Most relevant first; among equals, the newer commit (closer to the deploy) first.
  std::vector<std::size_t> order(scored.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (scored[a].relevance != scored[b].relevance) return scored[a].relevance > scored[b].relevance;
    return a > b;
  });
  std::vector<Finding> out;
  bool only = change.commits.size() == 1;
  for (std::size_t i : order) {
    if (scored[i].relevance <= 0 && !only) continue;
    out.push_back(to_finding(scored[i], change, first_id + static_cast<int>(out.size()), only));
  }
  return out;
}

}  // namespace alertbot::investigators::analysis
