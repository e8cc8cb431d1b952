#include "investigators/analysis/flame_diff.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/units.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators::analysis {
namespace {

constexpr std::size_t kMaxStackText = 500;
constexpr std::string_view kSourceExtensions[] = {"go", "py", "cc", "cpp", "cxx", "c", "h", "hh", "hpp", "hxx", "java",
                                                  "kt", "scala", "rs", "rb", "js", "mjs", "ts", "tsx", "jsx", "php",
                                                  "cs", "swift", "m", "mm", "ex", "exs", "erl", "clj", "lua"};

struct Side {
  double weight = 0;
  std::map<std::string, double> self;
  std::map<std::string, double> total;
  std::map<std::string, std::pair<double, std::string>> heaviest;  // leaf -> (weight, stack)
};

std::string_view leaf_of(std::string_view stack) {
  auto semi = stack.rfind(';');
  return semi == std::string_view::npos ? stack : stack.substr(semi + 1);
}

void add_slice(Side& side, const ProfileSlice& slice) {
  for (const auto& [stack, w] : slice.stacks) {
    if (!(w > 0)) continue;  // also skips NaN
    side.weight += w;
    std::string leaf(leaf_of(stack));
    side.self[leaf] += w;
    auto& h = side.heaviest[leaf];
    if (w > h.first) h = {w, stack};
    std::set<std::string_view> seen;
    std::string_view rest = stack;
    while (!rest.empty()) {
      auto semi = rest.find(';');
      std::string_view frame = rest.substr(0, semi);
      if (seen.insert(frame).second) side.total[std::string(frame)] += w;
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    }
  }
}

double share(const std::map<std::string, double>& m, const std::string& key, double total) {
  auto it = m.find(key);
  return it == m.end() || total <= 0 ? 0 : it->second / total;
}

std::string lower_plain(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t b = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/' || path[i] == '\\') {
      if (i > b) parts.emplace_back(path.substr(b, i - b));
      b = i + 1;
    }
  }
  return parts;
}

bool path_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/' || c == '\\'; }

// A source file path written in a function name ("pricing.py:compute", "src/pricing.cc:42").
std::optional<std::string> source_path_in(std::string_view fn) {
  for (std::size_t dot = fn.find('.'); dot != std::string_view::npos; dot = fn.find('.', dot + 1)) {
    std::size_t e = dot + 1;
    while (e < fn.size() && std::isalnum(static_cast<unsigned char>(fn[e]))) ++e;
    std::string ext = lower_plain(fn.substr(dot + 1, e - dot - 1));
    if (std::find(std::begin(kSourceExtensions), std::end(kSourceExtensions), ext) == std::end(kSourceExtensions)) continue;
    if (e < fn.size() && (fn[e] == '.' || fn[e] == '_')) continue;  // "pricing.c.Foo" is not a path
    std::size_t b = dot;
    while (b > 0 && path_char(fn[b - 1])) --b;
    if (b < dot) return std::string(fn.substr(b, e - b));
  }
  return std::nullopt;
}

