#include "bot/chart.hpp"

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "net/encoding.hpp"
#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/units.hpp"
#include "net/time_format.hpp"

namespace alertbot::bot {
namespace {

using namespace investigators;

// ---- what to draw --------------------------------------------------------------------------

std::string attribute(const Finding& f, const char* key) {
  auto it = f.attributes.find(key);
  return it == f.attributes.end() ? std::string() : it->second;
}

bool is_about(const Finding& f, const MetricSeries& s) {
  std::string metric = attribute(f, "metric");
  if (metric.empty()) metric = attribute(f, "series");
  const std::string query = attribute(f, "query");
  return !metric.empty() && metric == s.name && (query.empty() || query == s.query);
}

const MetricSeries* series_of(const InvestigationResult& r, const Finding& f) {
  for (const auto& s : r.series) {
    if (s.points.size() >= 2 && is_about(f, s)) return &s;
  }
  return nullptr;
}

const Finding* onset_finding_of(const InvestigationResult& r, const MetricSeries& s) {
  for (const auto& f : r.findings) {
    if (f.kind == kinds::kOnset && is_about(f, s)) return &f;
  }
  return nullptr;
}

const MetricSeries* pick_series(const InvestigationResult& r) {
  if (!r.causes.empty()) {
    for (const auto& id : r.causes.front().evidence) {
      for (const auto& f : r.findings) {
        if (f.id != id) continue;
        if (const auto* s = series_of(r, f)) return s;
      }
    }
  }
  for (const auto& f : r.findings) {
    if (f.kind != kinds::kOnset) continue;
    if (const auto* s = series_of(r, f)) return s;
  }
  for (const auto& s : r.series) {
    if (s.points.size() >= 2 && s.name == "latency") return &s;
  }
  for (const auto& s : r.series) {
    if (s.points.size() >= 2) return &s;
  }
  return nullptr;
}

// ---- text --------------------------------------------------------------------------------

// The code point at in[i], and how many bytes it takes; invalid or overlong UTF-8 is U+FFFD, 1 byte.
std::pair<char32_t, std::size_t> decode_utf8(std::string_view in, std::size_t i) {
  const auto c = static_cast<unsigned char>(in[i]);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 1) return {c, 1};
  if (len == 0 || i + len > in.size()) return {0xFFFD, 1};
  char32_t cp = c & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(in[i + k]);
    if ((cc & 0xC0) != 0x80) return {0xFFFD, 1};
    cp = (cp << 6) | (cc & 0x3F);
  }
  constexpr char32_t kMinOf[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinOf[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0xFFFD, 1};
  return {cp, len};
}

bool is_invisible_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// Untrusted text made safe to draw: valid UTF-8, whitespace controls as spaces, other control and
// bidi-control characters dropped, at most `max_chars` code points (then an ellipsis).
std::string drawable(std::string_view in, std::size_t max_chars = 80) {
  std::string out;
  std::size_t count = 0;
  for (std::size_t i = 0; i < in.size();) {
    auto [cp, len] = decode_utf8(in, i);
    i += len;
    if (cp == '\t' || cp == '\n' || cp == '\r') cp = ' ';
    if (is_invisible_control(cp)) continue;
    if (count == max_chars) {
      out += "\u2026";
      break;
    }
    append_utf8(out, cp);
    ++count;
  }
  return out;
}

void drop_last_code_point(std::string& s) {
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
  if (!s.empty()) s.pop_back();
}

std::string clock_minutes(double unix_seconds) {
  return format_rfc3339(from_unix_seconds(unix_seconds), false).substr(11, 5);
}

std::string quantile_label(const MetricSeries& s) {
  std::string q;
  if (auto it = s.labels.find("quantile"); it != s.labels.end()) q = it->second;
  const std::string key = "histogram_quantile(";
  if (auto pos = s.query.find(key); q.empty() && pos != std::string::npos) {
    q = s.query.substr(pos + key.size(), 8);
  }
  double v = 0;
  auto [end, ec] = std::from_chars(q.data(), q.data() + q.size(), v);
  if (ec != std::errc() || end == q.data() || !(v > 0 && v < 1)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "p%g", v * 100);
  return buf;
}

std::string chart_title(const InvestigationResult& r, const MetricSeries& s) {
  std::string service = r.service;
  if (auto it = s.labels.find("service"); service.empty() && it != s.labels.end()) service = it->second;
  const std::string q = quantile_label(s);
  std::string title = describe_metric(s.name) + (q.empty() ? "" : " (" + q + ")");
  return drawable(service.empty() ? title : service + " " + title, 120);
}

// ---- numbers -----------------------------------------------------------------------------

// How values show on the Y axis: value * factor, then the suffix.
struct Scale {
  double factor = 1;
  std::string suffix;  // "ms", "s", "%", "req/s", "k req/s", "" ...
};

Scale scale_for(const std::string& unit, double max_abs) {
  if (unit == "seconds") return max_abs < 1 ? Scale{1000, "ms"} : Scale{1, "s"};
  if (unit == "ratio") return {100, "%"};
  const std::string base = unit == "rps" ? "req/s" : "";
  const auto with = [&](const char* p) { return base.empty() ? std::string(p) : std::string(p) + " " + base; };
  if (max_abs >= 1e7) return {1e-6, with("M")};
  if (max_abs >= 1e4) return {1e-3, with("k")};
  return {1, base};
}

double nice_step(double range, double ticks) {
  const double raw = range / ticks;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
}

std::string tick_label(double v, double step, const Scale& sc) {
  int decimals = 0;  // as many as the step needs: 0.25 -> 2, 5 -> 0
  for (double x = step; decimals < 12 && std::abs(x - std::round(x)) > 1e-6 * x; x *= 10) ++decimals;
  char buf[64];
  if (decimals > 4 || std::abs(v) >= 1e7) {
    std::snprintf(buf, sizeof buf, "%.3g", std::abs(v) < step / 2 ? 0.0 : v);  // 2.5e-06, 1.2e+09
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < step / 2 ? 0.0 : v);
  }
  std::string out = buf;
  if (out.find('.') != std::string::npos && out.find('e') == std::string::npos) {  // 2.50 -> 2.5, 5.0 -> 5
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  // Short units ride on every tick; longer ones ("k req/s") only in the axis title.
  if (sc.suffix == "%") return out + "%";
  if (sc.suffix == "ms" || sc.suffix == "s") return out + " " + sc.suffix;
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// ---- the model the drawing reads ---------------------------------------------------------

struct Marker {
  double t;  // unix seconds
  std::string label;
  bool onset;
};

struct Model {
  std::string title, subtitle, y_title;
  std::string metric;  // the legend's name for the line ("latency")
  Scale scale;
  double t0, t1, y0, y1, y_step;  // axis ranges (y in display units)
  std::vector<std::pair<double, double>> points;  // (unix seconds, display value)
  std::vector<Marker> markers;                    // the onset first, then deploys by time
  std::string alt_text;
};

struct BeforeAfter {
  double before, after;  // in the series' unit
};

std::optional<BeforeAfter> before_after(const MetricSeries& s, const Finding* onset_f, std::optional<double> onset) {
  if (onset_f && onset_f->values.count("before") && onset_f->values.count("after")) {
    const double b = onset_f->values.at("before"), a = onset_f->values.at("after");
    if (std::isfinite(b) && std::isfinite(a)) return BeforeAfter{b, a};
  }
  if (!onset) return std::nullopt;
  std::vector<double> before, after;
  for (const auto& p : s.points) (to_unix_seconds(p.t) < *onset ? before : after).push_back(p.v);
  if (before.empty() || after.empty()) return std::nullopt;
  return BeforeAfter{median(before), median(after)};
}

std::string describe_deploy(const DeployEvent& d) {
  std::string who = d.id.empty() ? d.service : d.id;
  std::string version = display_version(d.version);
  return drawable(who.empty() ? version : version.empty() ? who : who + " " + version, 48);
}

void fill_alt_text(Model& m, const MetricSeries& s, const std::optional<BeforeAfter>& ba,
                   std::optional<double> onset) {
  std::string alt = "Line chart of " + m.title + ", " + clock_minutes(m.t0) + " to " + clock_minutes(m.t1) + " UTC";
  if (ba && onset) {
    alt += ": about " + format_value(ba->before, s.unit) + " before the onset at " + clock_minutes(*onset) +
           " UTC, about " + format_value(ba->after, s.unit) + " after.";
  } else {
    double lo = s.points.front().v, hi = lo;
    for (const auto& p : s.points) lo = std::min(lo, p.v), hi = std::max(hi, p.v);
    alt += ": between " + format_value(lo, s.unit) + " and " + format_value(hi, s.unit) + ", last " +
           format_value(s.points.back().v, s.unit) + ".";
  }
  std::size_t deploys = 0;
  for (const auto& mk : m.markers) {
    if (mk.onset) continue;
    if (++deploys <= 5) alt += " Deploy " + mk.label + " at " + clock_minutes(mk.t) + " UTC is marked.";
  }
  if (deploys == 6) alt += " 1 more deploy is marked.";
  if (deploys > 6) alt += " " + std::to_string(deploys - 5) + " more deploys are marked.";
  m.alt_text = alt;
}

// Y from `lo` (0 for non-negative data) to a round number above `hi` with 15% headroom for the
// marker labels. False when the values are too extreme to place ticks on.
bool set_y_range(Model& m, double lo, double hi) {
  hi = hi > lo ? hi + 0.15 * (hi - lo) : lo + 1;
  if (!std::isfinite(hi - lo) || !(hi - lo > std::abs(hi) * 1e-9)) return false;
  m.y_step = nice_step(hi - lo, 5);
  m.y0 = std::floor(lo / m.y_step) * m.y_step, m.y1 = std::ceil(hi / m.y_step) * m.y_step;
  return std::isfinite(m.y_step) && m.y_step > 0 && m.y1 > m.y0;
}

std::optional<Model> build_model(const InvestigationResult& r) {
  const MetricSeries* s = pick_series(r);
  if (!s) return std::nullopt;
  Model m;
  double lo = 0, hi = 0, max_abs = 0;
  bool first = true;
  for (const auto& p : s->points) {
    if (!std::isfinite(p.v)) continue;
    lo = first ? p.v : std::min(lo, p.v);
    hi = first ? p.v : std::max(hi, p.v);
    max_abs = std::max(max_abs, std::abs(p.v));
    first = false;
  }
  m.scale = scale_for(s->unit, max_abs);
  for (const auto& p : s->points) {
    if (std::isfinite(p.v)) m.points.emplace_back(to_unix_seconds(p.t), p.v * m.scale.factor);
  }
  if (m.points.size() < 2) return std::nullopt;
  m.t0 = m.points.front().first, m.t1 = m.points.back().first;
  for (const auto& [t, v] : m.points) m.t0 = std::min(m.t0, t), m.t1 = std::max(m.t1, t);
  if (!(m.t1 > m.t0)) return std::nullopt;  // every point at one instant: no time axis to draw

  if (!set_y_range(m, std::min(0.0, lo) * m.scale.factor, hi * m.scale.factor)) return std::nullopt;

  const Finding* onset_f = onset_finding_of(r, *s);
  std::optional<double> onset;
  if (r.onset) onset = to_unix_seconds(*r.onset);
  else if (onset_f && onset_f->at) onset = to_unix_seconds(*onset_f->at);
  if (onset && (*onset < m.t0 || *onset > m.t1)) onset.reset();
  if (onset) m.markers.push_back({*onset, "onset " + clock_minutes(*onset), true});
  std::vector<const DeployEvent*> deploys;
  for (const auto& d : r.deploys) deploys.push_back(&d);
  std::stable_sort(deploys.begin(), deploys.end(), [](auto* a, auto* b) { return a->at < b->at; });
  for (const auto* d : deploys) {
    const double t = to_unix_seconds(d->at);
    if (t >= m.t0 && t <= m.t1) m.markers.push_back({t, describe_deploy(*d), false});
  }

  m.title = chart_title(r, *s);
  m.metric = drawable(describe_metric(s->name), 40);
  m.y_title = m.metric + (m.scale.suffix.empty() ? "" : " (" + m.scale.suffix + ")");
  const auto ba = before_after(*s, onset_f, onset);
  m.subtitle = clock_minutes(m.t0) + "\u2013" + clock_minutes(m.t1) + " UTC";
  if (ba) {
    m.subtitle += "  \u00b7  before \u2248 " + format_value(ba->before, s->unit) + ", after \u2248 " +
                  format_value(ba->after, s->unit);
  }
  fill_alt_text(m, *s, ba, onset);
  return m;
}

// ---- drawing -----------------------------------------------------------------------------

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

void set_colour(cairo_t* cr, ChartColour c, double alpha = 1) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

// Sizes are designed for 1200x600 and scale with the chart.
double ui_scale(int width, int height) { return std::clamp(std::min(width / 1200.0, height / 600.0), 0.5, 3.0); }

void set_font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text.c_str(), &ext);
  return ext.x_advance;
}

