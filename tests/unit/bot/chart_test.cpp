// chart_for_report(): the PNG is valid, of the asked size, and shows what it should where it
// should (read back pixel by pixel); hostile label text cannot break it. Each rendered chart is
// also written to $ALERTBOT_TEST_ARTIFACTS (or gtest's temp dir) for people to look at.
#include "bot/chart.hpp"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "investigators/analysis/finding_kinds.hpp"
#include "net/time_format.hpp"

namespace alertbot::bot {
namespace {

using namespace std::chrono_literals;
using investigators::Time;

const Time kStart = parse_rfc3339("2026-12-02T13:30:00Z").value();
const Time kOnset = kStart + 32min;   // 14:02
const Time kDeploy = kOnset - 2min;   // 14:00
const Time kEnd = kStart + 60min;     // 14:30

investigators::MetricSeries latency_series() {
  investigators::MetricSeries s;
  s.name = "latency";
  s.unit = "seconds";
  s.query = "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))";
  for (Time t = kStart; t <= kEnd; t += 30s) s.points.push_back({t, t < kOnset ? 0.18 : 0.9});
  return s;
}

Report checkout_report() {
  Report r;
  r.id = 42;
  auto& res = r.result;
  res.service = "checkout";
  res.series.push_back(latency_series());
  res.onset = kOnset;
  investigators::DeployEvent d;
  d.id = "deploy-4121";
  d.service = "checkout";
  d.version = "v2.14.0";
  d.at = kDeploy;
  res.deploys.push_back(d);
  investigators::Finding m1;
  m1.id = "m1";
  m1.kind = investigators::kinds::kOnset;
  m1.at = kOnset;
  m1.attributes = {{"metric", "latency"}, {"query", res.series[0].query}};
  m1.values = {{"before", 0.18}, {"after", 0.9}};
  investigators::Finding d1;
  d1.id = "d1";
  d1.kind = investigators::kinds::kDeploy;
  d1.at = kDeploy;
  d1.attributes = {{"deploy_id", "deploy-4121"}};
  res.findings = {d1, m1};
  investigators::Cause c;
  c.title = "deploy-4121 slowed checkout";
  c.evidence = {"d1", "m1"};
  res.causes.push_back(c);
  return r;
}

// ---- reading the PNG back ----

std::uint32_t be32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

struct Reader {
  const std::string* bytes;
  std::size_t pos = 0;
};

cairo_status_t read_png(void* closure, unsigned char* data, unsigned int length) {
  auto* r = static_cast<Reader*>(closure);
  if (r->pos + length > r->bytes->size()) return CAIRO_STATUS_READ_ERROR;
  std::copy_n(r->bytes->data() + r->pos, length, data);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint32_t> px;  // ARGB, opaque
  ChartColour at(int x, int y) const {
    const std::uint32_t p = px[static_cast<std::size_t>(y) * width + x];
    return {static_cast<std::uint8_t>(p >> 16), static_cast<std::uint8_t>(p >> 8), static_cast<std::uint8_t>(p)};
  }
};

std::optional<Image> decode(const std::string& png) {
  Reader reader{&png};
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> s(
      cairo_image_surface_create_from_png_stream(read_png, &reader), cairo_surface_destroy);
  if (cairo_surface_status(s.get()) != CAIRO_STATUS_SUCCESS) return std::nullopt;
  Image img;
  img.width = cairo_image_surface_get_width(s.get());
  img.height = cairo_image_surface_get_height(s.get());
  const int stride = cairo_image_surface_get_stride(s.get());
  const unsigned char* data = cairo_image_surface_get_data(s.get());
  for (int y = 0; y < img.height; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::size_t>(y) * stride);
    img.px.insert(img.px.end(), row, row + img.width);
  }
  return img;
}

bool near(ChartColour a, ChartColour b, int tolerance = 40) {
  return std::abs(a.r - b.r) + std::abs(a.g - b.g) + std::abs(a.b - b.b) <= tolerance;
}
bool dark(ChartColour c) { return c.r < 110 && c.g < 110 && c.b < 110; }

// Rows of column x (or its neighbours) inside [top, bottom) with colour c.
int rows_with(const Image& img, int x, int top, int bottom, ChartColour c) {
  int n = 0;
  for (int y = top; y < bottom; ++y) {
    bool hit = false;
    for (int dx = -1; dx <= 1; ++dx) hit = hit || near(img.at(x + dx, y), c);
    n += hit;
  }
  return n;
}

// Mean y of the series colour in column x, or -1.
double series_y(const Image& img, int x, const ChartPlotArea& p) {
  double sum = 0;
  int n = 0;
  for (int y = static_cast<int>(p.top); y < static_cast<int>(p.bottom); ++y) {
    if (near(img.at(x, y), kChartSeriesColour, 60)) sum += y, ++n;
  }
  return n ? sum / n : -1;
}

int dark_pixels(const Image& img, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) n += dark(img.at(x, y));
  }
  return n;
}

