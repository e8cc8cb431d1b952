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

}  // namespace
}  // namespace alertbot
