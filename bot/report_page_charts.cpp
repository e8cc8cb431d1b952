// The page's drawings: timeline, metric charts, differential icicle graph (inline SVG).
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

#include "bot/report_page_html.hpp"

namespace alertbot::bot::page {
namespace {

constexpr double kWidth = 960;
constexpr std::size_t kMaxPoints = 600;   // a chart's polyline is thinned to this many points
constexpr std::size_t kMaxCharts = 12;
constexpr std::size_t kMaxIcicleDepth = 16;
constexpr std::size_t kMaxIcicleNodes = 400;

std::string xy(double x, double y) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x, y);
  return buf;
}

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// "13:42 UTC" for an axis end.
std::string clock_time(double unix_seconds) {
  std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M UTC", &tm);
  return buf;
}

struct Mark {
  double t;
  std::string label;
  std::string color;
};

// Deploys, onset, alert start and the report time, each with when it happened (unix seconds).
std::vector<Mark> marks_of(const json::object& r) {
  std::vector<Mark> out;
  if (const json::array* ds = arr_at(&r, "deploys")) {
    for (const auto& d : *ds) {
      const json::object* o = d.if_object();
      if (auto t = unix_time(str_at(o, "at"))) out.push_back({*t, "deploy " + str_at(o, "service") + " " + str_at(o, "version").substr(0, 12), "#6a1b9a"});
    }
  }
  if (auto t = unix_time(str_at(&r, "onset"))) out.push_back({*t, "onset", "#c62828"});
  if (auto t = unix_time(str_at(obj_at(&r, "alert"), "starts_at"))) out.push_back({*t, "alert", "#ef6c00"});
  if (auto t = unix_time(str_at(obj_at(&r, "window"), "end"))) out.push_back({*t, "report", "#1d2330"});
  std::stable_sort(out.begin(), out.end(), [](const Mark& a, const Mark& b) { return a.t < b.t; });
  return out;
}

std::string vline(double x, double top, double bottom, const std::string& color, const std::string& title) {
  return "<line x1=\"" + px(x) + "\" x2=\"" + px(x) + "\" y1=\"" + px(top) + "\" y2=\"" + px(bottom) + "\" stroke=\"" + color +
         "\" stroke-dasharray=\"4 3\" stroke-width=\"1.5\"><title>" + esc(title) + "</title></line>";
}

std::string chart(const json::object& s, const std::vector<Mark>& marks, double t0, double t1) {
  const json::array* pts = arr_at(&s, "points");
  if (!pts) return "";
  std::vector<std::pair<double, double>> p;
  const std::size_t step = std::max<std::size_t>(1, pts->size() / kMaxPoints);
  for (std::size_t i = 0; i < pts->size(); i += step) {
    const json::array* pt = (*pts)[i].if_array();
    if (!pt || pt->size() < 2) continue;
    auto t = num(&(*pt)[0]), v = num(&(*pt)[1]);
    if (t && v) p.emplace_back(*t, *v);
  }
  if (p.empty()) return "";
  double lo = p.front().second, hi = lo;
  for (const auto& [t, v] : p) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(t1 > t0)) t0 = p.front().first, t1 = std::max(p.back().first, t0 + 1);
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) hi = lo + std::max(1.0, std::fabs(lo)) * 0.1;
  const double left = 70, right = kWidth - 10, top = 10, bottom = 150;
  auto x_at = [&](double t) { return left + (right - left) * std::clamp((t - t0) / (t1 - t0), 0.0, 1.0); };
  auto y_at = [&](double v) { return bottom - (bottom - top) * (v - lo) / (hi - lo); };
  const std::string unit = str_at(&s, "unit");
  std::string out = "<svg class=\"chart\" viewBox=\"0 0 " + px(kWidth) + " 175\" role=\"img\" aria-label=\"" + esc(str_at(&s, "name")) + "\">";
  out += "<rect x=\"" + px(left) + "\" y=\"" + px(top) + "\" width=\"" + px(right - left) + "\" height=\"" + px(bottom - top) + "\" fill=\"#fafbfc\" stroke=\"#dde1e7\"/>";
  out += "<text x=\"" + px(left - 4) + "\" y=\"" + px(top + 10) + "\" text-anchor=\"end\">" + esc(fmt(hi)) + "</text>";
  out += "<text x=\"" + px(left - 4) + "\" y=\"" + px(bottom) + "\" text-anchor=\"end\">" + esc(fmt(lo)) + "</text>";
  out += "<text x=\"4\" y=\"" + px((top + bottom) / 2) + "\">" + esc(unit.substr(0, 10)) + "</text>";
  int row = 0;
  for (const auto& m : marks) {
    if (m.t < t0 || m.t > t1 || m.label == "report") continue;
    const double x = x_at(m.t);
    out += vline(x, top, bottom, m.color, m.label);
    // Labels alternate rows and sit left of their line near the right edge, so close marks stay readable.
    const bool flip = x > right - 160;
    out += "<text x=\"" + px(flip ? x - 3 : x + 3) + "\" y=\"" + px(top + 12 + 13 * (row++ % 3)) + "\" fill=\"" + m.color + "\"" +
           (flip ? " text-anchor=\"end\"" : "") + ">" + esc(m.label.substr(0, 40)) + "</text>";
  }
  out += "<text x=\"" + px(left) + "\" y=\"168\">" + clock_time(t0) + "</text><text x=\"" + px(right) + "\" y=\"168\" text-anchor=\"end\">" +
         clock_time(t1) + "</text>";
  out += "<polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"1.5\" points=\"";
  for (const auto& [t, v] : p) out += xy(x_at(t), y_at(v));
  out += "\"/>";
  return out + "</svg>";
}

