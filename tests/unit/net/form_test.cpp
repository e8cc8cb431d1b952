#include <gtest/gtest.h>

#include "net/form.hpp"

namespace alertbot {
namespace {

TEST(Form, EncodesReservedCharactersAndRoundTrips) {
  FormFields f{{"channel", "C0ALERTS"}, {"text", "a&b=c d/é"}, {"blocks", "[{\"type\":\"section\"}]"}, {"empty", ""}};
  std::string body = form_encode(f);
  EXPECT_EQ(body.substr(0, 17), "channel=C0ALERTS&");
  EXPECT_NE(body.find("text=a%26b%3Dc%20d%2F%C3%A9"), std::string::npos) << body;
  auto back = form_decode(body);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, f);
}

TEST(Form, DecodesPlusAsSpaceAndKeepsOrder) {
  auto f = form_decode("command=%2Finvestigate&text=checkout+1h&text=second");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 3u);
  EXPECT_EQ(*form_get(*f, "command"), "/investigate");
  EXPECT_EQ(*form_get(*f, "text"), "checkout 1h");
  EXPECT_EQ(form_get(*f, "missing"), nullptr);
}

TEST(Form, RejectsBadEscapes) {
  EXPECT_FALSE(form_decode("a=%zz"));
  EXPECT_FALSE(form_decode("a=%4"));
  EXPECT_FALSE(form_decode("a=%"));
}

}  // namespace
}  // namespace alertbot