// `text` cut (with an ellipsis) until it fits in `max_width` with the current font.
std::string fit(cairo_t* cr, std::string text, double max_width) {
  if (text_width(cr, text) <= max_width) return text;
  while (!text.empty() && text_width(cr, text + "\u2026") > max_width) drop_last_code_point(text);
  return text + "\u2026";
}

// Draws `text` with its baseline at y; `align` 0 = left at x, 0.5 = centred, 1 = right at x.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, double align = 0) {
  cairo_move_to(cr, x - align * text_width(cr, text), y);
  cairo_show_text(cr, text.c_str());
}

struct Canvas {
  cairo_t* cr;
  ChartPlotArea plot;
  double s;      // ui scale
  double width;  // of the image
  const Model& m;
  double x_of(double t) const { return plot.left + (t - m.t0) / (m.t1 - m.t0) * (plot.right - plot.left); }
  double y_of(double v) const { return plot.bottom - (v - m.y0) / (m.y1 - m.y0) * (plot.bottom - plot.top); }
};

void draw_y_axis(const Canvas& c) {
  set_font(c.cr, 12 * c.s);
  for (int i = 0; i <= 20; ++i) {  // 5 to 10 ticks; the bound is only a guard
    const double v = c.m.y0 + i * c.m.y_step;
    if (v > c.m.y1 + c.m.y_step / 2) break;
    const double y = std::round(c.y_of(v)) + 0.5;
    cairo_set_source_rgb(c.cr, 0.88, 0.88, 0.88);
    cairo_set_line_width(c.cr, 1);
    cairo_move_to(c.cr, c.plot.left, y);
    cairo_line_to(c.cr, c.plot.right, y);
    cairo_stroke(c.cr);
    set_colour(c.cr, kChartTextColour);
    draw_text(c.cr, tick_label(v, c.m.y_step, c.m.scale), c.plot.left - 8 * c.s, y + 4 * c.s, 1);
  }
  set_font(c.cr, 13 * c.s);
  cairo_save(c.cr);
  cairo_translate(c.cr, 20 * c.s, (c.plot.top + c.plot.bottom) / 2);
  cairo_rotate(c.cr, -M_PI / 2);
  draw_text(c.cr, fit(c.cr, c.m.y_title, c.plot.bottom - c.plot.top), 0, 0, 0.5);
  cairo_restore(c.cr);
}

