// The page's differential sections: the trace differential table and the suspect deploy's code.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <vector>

#include "bot/report_page_html.hpp"

namespace alertbot::bot::page {
namespace {

constexpr std::size_t kMaxPatchBytes = 64 * 1024;  // per file; the rest is cut with a note
constexpr std::size_t kMaxCommits = 50;

std::string change_cell(double before, double after) {
  const double d = after - before;
  std::string cls = d > 0 ? "grew" : d < 0 ? "shrank" : "";
  std::string text = (d > 0 ? "+" : "") + fmt_ms(d);
  if (before > 0) text += " (" + fmt(after / before) + "x)";
  return "<td class=\"n " + cls + "\">" + text + "</td>";
}

// Words of the commit ranking's matched clues ("SELECT products (N+1); hot function a/b.Fn in
// x/y.go") that can be looked for in a hunk's changed lines: identifiers of 4+ characters, the last
// segment of dotted or slashed names, and file paths (kept whole).
struct Terms {
  std::set<std::string> words;  // lower case
  std::set<std::string> paths;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Terms terms_of(std::string_view matched) {
  static const std::set<std::string> kStop = {
      "select", "insert", "update", "delete", "from", "where", "into", "join", "operation", "slower", "statement",
      "call", "calls", "errors", "error", "dependency", "function", "called", "word", "value", "config", "route",
      "message", "onset", "latency", "rate", "with", "saturation", "traffic", "error-rate"};
  Terms t;
  std::size_t i = 0;
  while (i < matched.size()) {
    while (i < matched.size() && (std::isspace(static_cast<unsigned char>(matched[i])) || std::string_view("();\"'").find(matched[i]) != std::string_view::npos)) ++i;
    std::size_t j = i;
    while (j < matched.size() && !std::isspace(static_cast<unsigned char>(matched[j])) && std::string_view("();\"'").find(matched[j]) == std::string_view::npos) ++j;
    std::string word(matched.substr(i, j - i));
    i = j;
    const auto slash = word.rfind('/');
    const auto dot = word.rfind('.');
    const bool path_like = slash != std::string::npos && dot != std::string::npos && dot > slash && word.size() - dot <= 5;
    if (path_like) {
      t.paths.insert(word);
      continue;
    }
    if (slash != std::string::npos) word = word.substr(slash + 1);
    if (auto d = word.rfind('.'); d != std::string::npos) word = word.substr(d + 1);
    std::string w = lower(word);
    bool ident = w.size() >= 4 && std::all_of(w.begin(), w.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    if (ident && !kStop.count(w)) t.words.insert(w);
  }
  return t;
}

bool hunk_matches(std::string_view hunk, const Terms& terms) {
  std::size_t start = 0;
  while (start < hunk.size()) {
    auto end = hunk.find('\n', start);
    std::string_view line = hunk.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && (line[0] == '+' || line[0] == '-')) {
      const std::string l = lower(line);
      for (const auto& w : terms.words) {
        if (l.find(w) != std::string::npos) return true;
      }
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return false;
}

std::vector<std::string> hunks_of(std::string_view patch) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < patch.size()) {
    auto next = patch.find("\n@@", start);
    const std::size_t end = next == std::string_view::npos ? patch.size() : next + 1;
    out.emplace_back(patch.substr(start, end - start));
    start = end;
  }
  return out;
}

std::string render_hunk(const std::string& hunk, bool highlight) {
  std::string out = std::string("<pre class=\"hunk") + (highlight ? " highlight\" title=\"matched by the commit ranking" : "") + "\">";
  std::size_t start = 0;
  while (start < hunk.size()) {
    auto end = hunk.find('\n', start);
    std::string line = hunk.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const char k = line.empty() ? ' ' : line[0];
    const char* cls = k == '+' ? "add" : k == '-' ? "del" : k == '@' ? "at" : nullptr;
    out += cls ? std::string("<span class=\"") + cls + "\">" + esc(line) + "</span>\n" : esc(line) + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out + "</pre>";
}

// The files of one commit with their hunks. Patches come as commit.patches[] = {path, patch} or as
// files[] objects with a patch; plain file names are listed without hunks.
std::string render_files(const json::object& commit, const Terms& terms, bool ranked) {
  struct File {
    std::string path, patch;
  };
  std::vector<File> files;
  auto add = [&](const json::value& v) {
    if (v.is_string()) {
      files.push_back({std::string(v.get_string()), ""});
    } else if (const json::object* o = v.if_object()) {
      std::string path = str_at(o, "path"), patch = str_at(o, "patch");
      for (auto& f : files) {
        if (f.path == path && f.patch.empty()) {
          f.patch = patch;
          return;
        }
      }
      files.push_back({path, patch});
    }
  };
  if (const json::array* a = arr_at(&commit, "files")) for (const auto& v : *a) add(v);
  if (const json::array* a = arr_at(&commit, "patches")) for (const auto& v : *a) add(v);
  std::string out;
  for (const auto& f : files) {
    out += "<div class=\"file\">" + esc(f.path) + "</div>";
    std::string patch = f.patch.substr(0, kMaxPatchBytes);
    std::vector<std::string> hunks = hunks_of(patch);
    bool any = false;
    std::vector<bool> lit(hunks.size(), false);
    for (std::size_t i = 0; ranked && i < hunks.size(); ++i) any = any || (lit[i] = hunk_matches(hunks[i], terms));
    // A clue naming the file (a hot function's file) with no word in any hunk: its first hunk.
    if (ranked && !any && !hunks.empty() && terms.paths.count(f.path)) lit[0] = true;
    for (std::size_t i = 0; i < hunks.size(); ++i) out += render_hunk(hunks[i], lit[i]);
    if (f.patch.size() > kMaxPatchBytes) out += "<div class=\"muted\">(patch cut at 64 KB)</div>";
  }
  return out;
}

}  // namespace

std::string render_trace_diff(const json::object& r) {
  const json::array* fs = arr_at(&r, "findings");
  if (!fs) return "";
  std::string rows;
  for (const auto& v : *fs) {
    const json::object* f = v.if_object();
    const json::object* d = obj_at(f, "data");
    const std::string kind = str_at(f, "kind");
    const std::string id = str_at(f, "id");
    const std::string ref = "<a href=\"#" + anchor(id) + "\">" + esc(id) + "</a>";
    auto share = num_at(d, "share");
    const std::string share_cell = "<td class=\"n\">" + (share ? fmt_pct(*share) : std::string()) + "</td>";
    if (kind == "span_latency") {
      const double b = num_at(d, "before_self_ms").value_or(0), a = num_at(d, "after_self_ms").value_or(0);
      rows += "<tr><td>" + ref + "</td><td>" + esc(str_at(d, "service") + ":" + str_at(d, "operation")) + "</td><td class=\"n\">" + fmt_ms(b) +
              "</td><td class=\"n\">" + fmt_ms(a) + "</td>" + change_cell(b, a) + share_cell + "</tr>";
    } else if (kind == "dependency") {
      const double b = num_at(d, "before_ms").value_or(0), a = num_at(d, "after_ms").value_or(0);
      rows += "<tr><td>" + ref + "</td><td>calls to " + esc(str_at(d, "service")) + "</td><td class=\"n\">" + fmt_ms(b) + "</td><td class=\"n\">" +
              fmt_ms(a) + "</td>" + change_cell(b, a) + share_cell + "</tr>";
    } else if (kind == "fanout" || kind == "new_call") {
      const double b = num_at(d, "before_per_trace").value_or(0), a = num_at(d, "after_per_trace").value_or(0);
      rows += "<tr><td>" + ref + "</td><td>" + esc(str_at(d, "service") + ":" + str_at(d, "operation")) + " <span class=\"muted\">(" +
              (kind == "fanout" ? "calls per request" : "new call, per request") + ")</span></td><td class=\"n\">" + fmt(b) + "x</td><td class=\"n\">" +
              fmt(a) + "x</td><td class=\"n grew\">" + (b > 0 ? fmt(a / b) + "x" : "new") + "</td><td></td></tr>";
    }
  }
  if (rows.empty()) return "";
  return "<section id=\"trace-diff\"><h2>Trace differential</h2><table><tr><th>finding</th><th>operation</th><th class=\"n\">before (self)</th>"
         "<th class=\"n\">after (self)</th><th class=\"n\">change</th><th class=\"n\">share of the rise</th></tr>" + rows + "</table></section>";
}

std::string render_suspect_diff(const json::object& r) {
  const json::array* changes = arr_at(&r, "changes");
  if (!changes || changes->empty()) return "";
  // The ranking's verdict on each commit: sha -> (finding id, matched clues, relevance).
  struct Ranked {
    std::string id, matched;
    double relevance = 0;
  };
  std::vector<std::pair<std::string, Ranked>> ranked;
  if (const json::array* fs = arr_at(&r, "findings")) {
    for (const auto& v : *fs) {
      const json::object* d = obj_at(v.if_object(), "data");
      if (str_at(v.if_object(), "kind") == "commit" && !str_at(d, "sha").empty()) {
        ranked.push_back({str_at(d, "sha"), {str_at(v.if_object(), "id"), str_at(d, "matched"), num_at(d, "relevance").value_or(0)}});
      }
    }
  }
  std::string suspect;
  if (const json::array* causes = arr_at(&r, "causes"); causes && !causes->empty()) suspect = str_at(obj_at(as_obj(&causes->front()), "suspect"), "ref");
  std::string out;
  std::size_t shown = 0;
  for (const auto& cv : *changes) {
    const json::object* c = cv.if_object();
    if (!c) continue;
    out += "<h3>" + esc(str_at(c, "service")) + " " + esc(str_at(c, "base").substr(0, 12)) + ".." + esc(str_at(c, "head").substr(0, 12)) +
           " <span class=\"muted\">(deploy " + esc(str_at(c, "deploy_id")) + ")</span> " + link(str_at(c, "link"), "compare") + "</h3>";
    if (str_at(c, "truncated") == "true") out += "<div class=\"muted\">The backend capped the commits or files.</div>";
    const json::array* commits = arr_at(c, "commits");
    if (!commits) continue;
    for (const auto& mv : *commits) {
      const json::object* m = mv.if_object();
      if (!m || shown++ >= kMaxCommits) continue;
      const std::string sha = str_at(m, "sha");
      const Ranked* rk = nullptr;
      for (const auto& [s, info] : ranked) {
        if (s == sha) rk = &info;
      }
      const bool is_suspect = !sha.empty() && sha == suspect;
      out += std::string("<div class=\"commit") + (is_suspect ? " suspect" : "") + "\"><div><code>" + link(str_at(m, "link"), sha.substr(0, 10)) +
             "</code> <b>" + esc(str_at(m, "subject")) + "</b> <span class=\"muted\">" + esc(str_at(m, "author")) + " " +
             esc(fmt_time(str_at(m, "at"))) + "</span>" + (is_suspect ? " <span class=\"badge sev-page\">suspect</span>" : "") + "</div>";
      if (rk) {
        out += "<div class=\"muted\">relevance " + fmt(rk->relevance) + " (<a href=\"#" + anchor(rk->id) + "\">" + esc(rk->id) + "</a>)" +
               (rk->matched.empty() ? "" : ": matches " + esc(rk->matched)) + "</div>";
      }
      out += render_files(*m, rk ? terms_of(rk->matched) : Terms{}, rk && !rk->matched.empty()) + "</div>";
    }
  }
  return "<section id=\"diff\"><h2>Suspect code</h2><p class=\"muted\">Hunks whose changed lines hold what the commit ranking matched are "
         "<span class=\"hl-key\">outlined</span>.</p>" + out + "</section>";
}

}  // namespace alertbot::bot::page
