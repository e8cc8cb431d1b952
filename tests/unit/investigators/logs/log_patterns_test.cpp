#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/analysis/log_patterns.hpp"

namespace alertbot::investigators::analysis {
namespace {

using namespace std::chrono;
const Time kT0 = Time(seconds(1795578000));  // 2026-11-25T03:40:00Z

TEST(LogMasking, ReplacesVariablePartsWithWildcards) {
  EXPECT_EQ(mask_log_line("took 250ms for 3 items"), "took <*> for <*> items");
  EXPECT_EQ(mask_log_line("retry in 1m30.5s, size 12KB, cpu 93%"), "retry in <*>, size <*>, cpu <*>");
  EXPECT_EQ(mask_log_line("dial tcp 10.0.0.3:5432: connect refused"), "dial tcp <*>: connect refused");
  EXPECT_EQ(mask_log_line("trace 4bf92f3577b34da6a3ce929d0e0e4736 span 0x1f"), "trace <*> span <*>");
  EXPECT_EQ(mask_log_line("req 123e4567-e89b-12d3-a456-426614174000 done"), "req <*> done");
  EXPECT_EQ(mask_log_line("at 2026-01-01T10:00:00.5Z and 2026-01-01 10:00:00+02:00 ok"), "at <*> and <*> ok");
  EXPECT_EQ(mask_log_line("GET /users/42/orders/7 http2 v1 sha256"), "GET /users/<*>/orders/<*> http2 v1 sha256");
  EXPECT_EQ(mask_log_line("user 'bob' not found, id=\"u-17\""), "user <*> not found, id=<*>");
  EXPECT_EQ(mask_log_line("level=error msg=\"charge failed for order 991\" user=\"Ann Lee\""),
            "level=error msg=\"charge failed for order <*>\" user=<*>");
  EXPECT_EQ(mask_log_line(R"j({"level":"error","msg":"payment failed after 3 tries","order":"A-1","n":12})j"),
            R"j({"level":"error","msg":"payment failed after <*> tries","order":<*>,"n":<*>})j");
  EXPECT_EQ(mask_log_line("don't split words like 404NotFound or 3rd"), "don't split words like 404NotFound or 3rd");
}

TEST(TemplateMiner, MergesVariableTokens) {
  TemplateMiner m;
  auto a = m.add("user alice logged in from web", "info");
  auto b = m.add("user bob logged in from web", "info");
  auto c = m.add("user carol logged in from web", "info");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(m.text(a), "user <*> logged in from web");
  EXPECT_EQ(m.size(), 1u);
}

TEST(TemplateMiner, KeyValueValuesBecomeKeyWildcards) {
  TemplateMiner m;
  auto a = m.add("op=read user=alice status=done", "");
  auto b = m.add("op=read user=bob status=done", "");
  EXPECT_EQ(a, b);
  EXPECT_EQ(m.text(a), "op=read user=<*> status=done");
}

TEST(TemplateMiner, DifferentMessagesStayApart) {
  TemplateMiner m;
  auto a = m.add("connection refused by upstream payments", "error");
  auto b = m.add("cache miss for key orders", "error");
  auto c = m.add("connection refused by upstream ledger", "error");
  EXPECT_NE(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(m.text(a), "connection refused by upstream <*>");
  EXPECT_EQ(m.text(b), "cache miss for key orders");
}

TEST(TemplateMiner, LevelsAndLengthsNeverMerge) {
  TemplateMiner m;
  auto err = m.add("request finished", "error");
  auto info = m.add("request finished", "info");
  auto longer = m.add("request finished late", "info");
  EXPECT_NE(err, info);
  EXPECT_NE(info, longer);
  EXPECT_EQ(m.add("   ", "info"), TemplateMiner::kNone);
}

TEST(TemplateMiner, NumbersAreMaskedBeforeMining) {
  TemplateMiner m;
  auto a = m.add("payment failed: upstream 10.0.0.3:443 timeout after 2500ms", "error");
  auto b = m.add("payment failed: upstream 10.0.0.9:443 timeout after 31ms", "error");
  EXPECT_EQ(a, b);
  EXPECT_EQ(m.text(a), "payment failed: upstream <*> timeout after <*>");
}

TEST(TemplateMiner, CapsTheNumberOfTemplates) {
  LogPatternOptions o;
  o.max_templates = 2;
  TemplateMiner m(o);
  EXPECT_NE(m.add("alpha beta", ""), TemplateMiner::kNone);
  EXPECT_NE(m.add("gamma delta epsilon", ""), TemplateMiner::kNone);
  EXPECT_EQ(m.add("zeta", ""), TemplateMiner::kNone);
}

// A sample of 6 complete 10-minute slices from kT0.
LogSample sample_60min() {
  LogSample s;
  s.backend = "loki";
  s.query = "{app=\"checkout\"}";
  for (int i = 0; i < 6; ++i) s.slices.push_back({kT0 + minutes(10 * i), kT0 + minutes(10 * (i + 1)), 0, true});
  return s;
}

void add_every(LogSample& s, Time from, Time to, seconds every, const std::string& level, const std::string& text) {
  int i = 0;
  for (Time t = from; t < to; t += every, ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d", 100 + i * 7 % 900);
    std::string line = text;
    if (auto at = line.find("{n}"); at != std::string::npos) line.replace(at, 3, buf);
    s.lines.push_back({t, line, level});
  }
}

void sort_lines(LogSample& s) {
  std::stable_sort(s.lines.begin(), s.lines.end(), [](const LogLine& a, const LogLine& b) { return a.t < b.t; });
}

TEST(DiffLogs, FindsANewErrorPatternWithItsRate) {
  LogSample s = sample_60min();
  Time pivot = kT0 + minutes(40);
  add_every(s, kT0, kT0 + minutes(60), seconds(6), "info", "level=info msg=\"served request in {n}ms\"");
  // 48 a minute from the pivot on: every 1.25 s.
  for (int i = 0; i < 48 * 20; ++i) {
    s.lines.push_back({pivot + milliseconds(1250 * i),
                       "level=error msg=\"payment failed: upstream 10.0.0." + std::to_string(i % 9) + ":443 timeout\" order=" +
                           std::to_string(5000 + i),
                       "error"});
  }
  sort_lines(s);
  auto d = diff_logs(s, pivot);
  EXPECT_DOUBLE_EQ(d.before_minutes, 40);
  EXPECT_DOUBLE_EQ(d.after_minutes, 20);
  ASSERT_GE(d.templates.size(), 2u);
  const LogTemplate& t = d.templates[0];
  EXPECT_EQ(t.status, "new");
  EXPECT_EQ(t.level, "error");
  EXPECT_EQ(t.text, "level=error msg=\"payment failed: upstream <*> timeout\" order=<*>");
  EXPECT_EQ(t.before, 0u);
  EXPECT_EQ(t.after, 960u);
  EXPECT_DOUBLE_EQ(t.after_per_min, 48);
  EXPECT_EQ(t.first_after, pivot);
  EXPECT_NE(t.example.find("payment failed"), std::string::npos);
  EXPECT_EQ(d.templates[1].status, "");  // the steady info pattern
  EXPECT_NEAR(d.templates[1].before_per_min, 10, 1e-9);
  EXPECT_NEAR(d.templates[1].after_per_min, 10, 1e-9);

  auto fs = log_findings(d, 1);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].id, "l1");
  EXPECT_EQ(fs[0].kind, kinds::kLogPattern);
  EXPECT_EQ(fs[0].source, "loki");
  EXPECT_EQ(fs[0].title, "New error log pattern after 04:20 UTC: \"payment failed: upstream <*> timeout\" (48/min)");
  EXPECT_EQ(fs[0].attributes.at("status"), "new");
  EXPECT_EQ(fs[0].attributes.at("level"), "error");
  EXPECT_EQ(fs[0].attributes.at("template"), t.text);
  EXPECT_DOUBLE_EQ(fs[0].values.at("after_per_min"), 48);
  EXPECT_DOUBLE_EQ(fs[0].values.at("before_per_min"), 0);
  EXPECT_GT(fs[0].score, 0.8);
}

TEST(DiffLogs, SteadyPatternsAreNotFindings) {
  LogSample s = sample_60min();
  add_every(s, kT0, kT0 + minutes(60), seconds(20), "error", "level=error msg=\"cache miss for key {n}\"");
  add_every(s, kT0, kT0 + minutes(60), seconds(3), "info", "served request in {n}ms");
  sort_lines(s);
  auto d = diff_logs(s, kT0 + minutes(30));
  for (const auto& t : d.templates) EXPECT_EQ(t.status, "") << t.text;
  EXPECT_TRUE(log_findings(d, 1).empty());
}

TEST(DiffLogs, AFewStrayLinesAreNotANewPattern) {
  LogSample s = sample_60min();
  add_every(s, kT0 + minutes(50), kT0 + minutes(50) + seconds(4), seconds(1), "error", "disk quota almost reached");
  sort_lines(s);
  auto d = diff_logs(s, kT0 + minutes(30));
  ASSERT_EQ(d.templates.size(), 1u);
  EXPECT_EQ(d.templates[0].after, 4u);  // below min_new
  EXPECT_EQ(d.templates[0].status, "");
}

TEST(DiffLogs, GrownPatternsNeedAThreefoldSignificantRise) {
  LogSample s = sample_60min();
  Time pivot = kT0 + minutes(30);
  add_every(s, kT0, pivot, seconds(60), "warn", "slow query took {n}ms");
  add_every(s, pivot, kT0 + minutes(60), seconds(6), "warn", "slow query took {n}ms");
  add_every(s, kT0, pivot, seconds(30), "info", "cache refreshed in {n}ms");
  add_every(s, pivot, kT0 + minutes(60), seconds(20), "info", "cache refreshed in {n}ms");  // x1.5: not grown
  sort_lines(s);
  auto d = diff_logs(s, pivot);
  ASSERT_EQ(d.templates.size(), 2u);
  EXPECT_EQ(d.templates[0].text, "slow query took <*>");
  EXPECT_EQ(d.templates[0].status, "grown");
  EXPECT_DOUBLE_EQ(d.templates[0].before_per_min, 1);
  EXPECT_DOUBLE_EQ(d.templates[0].after_per_min, 10);
  EXPECT_LT(d.templates[0].p_value, 1e-6);
  EXPECT_EQ(d.templates[1].status, "");
  auto fs = log_findings(d, 4);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].id, "l4");
  EXPECT_EQ(fs[0].title, "Warn log pattern grew 10x after 04:10 UTC: \"slow query took <*>\" (1.0/min -> 10/min)");
}

