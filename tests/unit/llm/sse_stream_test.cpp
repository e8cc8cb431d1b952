// SseStream gives the same events as parse_sse whatever the pieces the body arrives in.
#include <gtest/gtest.h>

#include <string>

#include "llm/sse.hpp"

namespace alertbot::llm {
namespace {

const std::string kBody =
    ": keep-alive\r\n"
    "event: message_start\r\ndata: {\"a\":1}\r\n\r\n"
    "data: line one\ndata: line two\n\n"
    "event: ping\n\n"
    "data: [DONE]\n\n";

TEST(SseStream, SameEventsForEverySplit) {
  auto whole = parse_sse(kBody);
  ASSERT_TRUE(whole);
  for (std::size_t a = 0; a <= kBody.size(); ++a) {
    for (std::size_t b = a; b <= kBody.size(); b += 7) {
      SseStream s;
      std::vector<SseEvent> got;
      for (const auto& piece : {kBody.substr(0, a), kBody.substr(a, b - a), kBody.substr(b)}) {
        for (auto& e : s.feed(piece)) got.push_back(std::move(e));
      }
      ASSERT_EQ(got.size(), whole->size()) << a << "/" << b;
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].event, (*whole)[i].event);
        EXPECT_EQ(got[i].data, (*whole)[i].data);
      }
      EXPECT_FALSE(s.broken());
    }
  }
}

TEST(SseStream, StopsAtALineThatIsNotAField) {
  SseStream s;
  EXPECT_EQ(s.feed("data: 1\n\n").size(), 1u);
  EXPECT_TRUE(s.feed("<html>not an event stream</html>\n\ndata: 2\n\n").empty());
  EXPECT_TRUE(s.broken());
}

TEST(SseStream, AnOverlongLineBreaksTheStream) {
  SseStream s;
  std::string big(SseStream::kMaxLineBytes + 1, 'x');
  EXPECT_TRUE(s.feed("data: " + big).empty());
  EXPECT_TRUE(s.broken());
}

}  // namespace
}  // namespace alertbot::llm
