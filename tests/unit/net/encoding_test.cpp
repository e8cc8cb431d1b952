#include <gtest/gtest.h>

#include "net/encoding.hpp"

namespace alertbot {
namespace {

TEST(Encoding, HexIsLowercaseForEveryByte) {
  EXPECT_EQ(to_hex(std::string("\x00\x0f\xab\xff", 4)), "000fabff");
  EXPECT_EQ(to_hex(""), "");
}

TEST(Encoding, Base64TakesStandardAndUrlSafeWithOrWithoutPadding) {
  EXPECT_EQ(base64_decode("Z3JhZmFuYTpob29rLXNlY3JldC10b2tlbg=="), "grafana:hook-secret-token");
  EXPECT_EQ(base64_decode("Z3JhZmFuYTpob29rLXNlY3JldC10b2tlbg"), "grafana:hook-secret-token");
  EXPECT_EQ(to_hex(*base64_decode("S/kvNXezTaajzpKdDg5HNg==")), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(to_hex(*base64_decode("S_kvNXezTaajzpKdDg5HNg")), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Encoding, Base64RefusesOtherCharacters) {
  EXPECT_FALSE(base64_decode("ab cd"));
  EXPECT_FALSE(base64_decode("ab*d"));
}

TEST(Utf8, WellFormedTextPassesAndEachKindOfMalformedByteIsFound) {
  EXPECT_EQ(invalid_utf8_at(""), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_at("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_at("ok\xff"), 2u);              // never in UTF-8
  EXPECT_EQ(invalid_utf8_at("a\x80"), 1u);               // stray continuation
  EXPECT_EQ(invalid_utf8_at("ab\xe2\x82"), 2u);         // cut sequence
  EXPECT_EQ(invalid_utf8_at("\xc0\xaf"), 0u);           // overlong '/'
  EXPECT_EQ(invalid_utf8_at("\xe0\x80\xaf"), 0u);      // overlong, three bytes
  EXPECT_EQ(invalid_utf8_at("x\xed\xa0\x80"), 1u);     // a surrogate
  EXPECT_EQ(invalid_utf8_at("\xf4\x90\x80\x80"), 0u); // beyond U+10FFFF
  EXPECT_EQ(replace_invalid_utf8(",e\xff caf\xc3\xa9\x80", ' '), ",e  caf\xc3\xa9 ");
}

}  // namespace
}  // namespace alertbot