TEST(DiffLogs, IncompleteSlicesCountOnlyTheTimeTheyCover) {
  LogSample s = sample_60min();
  Time pivot = kT0 + minutes(30);
  // 5 a minute all along; the last slice hit the limit and holds only its last 2 minutes.
  add_every(s, kT0, kT0 + minutes(58), seconds(12), "info", "heartbeat {n}");
  s.lines.erase(std::remove_if(s.lines.begin(), s.lines.end(), [](const LogLine& l) { return l.t >= kT0 + minutes(50); }),
                s.lines.end());
  add_every(s, kT0 + minutes(58), kT0 + minutes(60), seconds(12), "info", "heartbeat {n}");
  s.slices[5].complete = false;
  sort_lines(s);
  auto d = diff_logs(s, pivot);
  EXPECT_TRUE(d.sampled);
  EXPECT_DOUBLE_EQ(d.before_minutes, 30);
  EXPECT_DOUBLE_EQ(d.after_minutes, 22);
  ASSERT_EQ(d.templates.size(), 1u);
  EXPECT_DOUBLE_EQ(d.templates[0].before_per_min, 5);
  EXPECT_DOUBLE_EQ(d.templates[0].after_per_min, 5);
  // Read as complete, the same lines would look like a drop to 3.7 a minute.
  s.slices[5].complete = true;
  EXPECT_NEAR(diff_logs(s, pivot).templates[0].after_per_min, 110.0 / 30, 1e-9);
}