// The module parts of a function name, ending with the function's own name, normalised.
std::vector<std::string> module_parts(std::string_view fn) {
  std::string s(fn);
  if (auto clone = s.find(" [clone"); clone != std::string::npos) s.resize(clone);
  for (bool again = true; again;) {  // trailing qualifiers of C++ member functions
    again = false;
    for (std::string_view q : {" const", " noexcept", " volatile", " &&", " &"}) {
      if (s.size() > q.size() && std::string_view(s).substr(s.size() - q.size()) == q) {
        s.resize(s.size() - q.size());
        again = true;
      }
    }
  }
  if (!s.empty() && s.back() == ')') {  // C++/Java argument list
    int depth = 0;
    for (std::size_t i = s.size(); i-- > 0;) {
      depth += s[i] == ')' ? 1 : s[i] == '(' ? -1 : 0;
      if (depth == 0) {
        if (i > 0 && (std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_' || s[i - 1] == '>')) s.resize(i);
        break;
      }
    }
  }
  for (auto lt = s.find('<'); lt != std::string::npos; lt = s.find('<')) {  // template arguments
    int depth = 0;
    std::size_t i = lt;
    for (; i < s.size(); ++i) {
      depth += s[i] == '<' ? 1 : s[i] == '>' ? -1 : 0;
      if (depth == 0) break;
    }
    s.erase(lt, i == s.size() ? std::string::npos : i - lt + 1);
  }
  if (auto sp = s.rfind(' '); sp != std::string::npos) s = s.substr(sp + 1);  // return type
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s + ".") {
    if (std::string_view(".:/\\$()*&#").find(c) != std::string_view::npos) {
      if (!cur.empty()) parts.push_back(lower_plain(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  return parts;
}

// How many trailing parts of `file` equal the parts of `fn` ending at index `end`.
double suffix_match(const std::vector<std::string>& file, const std::vector<std::string>& fn, std::size_t end) {
  std::size_t k = 0;
  while (k < file.size() && k <= end && file[file.size() - 1 - k] == fn[end - k]) ++k;
  return static_cast<double>(k);
}

// The function's own name, its class or receiver type, or its module may name the file (or, as
// in Go, the directory holding it). Matching more trailing path parts scores higher.
double module_score(const std::vector<std::string>& fn, std::string_view path) {
  auto parts = split_path(path);
  if (parts.empty() || fn.empty()) return 0;
  std::string& name = parts.back();
  if (auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) name.resize(dot);
  for (auto& p : parts) p = lower_plain(p);
  auto dirs = parts;
  dirs.pop_back();
  double best = 0;
  for (std::size_t back = 0; back < 3 && back < fn.size(); ++back) {
    std::size_t end = fn.size() - 1 - back;
    best = std::max(best, suffix_match(parts, fn, end));
    if (back > 0) {
      double dir = suffix_match(dirs, fn, end);  // a file in the module's directory (Go packages)
      if (dir > 0) best = std::max(best, dir - 0.5);
    }
  }
  return best;
}

double path_score(std::string_view written, std::string_view path) {
  auto want = split_path(written), have = split_path(path);
  std::size_t k = 0;
  while (k < want.size() && k < have.size() &&
         lower_plain(want[want.size() - 1 - k]) == lower_plain(have[have.size() - 1 - k])) {
    ++k;
  }
  return static_cast<double>(k);
}

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, share >= 0.1 ? "%.0f%%" : "%.1f%%", share * 100);
  return buf;
}

std::string what_of(const std::string& profile_type) {
  if (profile_type.find(":cpu:") != std::string::npos || profile_type.rfind("process_cpu", 0) == 0) return "CPU";
  if (profile_type.find("alloc") != std::string::npos) return "allocations";
  if (profile_type.find("inuse") != std::string::npos) return "in-use memory";
  return "samples";
}

}  // namespace

FlameDiff diff_profiles(const ProfileSample& sample, Time pivot) {
  FlameDiff d;
  d.pivot = pivot;
  d.backend = sample.backend;
  d.profile_type = sample.profile_type;
  d.unit = sample.unit;
  d.link = sample.link;
  Side before, after;
  for (const auto& slice : sample.slices) {
    bool is_after = slice.start + (slice.end - slice.start) / 2 >= pivot;
    add_slice(is_after ? after : before, slice);
    ++(is_after ? d.after_slices : d.before_slices);
  }
  d.before_weight = before.weight;
  d.after_weight = after.weight;
  std::set<std::string> names;
  for (const auto* side : {&before, &after}) {
    for (const auto& [fn, w] : side->total) names.insert(fn);
  }
  for (const auto& fn : names) {
    FunctionShare f;
    f.function = fn;
    f.before_self = share(before.self, fn, before.weight);
    f.after_self = share(after.self, fn, after.weight);
    f.before_total = share(before.total, fn, before.weight);
    f.after_total = share(after.total, fn, after.weight);
    f.growth = f.before_self > 0 ? std::min(kMaxGrowth, f.after_self / f.before_self) : f.after_self > 0 ? kMaxGrowth : 0;
    auto h = after.heaviest.find(fn);
    if (h == after.heaviest.end()) h = before.heaviest.find(fn);
    if (h != before.heaviest.end() && h != after.heaviest.end()) f.stack = h->second.second;
    d.functions.push_back(std::move(f));
  }
  std::stable_sort(d.functions.begin(), d.functions.end(), [](const FunctionShare& x, const FunctionShare& y) {
    return x.after_self - x.before_self > y.after_self - y.before_self;
  });
  return d;
}

std::vector<Finding> profile_findings(const FlameDiff& diff, const std::vector<std::string>& changed_files, int first_id) {
  std::vector<Finding> out;
  if (diff.before_weight <= 0 || diff.after_weight <= 0) return out;
  std::string when = time_of_day(diff.pivot);
  for (const auto& fn : diff.functions) {
    if (out.size() == kMaxProfileFindings) break;
    double rise = fn.after_self - fn.before_self;
    if (rise < kMinShareRise || fn.growth < kMinShareGrowth) continue;
    Finding f;
    f.id = "p" + std::to_string(first_id + static_cast<int>(out.size()));
    f.kind = kinds::kProfileFunction;
    f.source = diff.backend.empty() ? "profiles" : diff.backend;
    f.link = diff.link;
    // A library leaf (regexp.Compile, malloc) is charged to the nearest caller the diff touched.
    std::string file = file_for_function(fn.function, changed_files);
    std::string caller;
    if (file.empty()) {
      std::string_view rest(fn.stack);
      while (!rest.empty() && file.empty()) {
        auto cut = rest.rfind(';');
        std::string_view frame = cut == std::string_view::npos ? rest : rest.substr(cut + 1);
        rest = cut == std::string_view::npos ? std::string_view() : rest.substr(0, cut);
        if (frame == fn.function) continue;
        file = file_for_function(frame, changed_files);
        if (!file.empty()) caller = std::string(frame);
      }
    }
    char growth[32];
    std::snprintf(growth, sizeof growth, fn.growth >= kMaxGrowth ? "new" : "%.1fx", fn.growth);
    f.title = fn.function + " took " + percent(fn.after_self) + " of " + what_of(diff.profile_type) + " after " + when +
              ", up from " + percent(fn.before_self) + " (" + growth + ")" + (caller.empty() ? "" : ", called from " + caller) +
              (file.empty() ? "" : "; changed in " + file);
    f.detail = "Self share " + percent(fn.before_self) + " -> " + percent(fn.after_self) + ", inclusive " +
               percent(fn.before_total) + " -> " + percent(fn.after_total) + " of " + diff.profile_type;
    f.score = std::min(1.0, rise / 0.25) * (file.empty() ? 0.8 : 1.0);
    std::string stack = fn.stack.size() > kMaxStackText ? "..." + fn.stack.substr(fn.stack.size() - kMaxStackText) : fn.stack;
    f.attributes = {{"function", fn.function}, {"stack", stack}};
    if (!file.empty()) f.attributes["file"] = file;
    if (!caller.empty()) f.attributes["caller"] = caller;
    f.values = {{"before_share", fn.before_self}, {"after_share", fn.after_self}, {"growth", fn.growth}};
    out.push_back(std::move(f));
  }
  return out;
}

std::string file_for_function(std::string_view function, const std::vector<std::string>& changed_files) {
  auto written = source_path_in(function);
  auto parts = written ? std::vector<std::string>() : module_parts(function);
  const std::string* best = nullptr;
  double best_score = 0;
  for (const auto& path : changed_files) {
    double score = written ? path_score(*written, path) : module_score(parts, path);
    if (score > best_score) {
      best_score = score;
      best = &path;
    }
  }
  return best ? *best : std::string();
}

}  // namespace alertbot::investigators::analysis
