// Chart: the report's key metric around the onset, drawn with cairo as a PNG for the report
// thread, with the onset and every deploy in view marked and labelled. Pure and synchronous (no
// I/O, no clock): call it from any thread. Label text (series names, services, deploy ids and
// versions) is untrusted: it is only drawn, after dropping control characters and invalid UTF-8,
// and cut to fit. Rendering failures are not errors: no chart (nullopt), never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bot/report.hpp"

namespace alertbot::bot {

struct ChartPng {
  std::string bytes;     // the PNG file
  std::string filename;  // "alertbot-chart-<id>.png" ("alertbot-chart.png" when id is 0)
  std::string title;     // the chart's title, e.g. "checkout latency (p99)" (untrusted text)
  std::string alt_text;  // the chart in words: what, when, before/after values, the marks
};

// The chart of `report`'s key metric. The series is, in order of preference: the one the top
// cause's evidence points at (a finding whose attributes "metric" (or "series") and, when set,
// "query" match a MetricSeries), else the one the onset finding is about, else the first latency
// series, else the first series; only series with >= 2 points count, nullopt when there is none.
// X spans the series' first to last point (HH:MM UTC); Y starts at 0 for non-negative data and
// is shown in the series' unit (seconds as ms when all values are < 1 s, ratio as %, rps as
// req/s). Marks the onset (report.result.onset, else the onset finding's time) and each deploy
// of report.result.deploys inside the window, labelled ("onset 14:02", "deploy-4121 v2.14.0").
// Sizes outside [kMinChartWidth..kMaxChartSide] x [kMinChartHeight..kMaxChartSide], values too
// extreme to place ticks on (overflowing ranges, variation below 1e-9 of the magnitude), or a cairo
// failure give nullopt.
std::optional<ChartPng> chart_for_report(const Report& report, int width = 1200, int height = 600);

// Frees the font caches cairo and fontconfig keep for the whole process (they would show as
// leaks under LeakSanitizer). Requires: no chart is being drawn, on any thread. The first chart
// registers it to run at exit; calling it earlier is allowed (the next chart sets them up again).
void release_chart_fonts();

inline constexpr int kMinChartWidth = 320;
inline constexpr int kMinChartHeight = 200;
inline constexpr int kMaxChartSide = 4096;

// The chart's colours (8-bit sRGB, opaque), for the legend and for tests that read pixels.
struct ChartColour {
  std::uint8_t r, g, b;
};
inline constexpr ChartColour kChartSeriesColour{31, 119, 180};  // the metric's line (blue)
inline constexpr ChartColour kChartOnsetColour{214, 39, 40};    // the onset's solid line (red)
inline constexpr ChartColour kChartDeployColour{148, 80, 190};  // each deploy's dashed line (purple)
inline constexpr ChartColour kChartTextColour{34, 34, 34};      // titles, ticks, labels

// Where the plot (the data rectangle inside the axes) lies in a width x height chart, in pixels
// from the top-left corner. X maps the series' first..last point time linearly onto left..right.
struct ChartPlotArea {
  double left, top, right, bottom;
};
ChartPlotArea chart_plot_area(int width, int height);

}  // namespace alertbot::bot