void draw_x_axis(const Canvas& c) {
  constexpr double kSteps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
  const double span = c.m.t1 - c.m.t0, max_ticks = std::max(2.0, (c.plot.right - c.plot.left) / (95 * c.s));
  double step = kSteps[std::size(kSteps) - 1];
  for (double st : kSteps) {
    if (span / st <= max_ticks) {
      step = st;
      break;
    }
  }
  if (span / step > max_ticks) step = std::ceil(span / max_ticks / 86400) * 86400;
  set_font(c.cr, 12 * c.s);
  for (int i = 0; i <= 40; ++i) {  // at most max_ticks; the bound is only a guard
    const double t = std::ceil(c.m.t0 / step) * step + i * step;
    if (t > c.m.t1) break;
    const double x = std::round(c.x_of(t)) + 0.5;
    cairo_set_source_rgb(c.cr, 0.88, 0.88, 0.88);
    cairo_move_to(c.cr, x, c.plot.top);
    cairo_line_to(c.cr, x, c.plot.bottom);
    cairo_stroke(c.cr);
    const std::string stamp = format_rfc3339(from_unix_seconds(t), false);
    std::string label = step < 60 ? stamp.substr(11, 8) : stamp.substr(11, 5);
    if (step >= 86400) label = stamp.substr(5, 5);
    set_colour(c.cr, kChartTextColour);
    const double half = text_width(c.cr, label) / 2;  // kept inside the image at both ends
    draw_text(c.cr, label, std::clamp(x, half + 2, c.width - half - 2), c.plot.bottom + 20 * c.s, 0.5);
  }
  cairo_set_source_rgb(c.cr, 0.35, 0.35, 0.35);
  cairo_set_line_width(c.cr, 1.5);
  cairo_move_to(c.cr, c.plot.left, c.plot.top);
  cairo_line_to(c.cr, c.plot.left, c.plot.bottom);
  cairo_line_to(c.cr, c.plot.right, c.plot.bottom);
  cairo_stroke(c.cr);
}