double x_of(const ChartPlotArea& p, Time t) {
  const double f = std::chrono::duration<double>(t - kStart).count() / std::chrono::duration<double>(kEnd - kStart).count();
  return p.left + f * (p.right - p.left);
}

void save(const ChartPng& chart, const std::string& name) {
  const char* dir = std::getenv("ALERTBOT_TEST_ARTIFACTS");
  const std::filesystem::path base = dir && *dir ? std::filesystem::path(dir) : std::filesystem::path(testing::TempDir());
  std::error_code ec;
  std::filesystem::create_directories(base, ec);
  const auto path = base / name;
  std::ofstream(path, std::ios::binary) << chart.bytes;
  std::cout << "chart written to " << path.string() << "\n";
}

// The font caches outlive every test; freeing them at the end keeps LeakSanitizer (make
// test-asan) quiet about this whole binary.
class ReleaseChartFonts : public testing::Environment {
 public:
  void TearDown() override { release_chart_fonts(); }
};
[[maybe_unused]] testing::Environment* const kReleaseChartFonts =
    testing::AddGlobalTestEnvironment(new ReleaseChartFonts);

// ---- tests ----

TEST(Chart, IsAPngOfTheDefaultSize) {
  const auto chart = chart_for_report(checkout_report());
  ASSERT_TRUE(chart);
  save(*chart, "chart.png");
  ASSERT_GT(chart->bytes.size(), 33u);
  EXPECT_EQ(chart->bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(chart->bytes.substr(12, 4), "IHDR");
  EXPECT_EQ(be32(chart->bytes, 16), 1200u);
  EXPECT_EQ(be32(chart->bytes, 20), 600u);
  EXPECT_EQ(chart->filename, "alertbot-chart-42.png");
  EXPECT_EQ(chart->title, "checkout latency (p99)");
}

TEST(Chart, HonoursACustomSizeAndRejectsAbsurdOnes) {
  const auto chart = chart_for_report(checkout_report(), 800, 400);
  ASSERT_TRUE(chart);
  save(*chart, "chart-800x400.png");
  EXPECT_EQ(be32(chart->bytes, 16), 800u);
  EXPECT_EQ(be32(chart->bytes, 20), 400u);
  const auto img = decode(chart->bytes);
  ASSERT_TRUE(img);
  EXPECT_EQ(img->width, 800);
  EXPECT_EQ(img->height, 400);
  EXPECT_FALSE(chart_for_report(checkout_report(), 10, 10));
  EXPECT_FALSE(chart_for_report(checkout_report(), 100000, 600));
}

TEST(Chart, DrawsTheSeriesAtItsLevelsOnBothSidesOfTheOnset) {
  const auto chart = chart_for_report(checkout_report());
  ASSERT_TRUE(chart);
  const auto img = decode(chart->bytes);
  ASSERT_TRUE(img);
  const auto p = chart_plot_area(1200, 600);
  const double y_before = series_y(*img, static_cast<int>(x_of(p, kStart + 12min)), p);
  const double y_after = series_y(*img, static_cast<int>(x_of(p, kStart + 50min)), p);
  ASSERT_GT(y_before, 0);
  ASSERT_GT(y_after, 0);
  // Y starts at 0, so heights above the X axis keep the values' ratio (0.18 / 0.9).
  const double h_before = p.bottom - y_before, h_after = p.bottom - y_after;
  EXPECT_NEAR(h_before / h_after, 0.2, 0.03);
  EXPECT_GT(h_after, 0.55 * (p.bottom - p.top));  // the top of the axis is not far above the data
  EXPECT_LT(h_after, 0.95 * (p.bottom - p.top));
}

TEST(Chart, MarksTheOnsetAndTheDeployWithVerticalLines) {
  const auto chart = chart_for_report(checkout_report());
  ASSERT_TRUE(chart);
  const auto img = decode(chart->bytes);
  ASSERT_TRUE(img);
  const auto p = chart_plot_area(1200, 600);
  const int top = static_cast<int>(p.top) + 2, bottom = static_cast<int>(p.bottom) - 2, height = bottom - top;
  const int onset_x = static_cast<int>(x_of(p, kOnset)), deploy_x = static_cast<int>(x_of(p, kDeploy));
  EXPECT_GT(rows_with(*img, onset_x, top, bottom, kChartOnsetColour), height * 0.7);
  EXPECT_GT(rows_with(*img, deploy_x, top, bottom, kChartDeployColour), height * 0.4);  // dashed
  const int elsewhere = static_cast<int>(x_of(p, kStart + 10min));
  EXPECT_LT(rows_with(*img, elsewhere, top, bottom, kChartOnsetColour), 5);
  EXPECT_LT(rows_with(*img, elsewhere, top, bottom, kChartDeployColour), 5);
}

TEST(Chart, HasTextInTheTitleBandAndAlongTheAxes) {
  const auto chart = chart_for_report(checkout_report());
  ASSERT_TRUE(chart);
  const auto img = decode(chart->bytes);
  ASSERT_TRUE(img);
  const auto p = chart_plot_area(1200, 600);
  EXPECT_GT(dark_pixels(*img, 0, 0, img->width, static_cast<int>(p.top) - 2), 300);                 // title
  EXPECT_GT(dark_pixels(*img, 0, static_cast<int>(p.top), static_cast<int>(p.left) - 4,
                        static_cast<int>(p.bottom)), 200);                                            // Y ticks
  EXPECT_GT(dark_pixels(*img, static_cast<int>(p.left), static_cast<int>(p.bottom) + 4,
                        static_cast<int>(p.right), img->height), 300);                                // X ticks
}

TEST(Chart, AltTextGivesTheValuesBeforeAndAfter) {
  const auto chart = chart_for_report(checkout_report());
  ASSERT_TRUE(chart);
  EXPECT_NE(chart->alt_text.find("checkout latency (p99)"), std::string::npos) << chart->alt_text;
  EXPECT_NE(chart->alt_text.find("180 ms before the onset at 14:02 UTC"), std::string::npos) << chart->alt_text;
  EXPECT_NE(chart->alt_text.find("900 ms after"), std::string::npos) << chart->alt_text;
  EXPECT_NE(chart->alt_text.find("deploy-4121 v2.14.0 at 14:00 UTC"), std::string::npos) << chart->alt_text;
}

TEST(Chart, PicksTheSeriesTheTopCauseCites) {
  auto r = checkout_report();
  investigators::MetricSeries errors;
  errors.name = "errors";
  errors.unit = "ratio";
  for (Time t = kStart; t <= kEnd; t += 1min) errors.points.push_back({t, t < kOnset ? 0.01 : 0.2});
  r.result.series.insert(r.result.series.begin(), errors);
  EXPECT_EQ(chart_for_report(r)->title, "checkout latency (p99)");  // the cause cites m1 (latency)
  investigators::Finding m2;
  m2.id = "m2";
  m2.kind = investigators::kinds::kOnset;
  m2.attributes = {{"metric", "errors"}};
  r.result.findings.push_back(m2);
  r.result.causes.front().evidence = {"m2"};
  const auto chart = chart_for_report(r);
  ASSERT_TRUE(chart);
  save(*chart, "chart-errors.png");
  EXPECT_EQ(chart->title, "checkout error ratio");
}

TEST(Chart, NoChartWithoutASeriesOfTwoPoints) {
  auto r = checkout_report();
  r.result.series.clear();
  EXPECT_FALSE(chart_for_report(r));
  r.result.series.push_back(latency_series());
  r.result.series[0].points.resize(1);
  EXPECT_FALSE(chart_for_report(r));
  r.result.series[0].points.push_back({kEnd, 0.9});
  EXPECT_TRUE(chart_for_report(r));  // two points make a line
  r.result.series[0].points.back().t = kStart;
  EXPECT_FALSE(chart_for_report(r));  // ... unless they share one instant: no time axis
}

TEST(Chart, ExtremeValuesNeitherHangNorBreakTheImage) {
  for (auto [a, b] : {std::pair{1e308, -1e308}, std::pair{-1e20, -1e20 + 1e5}, std::pair{0.0, 0.0}, std::pair{1e-12, 3e-12}}) {
    auto r = checkout_report();
    for (auto& p : r.result.series[0].points) p.v = p.t < kOnset ? a : b;
    const auto chart = chart_for_report(r);
    if (chart) {
      EXPECT_TRUE(decode(chart->bytes)) << a << " " << b;
    }
  }
  auto r = checkout_report();
  for (auto& p : r.result.series[0].points) p.v = 0;
  EXPECT_TRUE(chart_for_report(r));  // a flat zero line is still a chart
}

void check_hostile(const std::string& hostile, const std::string& name) {
  auto r = checkout_report();
  r.result.service = hostile;
  r.result.series[0].name = hostile;
  r.result.series[0].labels["quantile"] = hostile;
  r.result.deploys[0].id = hostile;
  r.result.deploys[0].version = hostile;
  r.result.findings[1].attributes["metric"] = hostile;
  for (auto size : {std::pair{1200, 600}, std::pair{kMinChartWidth, kMinChartHeight}}) {
    const auto chart = chart_for_report(r, size.first, size.second);
    ASSERT_TRUE(chart);
    save(*chart, "chart-" + name + "-" + std::to_string(size.first) + ".png");
    const auto img = decode(chart->bytes);
    ASSERT_TRUE(img);
    EXPECT_EQ(img->width, size.first);
    EXPECT_EQ(chart->title.find('\0'), std::string::npos);
    EXPECT_EQ(chart->title.find('\x1b'), std::string::npos);
    EXPECT_EQ(chart->title.find('\xff'), std::string::npos);
    EXPECT_LT(chart->title.size(), 600u);
    EXPECT_EQ(chart->alt_text.find('\0'), std::string::npos);
  }
}

TEST(Chart, HostileLabelTextIsOnlyDrawn) {
  // RTL (Hebrew), a bidi override, a NUL, an emoji, invalid and overlong UTF-8, format
  // directives and terminal escapes: short enough to be drawn, then very long.
  const std::string hostile = "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \u202e" + std::string("nul\0byte", 8) +
                              " \xf0\x9f\x98\x80 \xff\xfe\xc0\x80 %s%n\n\t\x1b[31m";
  check_hostile(hostile, "hostile");
  check_hostile(std::string(3000, 'W') + hostile, "hostile-long");
}

}  // namespace
}  // namespace alertbot::bot
