// FuzzCase tables: how every target in tests/fuzz/ shares one libFuzzer entry point among several
// parsers. The input's first byte picks the case (the case whose letter it is, else byte modulo
// the table size, so every byte reaches some parser) and the rest is what that parser reads.
// Seeds are therefore "<letter><body>": tests/fuzz/seeds.txt maps fixture files to letters.
// A case returns normally for every input; a crash, a sanitizer report, an uncaught exception or
// a hang is the finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <spdlog/spdlog.h>

namespace alertbot::fuzz {

struct FuzzCase {
  char letter;                    // the first byte that selects this case (seeds use it)
  void (*run)(std::string_view);  // the parser call; gets the input without its first byte
};

template <std::size_t N>
void dispatch(const FuzzCase (&cases)[N], const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (const auto& c : cases) {
    if (static_cast<std::uint8_t>(c.letter) == data[0]) return c.run(body);
  }
  cases[data[0] % N].run(body);
}

// The text before the first '\n' (all of `s` when there is none); `s` keeps what follows it.
inline std::string_view take_line(std::string_view& s) {
  const std::size_t nl = s.find('\n');
  const std::string_view line = s.substr(0, nl);
  s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
  return line;
}

// Parsers log what they refuse; at millions of inputs that is noise and time. Call once from
// LLVMFuzzerInitialize.
inline void silence_logs() { spdlog::set_level(spdlog::level::off); }

}  // namespace alertbot::fuzz

// libFuzzer's two entry points for a target whose cases are the table `cases` (in namespace
// alertbot::fuzz): logs silenced once, each input dispatched.
#define ALERTBOT_FUZZ_TARGET(cases)                                                  \
  extern "C" int LLVMFuzzerInitialize(int*, char***) {                               \
    alertbot::fuzz::silence_logs();                                                  \
    return 0;                                                                        \
  }                                                                                  \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    alertbot::fuzz::dispatch(alertbot::fuzz::cases, data, size);                     \
    return 0;                                                                        \
  }