void draw_series(const Canvas& c) {
  cairo_save(c.cr);
  cairo_rectangle(c.cr, c.plot.left, c.plot.top, c.plot.right - c.plot.left, c.plot.bottom - c.plot.top);
  cairo_clip(c.cr);
  set_colour(c.cr, kChartSeriesColour);
  cairo_set_line_width(c.cr, 2.5 * c.s);
  cairo_set_line_join(c.cr, CAIRO_LINE_JOIN_ROUND);
  for (const auto& [t, v] : c.m.points) cairo_line_to(c.cr, c.x_of(t), c.y_of(v));
  cairo_stroke(c.cr);
  cairo_restore(c.cr);
}

void marker_line_style(cairo_t* cr, bool onset, double s) {
  set_colour(cr, onset ? kChartOnsetColour : kChartDeployColour);
  cairo_set_line_width(cr, 2 * s);
  const double dash[] = {7 * s, 4 * s};
  cairo_set_dash(cr, dash, onset ? 0 : 2, 0);
}

// Vertical lines, then their labels in rows along the plot's top; a label that fits in no row
// is left out (its line stays). The onset comes first, so it always gets a label.
void draw_markers(const Canvas& c) {
  for (auto it = c.m.markers.rbegin(); it != c.m.markers.rend(); ++it) {  // the onset on top
    const double x = std::round(c.x_of(it->t)) + 0.5;
    marker_line_style(c.cr, it->onset, c.s);
    cairo_move_to(c.cr, x, c.plot.top);
    cairo_line_to(c.cr, x, c.plot.bottom);
    cairo_stroke(c.cr);
  }
  cairo_set_dash(c.cr, nullptr, 0, 0);
  constexpr int kRows = 4;
  std::vector<std::pair<double, double>> taken[kRows];
  const double row_h = 19 * c.s, pad = 4 * c.s;
  set_font(c.cr, 12 * c.s, true);
  for (const auto& mk : c.m.markers) {
    const double x = c.x_of(mk.t);
    const std::string text = fit(c.cr, mk.label, (c.plot.right - c.plot.left) * 0.45);
    const double w = text_width(c.cr, text) + 2 * pad;
    double left = x + 3 * c.s;
    if (left + w > c.plot.right) left = x - 3 * c.s - w;
    for (int row = 0; row < kRows; ++row) {
      const bool clash = std::any_of(taken[row].begin(), taken[row].end(),
                                     [&](auto span) { return left < span.second && span.first < left + w; });
      if (clash) continue;
      taken[row].emplace_back(left, left + w);
      const double top = c.plot.top + 3 * c.s + row * row_h;
      cairo_set_source_rgba(c.cr, 1, 1, 1, 0.85);
      cairo_rectangle(c.cr, left, top, w, row_h - 2 * c.s);
      cairo_fill(c.cr);
      set_colour(c.cr, mk.onset ? kChartOnsetColour : kChartDeployColour);
      draw_text(c.cr, text, left + pad, top + 13 * c.s);
      break;
    }
  }
}

