// The scenario suite: ten incidents with a known cause, each served over real HTTP by the protocol
// fakes with a real git history, investigated with no LLM. Each must name the right suspect first
// (or abstain when nothing happened); the suite prints an accuracy table.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "tests/scenarios/world.hpp"

namespace alertbot::scenarios {
namespace {

struct Row {
  std::string name, expected, got;
  double confidence = 0;
  bool ok = false;
  long ms = 0;
};

std::string describe_expected(const Expected& e, const std::vector<std::string>& refs) {
  if (e.abstain) return "abstain";
  std::string s = e.kind + " ";
  for (std::size_t i = 0; i < refs.size(); ++i) s += (i ? " | " : "") + refs[i].substr(0, 12);
  return s;
}

void print_table(const std::vector<Row>& rows) {
  int right = 0;
  std::printf("\n%-28s %-34s %-34s %6s %6s %s\n", "scenario", "expected", "top cause", "conf", "ms", "ok");
  for (const auto& r : rows) {
    right += r.ok ? 1 : 0;
    std::printf("%-28s %-34s %-34s %6.2f %6ld %s\n", r.name.c_str(), r.expected.substr(0, 34).c_str(),
                r.got.substr(0, 34).c_str(), r.confidence, r.ms, r.ok ? "yes" : "NO");
  }
  std::printf("accuracy: %d/%zu top-1 right (abstention counted as right only where expected)\n\n", right, rows.size());
}

// Every cause cites only findings that exist; JSON carries the contract's fields.
void check_report_shape(const Outcome& o, const std::string& name) {
  for (const auto& c : o.result.causes) {
    for (const auto& id : c.evidence) {
      EXPECT_TRUE(std::any_of(o.result.findings.begin(), o.result.findings.end(), [&](const auto& f) { return f.id == id; }))
          << name << ": cause cites missing finding " << id;
    }
  }
  boost::system::error_code ec;
  auto v = boost::json::parse(o.report_json, ec);
  ASSERT_FALSE(ec) << name;
  const auto& obj = v.as_object();
  for (const char* key : {"alert", "service", "window", "onset", "sources", "findings", "causes", "abstained", "timings"}) {
    EXPECT_TRUE(obj.contains(key)) << name << ": report JSON lacks " << key;
  }
  for (const auto& s : obj.at("sources").as_array()) {
    const auto status = s.as_object().at("status").as_string();
    EXPECT_TRUE(status == "ok" || status == "skipped") << name << ": source " << s.as_object().at("name").as_string()
                                                       << " " << status << ": " << s.as_object().at("detail").as_string();
  }
}

TEST(ScenarioSuite, EveryIncidentGetsTheRightTopCause) {
  std::vector<Row> rows;
  for (const auto& scenario : catalog()) {
    SCOPED_TRACE(scenario.name);
    Outcome o = run_scenario(scenario);
    ASSERT_EQ(o.error, "") << scenario.name;
    const auto refs = accepted_refs(scenario.expected, o);
    Row row{scenario.name, describe_expected(scenario.expected, refs), "", 0, false, static_cast<long>(o.took.count())};
    const auto& res = o.result;
    if (res.causes.empty()) {
      row.got = "abstain";
      row.ok = scenario.expected.abstain && res.abstained;
    } else {
      const auto& top = res.causes.front();
      row.got = top.suspect.kind + " " + top.suspect.ref.substr(0, 12);
      row.confidence = top.confidence;
      row.ok = !scenario.expected.abstain && top.suspect.kind == scenario.expected.kind &&
               std::find(refs.begin(), refs.end(), top.suspect.ref) != refs.end();
    }
    EXPECT_TRUE(row.ok) << scenario.name << " (" << scenario.story << "): expected " << row.expected << ", got " << row.got
                        << "\nreport: " << o.report_json.substr(0, 6000);
    check_report_shape(o, scenario.name);
    // ALERTBOT_SCENARIO_DUMP=DIR keeps every report (DIR/<scenario>.json) for people to read.
    if (const char* dump = std::getenv("ALERTBOT_SCENARIO_DUMP")) {
      std::ofstream(std::string(dump) + "/" + scenario.name + ".json") << o.report_json << "\n";
    }
    rows.push_back(row);
  }
  print_table(rows);
}

}  // namespace
}  // namespace alertbot::scenarios