TEST(DiffLogs, ErrorsRankAboveInfoAndFindingsAreCapped) {
  LogSample s = sample_60min();
  Time pivot = kT0 + minutes(30);
  // Six new info patterns of different lengths (so they never merge).
  std::string text;
  for (const char* w : {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}) {
    text += (text.empty() ? "" : " ") + std::string(w);
    add_every(s, pivot, kT0 + minutes(60), seconds(2), "info", text);
  }
  add_every(s, pivot, kT0 + minutes(60), seconds(30), "error", "checkout exploded");
  sort_lines(s);
  auto fs = log_findings(diff_logs(s, pivot), 1);
  ASSERT_EQ(fs.size(), kMaxLogFindings);
  EXPECT_EQ(fs[0].attributes.at("level"), "error");
  EXPECT_EQ(fs[0].attributes.at("template"), "checkout exploded");
  EXPECT_EQ(fs[1].attributes.at("level"), "info");
  EXPECT_EQ(fs[4].id, "l5");
  EXPECT_GT(fs[0].score, fs[1].score);
}

TEST(DiffLogs, NoTimeBeforeThePivotMeansNoFindings) {
  LogSample s = sample_60min();
  add_every(s, kT0, kT0 + minutes(60), seconds(2), "error", "boom {n}");
  auto d = diff_logs(s, kT0 - minutes(5));
  EXPECT_DOUBLE_EQ(d.before_minutes, 0);
  EXPECT_TRUE(log_findings(d, 1).empty());
}

TEST(DiffLogs, HundredThousandLines) {
  LogSample s = sample_60min();
  const char* shapes[] = {"level=info msg=\"served {n} in 12ms\" path=/api/orders/{n}",
                          "level=warn msg=\"slow upstream {n}\" host=10.0.0.{n}:8080",
                          "level=error msg=\"payment failed for order {n}\" trace_id=4bf92f3577b34da6a3ce929d0e0e{n}"};
  for (int i = 0; i < 100000; ++i) {
    std::string line = shapes[i % 3];
    for (auto at = line.find("{n}"); at != std::string::npos; at = line.find("{n}")) line.replace(at, 3, std::to_string(i * 37 % 1000 + 1000));
    s.lines.push_back({kT0 + milliseconds(36 * i), line, i % 3 == 0 ? "info" : i % 3 == 1 ? "warn" : "error"});
  }
  auto start = steady_clock::now();
  auto d = diff_logs(s, kT0 + minutes(30));
  auto ms = duration_cast<milliseconds>(steady_clock::now() - start).count();
  RecordProperty("diff_logs_100k_ms", static_cast<int>(ms));
  std::printf("diff_logs over 100k lines: %lld ms, %zu templates\n", static_cast<long long>(ms), d.templates.size());
  EXPECT_EQ(d.lines, 100000u);
  EXPECT_EQ(d.templates.size(), 3u);
}

}  // namespace
}  // namespace alertbot::investigators::analysis
