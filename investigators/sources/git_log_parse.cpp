#include "investigators/sources/git_log_parse.hpp"

#include <cctype>

#include "net/time_format.hpp"

namespace alertbot::investigators {
namespace {

// Starts every record; diff lines never start with \x01 (they start with ' ', '+', '-', '\\').
constexpr std::string_view kMarker = "\x01\x02" "ALERTBOT-COMMIT\x02\n";

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A path as git prints it: bare, or in double quotes with C escapes (\t, \", \\, \ooo octal).
std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] != '\\' || i + 2 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    if (c >= '0' && c <= '7' && i + 2 < s.size()) {
      out += static_cast<char>(((c - '0') << 6) | ((s[i + 1] - '0') << 3) | (s[i + 2] - '0'));
      i += 2;
    } else {
      static constexpr std::string_view kFrom = "abtnvfr", kTo = "\a\b\t\n\v\f\r";
      auto k = kFrom.find(c);
      out += k == std::string_view::npos ? c : kTo[k];
    }
  }
  return out;
}

std::string strip_prefix(std::string path, char side) {
  if (path.size() > 2 && path[0] == side && path[1] == '/') path.erase(0, 2);
  return path;
}

// The path of "diff --git a/P b/P" (both sides equal unless renamed; renames say so later).
std::string path_of_diff_line(std::string_view rest) {
  if (!rest.empty() && rest.front() == '"') {
    auto end = rest.find("\" ", 1);
    return end == std::string_view::npos ? std::string() : strip_prefix(unquote(rest.substr(0, end + 1)), 'a');
  }
  if (rest.size() >= 5 && (rest.size() - 5) % 2 == 0) {
    std::size_t n = (rest.size() - 5) / 2;
    if (starts_with(rest, "a/") && rest.substr(n + 2, 3) == " b/" && rest.substr(2, n) == rest.substr(n + 5)) {
      return std::string(rest.substr(2, n));
    }
  }
  auto b = rest.rfind(" b/");
  return b == std::string_view::npos ? std::string(rest) : std::string(rest.substr(b + 3));
}

// A line of a file's extended header (between "diff --git" and the first hunk).
void header_line(std::string_view line, FileChange& f) {
  if (starts_with(line, "new file mode")) {
    f.status = "added";
  } else if (starts_with(line, "deleted file mode")) {
    f.status = "removed";
  } else if (starts_with(line, "rename from ")) {
    f.previous_path = unquote(line.substr(12));
    f.status = "renamed";
  } else if (starts_with(line, "rename to ")) {
    f.path = unquote(line.substr(10));
  } else if (starts_with(line, "copy from ")) {
    f.previous_path = unquote(line.substr(10));
    f.status = "copied";
  } else if (starts_with(line, "copy to ")) {
    f.path = unquote(line.substr(8));
  } else if (starts_with(line, "+++ ") && line.substr(4) != "/dev/null") {
    std::string_view p = line.substr(4);
    if (!p.empty() && p.back() == '\t') p.remove_suffix(1);  // git adds a tab after names with spaces
    f.path = strip_prefix(unquote(p), 'b');
  } else if (starts_with(line, "Binary files ") || starts_with(line, "GIT binary patch")) {
    f.patch_missing = true;
  }
}

void parse_diff(std::string_view diff, std::size_t max_patch, Commit& c) {
  FileChange* cur = nullptr;
  bool in_hunk = false;
  std::size_t pos = 0;
  while (pos < diff.size()) {
    auto nl = diff.find('\n', pos);
    std::string_view line = diff.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? diff.size() : nl + 1;
    if (starts_with(line, "diff --git ")) {
      c.files.push_back(FileChange{path_of_diff_line(line.substr(11)), "", "modified"});
      cur = &c.files.back();
      in_hunk = false;
      continue;
    }
    if (!cur || line.empty()) continue;
    if (!in_hunk) {
      header_line(line, *cur);
      if (!starts_with(line, "@@")) continue;
      in_hunk = true;
    }
    if (line.front() == '+') ++cur->additions;
    else if (line.front() == '-') ++cur->deletions;
    if (!cur->patch_missing && cur->patch.size() + line.size() + 1 <= max_patch) {
      cur->patch.append(line.data(), line.size());
      cur->patch += '\n';
    } else {
      cur->patch_missing = true;  // cut here; the counts stay exact
    }
  }
}

bool is_hex40(std::string_view s) {
  if (s.size() != 40) return false;
  for (char ch : s) {
    if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
  }
  return true;
}

// One record: "sha\0author\0date\0message\0" then the patch.
Result<Commit> parse_record(std::string_view rec, std::size_t index, std::size_t max_patch) {
  std::string where = "git log record " + std::to_string(index);
  std::string_view fields[4];
  std::size_t pos = 0;
  for (auto& f : fields) {
    auto nul = rec.find('\0', pos);
    if (nul == std::string_view::npos) return fail(Errc::ParseError, where + ": header cut short");
    f = rec.substr(pos, nul - pos);
    pos = nul + 1;
  }
  Commit c;
  if (!is_hex40(fields[0])) return fail(Errc::ParseError, where + ".sha: expected 40 hex digits");
  c.sha = std::string(fields[0]);
  c.author = std::string(fields[1].substr(0, 200));
  auto t = parse_rfc3339(fields[2]);
  if (!t) return fail(Errc::ParseError, where + ".date: expected an ISO 8601 time, got \"" + std::string(fields[2].substr(0, 40)) + "\"");
  c.at = *t;
  c.message = std::string(fields[3].substr(0, 16 * 1024));
  while (!c.message.empty() && (c.message.back() == '\n' || c.message.back() == ' ')) c.message.pop_back();
  parse_diff(rec.substr(pos), max_patch, c);
  return c;
}

}  // namespace

std::string git_log_format() { return "%x01%x02ALERTBOT-COMMIT%x02%n%H%x00%an%x00%aI%x00%B%x00"; }

Result<std::vector<Commit>> parse_git_log(std::string_view text, std::size_t max_patch_bytes, bool partial) {
  std::vector<Commit> out;
  if (text.empty()) return out;
  if (!starts_with(text, kMarker)) return fail(Errc::ParseError, "git log: output does not start with a commit record");
  std::size_t start = kMarker.size();
  while (start <= text.size()) {
    std::size_t next = start;
    for (;;) {  // the next marker at the start of a line
      next = text.find(kMarker, next);
      if (next == std::string_view::npos || text[next - 1] == '\n') break;
      ++next;
    }
    std::string_view rec = text.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start);
    auto c = parse_record(rec, out.size(), max_patch_bytes);
    if (!c) {
      if (partial && next == std::string_view::npos) break;  // the cut-off last record
      return c.error();
    }
    out.push_back(std::move(*c));
    if (next == std::string_view::npos) break;
    start = next + kMarker.size();
  }
  if (partial && !out.empty() && !out.back().files.empty()) out.back().files.back().patch_missing = true;
  return out;
}

bool is_safe_revision(std::string_view rev) {
  if (rev.empty() || rev.size() > 255 || rev.front() == '-' || rev.front() == '.' || rev.front() == '/') return false;
  if (rev.find("..") != std::string_view::npos) return false;
  // A trailing '.' would turn "a" + ".." + "b" into git's symmetric range "a...b".
  if (rev.back() == '.' || rev.back() == '/' || rev.ends_with(".lock")) return false;
  for (char ch : rev) {
    bool ok = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '/' || ch == '-' || ch == '+';
    if (!ok) return false;
  }
  return true;
}

}  // namespace alertbot::investigators
