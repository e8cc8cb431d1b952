#include "llm/token_estimate.hpp"

#include <gtest/gtest.h>

#include <string>

namespace alertbot::llm {
namespace {

// Real counts below are cl100k_base / o200k_base, taken with js-tiktoken 1.0.21.
void expect_between(std::string_view text, std::size_t real, std::size_t at_most) {
  const std::size_t estimate = estimate_tokens(text);
  EXPECT_GE(estimate, real) << text;
  EXPECT_LE(estimate, at_most) << text;
}

TEST(TokenEstimate, EmptyTextIsZeroAndAnyOtherTextAtLeastOne) {
  EXPECT_EQ(estimate_tokens(""), 0u);
  EXPECT_EQ(estimate_tokens("a"), 1u);
  EXPECT_EQ(estimate_tokens(" "), 1u);
  EXPECT_EQ(estimate_tokens("\n\n\n"), 1u);
  EXPECT_EQ(estimate_tokens("Hello"), 1u);
  EXPECT_EQ(estimate_tokens("\x80"), 1u);  // a stray byte
}

TEST(TokenEstimate, HandCheckedStringsAreNotUnderTheRealCountNorFarOver) {
  expect_between("hello world", 2, 3);
  expect_between("The checkout service is returning errors.", 7, 11);
  expect_between("1234567", 3, 4);  // 123 456 7
  expect_between("2026-12-02T14:05:31Z", 13, 16);
  expect_between(R"({"level":"error","status":500})", 9, 13);
  expect_between("    return value;", 4, 6);
  expect_between("ERROR", 1, 3);
}

TEST(TokenEstimate, NonAsciiIsChargedPerCodePoint) {
  expect_between("支付服务返回错误", 4, 10);  // 8 CJK characters
  expect_between("\xF0\x9F\x9A\xA8\xF0\x9F\x94\xA5", 6, 7);  // two emoji: 6 tokens in cl100k
  EXPECT_GE(estimate_tokens("Сервис оплаты возвращает ошибки"), 10u);
}

TEST(TokenEstimate, RandomLookingTextIsNotCountedAsWords) {
  // base64 of "hello world this is base64": 27 tokens (cl100k), 22 (o200k).
  expect_between("aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ=", 25, 36);
  // A hex digest: letters and digit groups alternate; 36 tokens in both encodings.
  expect_between("5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9", 36, 48);
  // A password-like key: 45 (cl100k) and 43 (o200k) tokens for 64 bytes.
  expect_between("g9#^uh$kxiiEZpFfk1%OHAOEHYqM6Ojb6mj&B#HqSiFVKu4*M^bMnrHontIKARAH", 41, 60);
}

TEST(TokenEstimate, AppendingNeverLowersTheEstimate) {
  const std::string text =
      "2026-12-02 14:05:31,482 ERROR [exec-17] c.e.PaymentClient - Failed after 4000 ms\n"
      "    at com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)\n"
      "\t{\"msg\":\"pool exhausted\",\"waited_ms\":4021}  ----- ===== !!!\n"
      "OQyMfXJHNCzYEA8vb3cNZdZw5Y4DUdiujk9urDQvwjG3sIcW6z/BKJa5YiMXdJQodzPCjui6U721a4gk\n"
      "支付服务 \xF0\x9F\x9A\xA8 Сервис \xC3\xA9t\xC3\xA9 \xE2\x86\x92 internationalization HTTPServer  \n\n  x";
  std::size_t previous = 0;
  for (std::size_t n = 0; n <= text.size(); ++n) {
    const std::size_t estimate = estimate_tokens(std::string_view(text).substr(0, n));
    ASSERT_GE(estimate, previous) << "prefix of " << n << " bytes";
    previous = estimate;
  }
  EXPECT_GT(previous, 100u);
}

TEST(TokenEstimate, GrowsLinearlyWithRepeatedText) {
  const std::string line = "level=error msg=\"connection pool exhausted\" waited_ms=4021 pool=primary\n";
  std::string many;
  for (int i = 0; i < 100; ++i) {
    many += line;
  }
  const std::size_t one = estimate_tokens(line);
  EXPECT_GE(estimate_tokens(many), 100 * one * 9 / 10);
  EXPECT_LE(estimate_tokens(many), 100 * one);
}

TEST(TokenEstimate, HostileBytesAreChargedNotCrashedOn) {
  std::string bytes;
  for (int i = 0; i < 4096; ++i) {
    bytes += static_cast<char>((i * 131 + 7) % 256);
  }
  EXPECT_GE(estimate_tokens(bytes), bytes.size() / 4);
  EXPECT_EQ(estimate_tokens("\xF0\x9F"), estimate_tokens("\xF0\x9F\x9A"));  // truncated emoji
  EXPECT_GE(estimate_tokens("\x80\x80\x80"), 3u);                          // stray continuation bytes
}

}  // namespace
}  // namespace alertbot::llm
