#include "llm/context.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "llm/token_estimate.hpp"

namespace alertbot::llm {
namespace {

ContextItem item(std::string id, std::string section, int priority, std::string text) {
  return ContextItem{std::move(id), std::move(section), priority, std::move(text)};
}

std::vector<std::string> ids(std::initializer_list<const char*> list) { return {list.begin(), list.end()}; }

std::string log_line(int i) {
  return "connection pool exhausted, waited <*>ms (pool=primary, shard=" + std::to_string(i) + ") x" +
         std::to_string(100 + i);
}

TEST(PackContext, EverythingFitsRenderedBySectionInAFixedOrder) {
  std::vector<ContextItem> items = {
      item("l1", "log", 3, "pool exhausted x1482"),
      item("d1", "diff", 2, "-MaxSize 50\n+MaxSize 5"),
      item("m1", "finding", 1, "p99 of POST /v1/charge 180ms -> 4.2s"),
      item("a1", "alert", 0, "HighErrorRate firing for checkout"),
      item("x1", "custom", 4, "something else"),
      item("m2", "finding", 1, "error ratio 0.31"),
  };
  const PackedContext packed = pack_context(items, 24000);
  EXPECT_EQ(packed.text,
            "## Alert\n[a1] HighErrorRate firing for checkout\n"
            "\n## Findings\n[m1] p99 of POST /v1/charge 180ms -> 4.2s\n[m2] error ratio 0.31\n"
            "\n## Code changes\n[d1] -MaxSize 50\n+MaxSize 5\n"
            "\n## Logs\n[l1] pool exhausted x1482\n"
            "\n## custom\n[x1] something else\n");
  EXPECT_EQ(packed.tokens, estimate_tokens(packed.text));
  EXPECT_EQ(packed.included, ids({"a1", "m1", "m2", "d1", "l1", "x1"}));
  EXPECT_TRUE(packed.left_out.empty());
  EXPECT_EQ(packed.note, "");
}

TEST(PackContext, TheBudgetIsRespectedAndTheRestIsNamedInTheNote) {
  std::vector<ContextItem> items = {item("a1", "alert", 0, "HighErrorRate firing for checkout")};
  for (int i = 0; i < 40; ++i) {
    items.push_back(item("l" + std::to_string(i), "log", 5, log_line(i)));
  }
  for (int i = 0; i < 3; ++i) {
    items.push_back(item("d" + std::to_string(i), "diff", 7, std::string(400, 'x') + " hunk"));
  }
  const PackedContext packed = pack_context(items, 300);
  EXPECT_LE(packed.tokens, 300u);
  EXPECT_EQ(packed.tokens, estimate_tokens(packed.text));
  EXPECT_GT(packed.tokens, 250u);  // filled, not just started
  ASSERT_FALSE(packed.included.empty());
  EXPECT_EQ(packed.included.front(), "a1");
  EXPECT_EQ(packed.included.size() + packed.left_out.size(), items.size());
  const std::size_t logs_out = packed.left_out.size() - 3;  // all three diffs are out
  EXPECT_EQ(packed.note, "left out: 3 diff hunks, " + std::to_string(logs_out) + " log templates (budget 300 tokens)");
  // Log lines go in in priority order (ties: input order): the first ones are in, the last ones out.
  EXPECT_EQ(packed.included[1], "l0");
  EXPECT_EQ(packed.left_out.back(), "d2");
  EXPECT_NE(packed.text.find("[l0] " + log_line(0) + "\n"), std::string::npos);
  EXPECT_EQ(packed.text.find("[l39]"), std::string::npos);
}

TEST(PackContext, LowerPriorityGoesFirstAndTiesKeepInputOrder) {
  std::vector<ContextItem> items = {
      item("late", "log", 9, "x"), item("b", "log", 1, "b"), item("c", "log", 1, "c"), item("first", "log", 0, "f"),
  };
  const PackedContext packed = pack_context(items, 1000);
  EXPECT_EQ(packed.included, ids({"first", "b", "c", "late"}));
  EXPECT_EQ(packed.text, "## Logs\n[first] f\n[b] b\n[c] c\n[late] x\n");
}

TEST(PackContext, AnItemThatDoesNotFitIsSkippedNotCutAndSmallerOnesStillGoIn) {
  const std::string big = "big trace " + std::string(3000, 'y');
  std::vector<ContextItem> items = {
      item("a1", "alert", 0, "HighErrorRate"),
      item("t1", "trace", 1, big),
      item("l1", "log", 2, "pool exhausted"),
  };
  const PackedContext packed = pack_context(items, 100);
  EXPECT_EQ(packed.included, ids({"a1", "l1"}));
  EXPECT_EQ(packed.left_out, ids({"t1"}));
  EXPECT_EQ(packed.text.find("yyy"), std::string::npos);
  EXPECT_EQ(packed.note, "left out: 1 trace (budget 100 tokens)");
}

TEST(PackContext, AZeroBudgetTakesNothing) {
  std::vector<ContextItem> items = {item("a1", "alert", 0, "HighErrorRate"), item("l1", "log", 1, "x")};
  const PackedContext packed = pack_context(items, 0);
  EXPECT_EQ(packed.text, "");
  EXPECT_EQ(packed.tokens, 0u);
  EXPECT_TRUE(packed.included.empty());
  EXPECT_EQ(packed.left_out, ids({"a1", "l1"}));
  EXPECT_EQ(packed.note, "left out: 1 alert, 1 log template (budget 0 tokens)");
}

TEST(PackContext, NoItemsGiveAnEmptyContext) {
  const PackedContext packed = pack_context({}, 24000);
  EXPECT_EQ(packed.text, "");
  EXPECT_EQ(packed.tokens, 0u);
  EXPECT_EQ(packed.note, "");
}

TEST(PackContext, AHugeItemIsLeftOutWhole) {
  std::string huge;
  for (int i = 0; i < 20000; ++i) {
    huge += log_line(i) + "\n";
  }
  std::vector<ContextItem> items = {
      item("h1", "log", 0, huge), item("a1", "alert", 1, "HighErrorRate"), item("h2", "weird", 2, huge)};
  const PackedContext packed = pack_context(items, 24000);
  EXPECT_EQ(packed.included, ids({"a1"}));
  EXPECT_EQ(packed.left_out, ids({"h1", "h2"}));
  EXPECT_EQ(packed.text, "## Alert\n[a1] HighErrorRate\n");
  EXPECT_EQ(packed.note, "left out: 1 log template, 1 weird item (budget 24000 tokens)");
}

TEST(PackContext, EveryBudgetIsRespectedAndEveryTakenItemIsWhole) {
  std::vector<ContextItem> items;
  for (int i = 0; i < 30; ++i) {
    const char* sections[] = {"finding", "diff", "trace", "log"};
    items.push_back(item("i" + std::to_string(i), sections[i % 4], i % 5, log_line(i) + std::string(i * 7, 'z')));
  }
  for (std::size_t budget = 0; budget <= 1200; budget += 17) {
    const PackedContext packed = pack_context(items, budget);
    ASSERT_LE(packed.tokens, budget);
    ASSERT_EQ(packed.included.size() + packed.left_out.size(), items.size());
    for (const auto& id : packed.included) {
      const auto& taken = items[static_cast<std::size_t>(std::stoi(id.substr(1)))];
      ASSERT_NE(packed.text.find("[" + id + "] " + taken.text + "\n"), std::string::npos) << id;
    }
  }
}

}  // namespace
}  // namespace alertbot::llm