// --- Differential icicle ---

struct Node {
  std::string name;
  double before = 0, after = 0;  // self values
  std::vector<std::unique_ptr<Node>> children;
  double width = 0;  // max(before, after) of the subtree, and at least its children's sum
  double total_before = 0, total_after = 0;
};

Node* child(Node& n, const std::string& name, std::size_t& count) {
  for (auto& c : n.children) {
    if (c->name == name) return c.get();
  }
  if (count >= kMaxIcicleNodes) return nullptr;
  ++count;
  n.children.push_back(std::make_unique<Node>());
  n.children.back()->name = name;
  return n.children.back().get();
}

void add_path(Node& root, const std::vector<std::string>& path, double before, double after, std::size_t& count) {
  Node* n = &root;
  for (std::size_t i = 0; i < path.size() && i < kMaxIcicleDepth && n; ++i) n = child(*n, path[i], count);
  if (!n) return;
  n->before += std::max(0.0, before);
  n->after += std::max(0.0, after);
}

void measure(Node& n) {
  double sum = 0, tb = n.before, ta = n.after;
  for (auto& c : n.children) {
    measure(*c);
    sum += c->width;
    tb += c->total_before;
    ta += c->total_after;
  }
  n.total_before = tb;
  n.total_after = ta;
  n.width = std::max({tb, ta, sum});
}

// Grew: red, shrank: blue, the stronger the larger the relative change; unchanged: grey.
std::string colour(double before, double after) {
  const double m = std::max(before, after);
  const double d = m > 0 ? (after - before) / m : 0;
  const int fade = static_cast<int>(235 - 170 * std::min(1.0, std::fabs(d)));
  char buf[16];
  if (std::fabs(d) < 0.02) return "#cfd4db";
  if (d > 0) std::snprintf(buf, sizeof buf, "#%02x%02x%02x", 230, fade, fade);
  else std::snprintf(buf, sizeof buf, "#%02x%02x%02x", fade, fade, 230);
  return buf;
}

void draw(const Node& n, double x, double scale, int depth, const std::string& unit, std::string& out) {
  constexpr double kRow = 22;
  const double w = n.width * scale;
  if (w < 0.5) return;
  const std::string tip = n.name + ": " + fmt(n.total_before) + " -> " + fmt(n.total_after) + " " + unit;
  out += "<g class=\"frame\"><rect x=\"" + px(x) + "\" y=\"" + px(depth * kRow) + "\" width=\"" + px(std::max(0.5, w - 1)) + "\" height=\"" +
         px(kRow - 2) + "\" fill=\"" + colour(n.total_before, n.total_after) + "\" stroke=\"#ffffff\"><title>" + esc(tip) + "</title></rect>";
  const std::size_t chars = static_cast<std::size_t>(w / 6.5);
  if (chars >= 4) {
    std::string label = n.name.size() > chars ? n.name.substr(0, chars - 2) + ".." : n.name;
    out += "<text x=\"" + px(x + 3) + "\" y=\"" + px(depth * kRow + 15) + "\">" + esc(label) + "</text>";
  }
  out += "</g>";
  double cx = x;
  for (const auto& c : n.children) {
    draw(*c, cx, scale, depth + 1, unit, out);
    cx += c->width * scale;
  }
}

int depth_of(const Node& n) {
  int d = 0;
  for (const auto& c : n.children) d = std::max(d, depth_of(*c));
  return d + 1;
}