void draw_header_and_legend(const Canvas& c) {
  set_colour(c.cr, kChartTextColour);
  set_font(c.cr, 22 * c.s, true);
  draw_text(c.cr, fit(c.cr, c.m.title, c.width - c.plot.left - 20 * c.s), c.plot.left, 32 * c.s);
  set_font(c.cr, 13 * c.s);
  cairo_set_source_rgb(c.cr, 0.33, 0.33, 0.33);
  draw_text(c.cr, fit(c.cr, c.m.subtitle, c.width - c.plot.left - 20 * c.s), c.plot.left, 56 * c.s);

  bool onset = false, deploy = false;
  for (const auto& mk : c.m.markers) (mk.onset ? onset : deploy) = true;
  std::vector<std::pair<std::string, int>> entries;  // text, then 0 series / 1 onset / 2 deploy
  set_font(c.cr, 12 * c.s);
  entries.emplace_back(fit(c.cr, c.m.metric, (c.plot.right - c.plot.left) * 0.25), 0);
  if (onset) entries.emplace_back("onset", 1);
  if (deploy) entries.emplace_back("deploy", 2);
  double x = c.plot.right;
  const double y = c.plot.bottom + 44 * c.s, sample = 22 * c.s;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    x -= text_width(c.cr, it->first);
    set_colour(c.cr, kChartTextColour);
    draw_text(c.cr, it->first, x, y);
    x -= sample + 6 * c.s;
    if (it->second == 0) {
      set_colour(c.cr, kChartSeriesColour);
      cairo_set_line_width(c.cr, 2.5 * c.s);
    } else {
      marker_line_style(c.cr, it->second == 1, c.s);
    }
    cairo_move_to(c.cr, x, y - 4 * c.s);
    cairo_line_to(c.cr, x + sample, y - 4 * c.s);
    cairo_stroke(c.cr);
    cairo_set_dash(c.cr, nullptr, 0, 0);
    x -= 18 * c.s;
  }
  // The X axis title, centred in what the legend leaves of the line.
  set_colour(c.cr, kChartTextColour);
  set_font(c.cr, 13 * c.s);
  const std::string title = fit(c.cr, "time (UTC)", std::max(0.0, x - c.plot.left));
  const double centre = std::min((c.plot.left + c.plot.right) / 2, x - text_width(c.cr, title) / 2);
  draw_text(c.cr, title, centre, y, 0.5);
}

