// JSON log lines carry the investigation they are about as a field, so one investigation's story
// can be filtered out of every replica's logs (jq 'select(.investigation_id == 42)').
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "tests/support/log_capture.hpp"

namespace {

namespace json = boost::json;

json::object last_line(const alertbot::testing::LogCapture& capture) {
  auto lines = capture.lines();
  EXPECT_FALSE(lines.empty());
  return lines.empty() ? json::object{} : json::parse(lines.back()).as_object();
}

TEST(LogFields, ALineAboutAnInvestigationCarriesItsId) {
  alertbot::testing::LogCapture capture;
  spdlog::info("investigation {}: placeholder posted", 42);
  auto line = last_line(capture);
  EXPECT_EQ(line.at("msg").as_string(), "investigation 42: placeholder posted");
  ASSERT_TRUE(line.contains("investigation_id"));
  EXPECT_EQ(line.at("investigation_id").as_int64(), 42);
  spdlog::warn("worker: job 7 of investigation 1234567 failed: timeout");
  EXPECT_EQ(last_line(capture).at("investigation_id").as_int64(), 1234567);
}

TEST(LogFields, OtherLinesHaveNoInvestigationField) {
  alertbot::testing::LogCapture capture;
  for (const char* text : {"socket 1 connected", "reinvestigation 5 is not a word we use", "investigation x: odd",
                           "investigation ", "an investigation 99999999999999999999 is too long"}) {
    spdlog::info("{}", text);
    auto line = last_line(capture);
    EXPECT_FALSE(line.contains("investigation_id")) << text;
    EXPECT_EQ(line.at("msg").as_string(), text);
  }
}

}  // namespace
