// The report page in headless Chromium (ctest `report_page_browser`): serves /reports/* from a
// SQLite store seeded with a real report (tests/data/reports/n_plus_one.json) on 127.0.0.1, then
// runs tests/node/report_page_check.mjs against the signed link: no console or page errors, the
// key elements present, and a full-page screenshot kept in <build>/test-artifacts/report_page.png.
// Fails, never skips, when node, the npm packages or /usr/bin/chromium are missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "bot/report_links.hpp"
#include "bot/report_routes.hpp"
#include "net/http_server.hpp"
#include "net/subprocess.hpp"
#include "tests/support/test_data.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace alertbot::bot {
namespace {

constexpr std::string_view kSecret = "browser-test-secret";

class ReportPageBrowser : public store_test::SqliteOnlyFixture {};

ProcessResult run_ok(asio::io_context& io, std::vector<std::string> argv, ProcessOptions options) {
  auto r = testing::run_coro(io, run_process(std::move(argv), std::move(options)), std::chrono::minutes(5));
  EXPECT_TRUE(r) << r.error().describe();
  return r ? *r : ProcessResult{-1, "", "did not run", false};
}

TEST_F(ReportPageBrowser, RendersWithoutErrorsAndShowsEverySection) {
  store::InvestigationRow inv;
  inv.service = "orders";
  inv.trigger = "alert";
  const store::Id id = run(store_->create_investigation(inv)).value();
  ASSERT_TRUE(run(store_->update_investigation(id, store::InvestigationStatus::Done,
                                               testing::read_test_file("reports/n_plus_one.json"), "")));
  Router router;
  add_report_routes(router, *store_, std::string(kSecret));
  HttpServerSettings settings;
  settings.listen = "127.0.0.1:0";
  auto server = start_http_server(io_.get_executor(), settings, std::move(router));
  ASSERT_TRUE(server) << server.error().describe();

  const std::string node_dir = std::string(ALERTBOT_SOURCE_DIR) + "/tests/node";
  ProcessOptions install;
  install.timeout = std::chrono::minutes(5);
  auto installed = run_ok(io_, {"bash", node_dir + "/install.sh", node_dir}, install);
  ASSERT_EQ(installed.exit_code, 0) << "npm ci failed in tests/node (is the npm registry reachable?)\n" << installed.err;

  std::filesystem::create_directories(ALERTBOT_ARTIFACTS_DIR);
  const std::string png = std::string(ALERTBOT_ARTIFACTS_DIR) + "/report_page.png";
  std::filesystem::remove(png);
  const std::string url = report_link("http://127.0.0.1:" + std::to_string((*server)->port()), id, kSecret);
  ProcessOptions check;
  check.timeout = std::chrono::minutes(2);
  check.env = {{"NODE_PATH", node_dir + "/node_modules"}};
  auto checked = run_ok(io_, {"node", node_dir + "/report_page_check.mjs", url, png}, check);
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_TRUE(std::filesystem::exists(png)) << png;
  std::cout << checked.out;
  run((*server)->stop());
}

}  // namespace
}  // namespace alertbot::bot