std::string icicle(Node& root, const std::string& title, const std::string& unit) {
  if (root.children.empty()) return "";
  measure(root);
  if (!(root.width > 0)) return "";
  const int depth = depth_of(root);
  std::string out = "<h3>" + esc(title) + "</h3><svg class=\"chart icicle\" viewBox=\"0 0 " + px(kWidth) + " " + px(depth * 22.0 + 2) + "\" role=\"img\" aria-label=\"" + esc(title) + "\">";
  draw(root, 0, kWidth / root.width, 0, unit, out);
  return out + "</svg>";
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(sep, start);
    std::string part(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (!part.empty()) out.push_back(part);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string render_timeline(const json::object& r) {
  const json::object* w = obj_at(&r, "window");
  auto t0 = unix_time(str_at(w, "start")), t1 = unix_time(str_at(w, "end"));
  std::vector<Mark> marks = marks_of(r);
  if (!t0 || !t1 || !(*t1 > *t0)) return "";
  const double left = 20, right = kWidth - 20, axis = 60;
  auto x_at = [&](double t) { return left + (right - left) * std::clamp((t - *t0) / (*t1 - *t0), 0.0, 1.0); };
  std::string svg = "<svg class=\"chart\" id=\"timeline-chart\" viewBox=\"0 0 " + px(kWidth) + " 110\" role=\"img\" aria-label=\"timeline\">";
  svg += "<line x1=\"" + px(left) + "\" x2=\"" + px(right) + "\" y1=\"" + px(axis) + "\" y2=\"" + px(axis) + "\" stroke=\"#1d2330\" stroke-width=\"2\"/>";
  svg += "<text x=\"" + px(left) + "\" y=\"" + px(axis + 35) + "\">" + esc(fmt_time(str_at(w, "start"))) + "</text>";
  int row = 0;
  std::string list = "<ol>";
  list += "<li>" + esc(fmt_time(str_at(w, "start"))) + ": window start</li>";
  for (const auto& m : marks) {
    const double x = x_at(m.t);
    svg += "<circle cx=\"" + px(x) + "\" cy=\"" + px(axis) + "\" r=\"5\" fill=\"" + m.color + "\"><title>" + esc(m.label) + "</title></circle>";
    const double y = 14 + 14 * (row++ % 3);
    svg += "<text x=\"" + px(std::min(x + 4, right - 120)) + "\" y=\"" + px(y) + "\" fill=\"" + m.color + "\">" + esc(m.label.substr(0, 32)) + "</text>";
    char when[32];
    std::time_t tt = static_cast<std::time_t>(m.t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    list += "<li>" + std::string(when) + ": " + esc(m.label) + "</li>";
  }
  svg += "</svg>";
  return "<section id=\"timeline\"><h2>Timeline</h2>" + svg + list + "</ol></section>";
}

std::string render_charts(const json::object& r) {
  const json::array* series = arr_at(&r, "series");
  if (!series || series->empty()) return "";
  const json::object* w = obj_at(&r, "window");
  const double t0 = unix_time(str_at(w, "start")).value_or(0), t1 = unix_time(str_at(w, "end")).value_or(0);
  const std::vector<Mark> marks = marks_of(r);
  std::string out;
  std::size_t n = 0;
  for (const auto& s : *series) {
    const json::object* o = s.if_object();
    if (!o || n >= kMaxCharts) continue;
    std::string svg = chart(*o, marks, t0, t1);
    if (svg.empty()) continue;
    ++n;
    std::string name = str_at(o, "name"), unit = str_at(o, "unit");
    out += "<h3>" + esc(name) + (unit.empty() ? "" : " (" + esc(unit) + ")") + " " + link(str_at(o, "link"), "open") + "</h3>";
    if (auto q = str_at(o, "query"); !q.empty()) out += "<div class=\"muted\"><code>" + esc(q) + "</code></div>";
    out += svg;
  }
  if (out.empty()) return "";
  return "<section id=\"charts\"><h2>Metrics</h2>" + out + "</section>";
}

std::string render_icicle(const json::object& r) {
  const json::array* fs = arr_at(&r, "findings");
  if (!fs) return "";
  Node traces, profiles;
  traces.name = "request";
  profiles.name = "all samples";
  std::size_t count = 0;
  std::map<std::string, std::string> parent_of;  // "service:operation" -> the parent span (fanout findings)
  for (const auto& v : *fs) {
    const json::object* d = obj_at(v.if_object(), "data");
    if (str_at(v.if_object(), "kind") == "fanout" && !str_at(d, "parent").empty()) {
      parent_of[str_at(d, "service") + ":" + str_at(d, "operation")] = str_at(d, "parent");
    }
  }
  for (const auto& v : *fs) {
    const json::object* f = v.if_object();
    const json::object* d = obj_at(f, "data");
    const std::string kind = str_at(f, "kind");
    if (kind == "span_latency") {
      const std::string op = str_at(d, "service") + ":" + str_at(d, "operation");
      std::vector<std::string> path;
      if (auto p = parent_of.find(op); p != parent_of.end()) path.push_back(p->second);
      path.push_back(op);
      add_path(traces, path, num_at(d, "before_self_ms").value_or(0), num_at(d, "after_self_ms").value_or(0), count);
    } else if (kind == "dependency") {
      add_path(traces, {"calls to " + str_at(d, "service")}, num_at(d, "before_ms").value_or(0), num_at(d, "after_ms").value_or(0), count);
    } else if (kind == "profile_function") {
      std::vector<std::string> path = split(str_at(d, "stack"), ';');
      if (path.empty()) path.push_back(str_at(d, "function"));
      add_path(profiles, path, 100 * num_at(d, "before_share").value_or(0), 100 * num_at(d, "after_share").value_or(0), count);
    }
  }
  std::string out = icicle(traces, "Traces: self time per request (ms)", "ms") + icicle(profiles, "Profile: share of samples (%)", "%");
  if (out.empty()) return "";
  return "<section id=\"icicle\"><h2>Differential icicle</h2><p class=\"muted\">Width: the larger of before and after; "
         "<span class=\"grew\">red grew</span>, <span class=\"shrank\">blue shrank</span>. Hover a frame for its numbers.</p>" +
         out + "</section>";
}

}  // namespace alertbot::bot::page