cairo_status_t append_png(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  } catch (...) {
    return CAIRO_STATUS_NO_MEMORY;
  }
  return CAIRO_STATUS_SUCCESS;
}

std::optional<std::string> render_png(const Model& m, int width, int height) {
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) return std::nullopt;
  std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) return std::nullopt;
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  const Canvas c{cr.get(), chart_plot_area(width, height), ui_scale(width, height), static_cast<double>(width), m};
  draw_y_axis(c);
  draw_x_axis(c);
  draw_series(c);
  draw_markers(c);
  draw_header_and_legend(c);
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) return std::nullopt;
  cairo_surface_flush(surface.get());
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), append_png, &png) != CAIRO_STATUS_SUCCESS) return std::nullopt;
  return png;
}

}  // namespace

ChartPlotArea chart_plot_area(int width, int height) {
  const double s = ui_scale(width, height);
  return {92 * s, 72 * s, width - 28 * s, height - 62 * s};
}

void release_chart_fonts() {
  cairo_debug_reset_static_data();
  FcFini();
}

std::optional<ChartPng> chart_for_report(const Report& report, int width, int height) {
  if (width < kMinChartWidth || height < kMinChartHeight || width > kMaxChartSide || height > kMaxChartSide) {
    return std::nullopt;
  }
  auto model = build_model(report.result);
  if (!model) return std::nullopt;
  // The font caches live until exit, and are released there (after every chart: charts are drawn
  // on the bot's event loop, which has stopped by then), so a leak checker sees a clean exit.
  static std::once_flag release_at_exit;
  std::call_once(release_at_exit, [] { std::atexit(release_chart_fonts); });
  auto png = render_png(*model, width, height);
  if (!png) return std::nullopt;
  ChartPng out;
  out.bytes = std::move(*png);
  out.filename = report.id == 0 ? "alertbot-chart.png" : "alertbot-chart-" + std::to_string(report.id) + ".png";
  out.title = model->title;
  out.alt_text = std::move(model->alt_text);
  return out;
}

}  // namespace alertbot::bot
