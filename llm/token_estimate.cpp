#include "llm/token_estimate.hpp"

#include <algorithm>
#include <cstdint>

namespace alertbot::llm {
namespace {

// Costs are in tenths of a token (see the header for the model).
constexpr std::size_t kTenth = 10;
constexpr std::size_t kMarginPercent = 105;

enum class Kind { Letter, Digit, Space, Punct, Other };

Kind kind_of(unsigned char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
    return Kind::Letter;
  }
  if (c >= '0' && c <= '9') {
    return Kind::Digit;
  }
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
    return Kind::Space;
  }
  return c < 0x80 ? Kind::Punct : Kind::Other;
}

bool is_upper(unsigned char c) noexcept { return c >= 'A' && c <= 'Z'; }

bool is_vowel(unsigned char c) noexcept {
  switch (c | 0x20) {
    case 'a': case 'e': case 'i': case 'o': case 'u': case 'y':
      return true;
    default:
      return false;
  }
}

// The cost of one run of letters (no lower->Upper inside but for its first letters). Every prefix
// of a run costs no more than the run: the cost is the running maximum over the prefixes, so
// appending letters never makes a word cheaper.
class LetterRun {
 public:
  void add(unsigned char c) noexcept {
    ++length_;
    if (is_upper(c)) {
      ++upper_;
    }
    if (is_vowel(c)) {
      ++vowels_;
      cluster_ = 0;
    } else {
      max_cluster_ = std::max(max_cluster_, ++cluster_);
    }
    cost_ = std::max(cost_, current());
  }
  std::size_t cost() const noexcept { return cost_; }

 private:
  std::size_t current() const noexcept {
    const std::size_t n = length_;
    const bool all_caps = upper_ == n && n >= 2;
    const bool mixed_caps = upper_ > 1 && upper_ < n;
    const bool random = mixed_caps || (n >= 2 && vowels_ == 0) ||
                        (n >= 4 && (vowels_ * 5 < n || max_cluster_ >= 4));
    if (random) {
      return std::max<std::size_t>(kTenth, n * 7);
    }
    if (all_caps) {
      return (n + 2) / 3 * kTenth;
    }
    return n <= 6 ? kTenth : (1 + (n - 2) / 5) * kTenth;
  }

  std::size_t length_ = 0, upper_ = 0, vowels_ = 0, cluster_ = 0, max_cluster_ = 0, cost_ = 0;
};

// Bytes a UTF-8 sequence starting with `lead` declares (1 for a stray continuation byte).
std::size_t utf8_length(unsigned char lead) noexcept {
  if (lead >= 0xF0) {
    return 4;
  }
  if (lead >= 0xE0) {
    return 3;
  }
  return lead >= 0xC0 ? 2 : 1;
}

// The cost of one non-ASCII code point, by script (measured on cl100k_base, the costlier one).
std::size_t code_point_cost(char32_t cp) noexcept {
  if (cp < 0x800) {
    if (cp >= 0x400 && cp < 0x530) {
      return 6;  // Cyrillic
    }
    if (cp >= 0x600 && cp < 0x700) {
      return 10;  // Arabic
    }
    return cp < 0x250 ? 8 : 13;  // Latin accents and signs; Greek, Hebrew, others
  }
  if (cp < 0x10000) {
    const bool cjk = (cp >= 0x3000 && cp < 0xA000) || (cp >= 0xAC00 && cp < 0xD7B0) ||
                     (cp >= 0xF900 && cp < 0xFB00) || (cp >= 0xFF00 && cp < 0xFFF0);
    return cjk ? 11 : 15;  // CJK, kana, Hangul; Indic, Thai, symbols, joiners
  }
  return cp >= 0x1F000 && cp < 0x1FB00 ? 25 : 33;  // emoji; rare CJK and the rest
}

// Used for a truncated or invalid sequence: the cheapest complete sequence of that length, so that
// completing it never lowers the estimate.
constexpr std::size_t kCheapest[5] = {10, 10, 6, 11, 25};

struct Scanner {
  std::string_view s;
  std::size_t i = 0;

  unsigned char at(std::size_t k) const noexcept { return static_cast<unsigned char>(s[k]); }
  bool done() const noexcept { return i >= s.size(); }
  Kind next_kind(std::size_t k) const noexcept { return k < s.size() ? kind_of(at(k)) : Kind::Space; }

  std::size_t letters() noexcept {
    std::size_t total = 0;
    while (!done() && kind_of(at(i)) == Kind::Letter) {
      LetterRun run;
      run.add(at(i++));
      // A new piece starts where an upper-case letter follows a lower-case one (o200k's split).
      while (!done() && kind_of(at(i)) == Kind::Letter && !(is_upper(at(i)) && !is_upper(at(i - 1)))) {
        run.add(at(i++));
      }
      total += run.cost();
    }
    return total;
  }

  std::size_t digits() noexcept {
    std::size_t n = 0;
    while (!done() && kind_of(at(i)) == Kind::Digit) {
      ++n, ++i;
    }
    return (n + 2) / 3 * kTenth;
  }

  std::size_t punct() noexcept {
    const std::size_t start = i;
    bool same = true;
    while (!done() && kind_of(at(i)) == Kind::Punct) {
      same = same && at(i) == at(start);
      ++i;
    }
    const std::size_t n = i - start;
    // One punctuation character right before a word belongs to the word's piece.
    if (n == 1 && next_kind(i) == Kind::Letter) {
      return 0;
    }
    if (!same) {
      return (n + 1) / 2 * kTenth;
    }
    return n == 1 ? kTenth : 15 + (n + 3) / 8 * kTenth;  // "!!!", "====...": a little over 1
  }

  // A whitespace run: the part up to its last line break is one piece; the rest (indentation) is
  // another, but for its last space or tab, which goes with a following word or punctuation.
  std::size_t spaces() noexcept {
    const std::size_t start = i;
    std::size_t tail = start;  // after the last line break
    while (!done() && kind_of(at(i)) == Kind::Space) {
      if (at(i) == '\n' || at(i) == '\r') {
        tail = i + 1;
      }
      ++i;
    }
    std::size_t t = i - tail;
    const Kind next = next_kind(i);
    const bool space = i > tail && at(i - 1) == ' ';
    if (t > 0 && !done() && (next == Kind::Letter || next == Kind::Other || (space && next == Kind::Punct))) {
      --t;
    }
    return ((tail > start ? 1 : 0) + (t > 0 ? 1 + t / 64 : 0)) * kTenth;
  }

  // A run of non-ASCII code points costs at least one token (a lone symbol is a piece).
  std::size_t other() noexcept {
    std::size_t total = 0;
    while (!done() && kind_of(at(i)) == Kind::Other) {
      total += code_point();
    }
    return std::max(total, kTenth);
  }

  std::size_t code_point() noexcept {
    const std::size_t len = utf8_length(at(i));
    char32_t cp = len == 1 ? 0 : at(i) & (0x7F >> len);
    std::size_t k = 1;
    while (k < len && i + k < s.size() && (at(i + k) & 0xC0) == 0x80) {
      cp = (cp << 6) | (at(i + k) & 0x3F);
      ++k;
    }
    i += k;
    return k == len && len > 1 ? code_point_cost(cp) : kCheapest[len];
  }
};

// A chunk (text between whitespace) that looks random (base64, keys, passwords: upper and lower
// case and digits, changing class every few characters) costs at least 0.65 token per byte, which
// is what BPE does with it however the pieces fall. The cost is the running maximum over the
// chunk's prefixes, so appending never lowers it.
std::size_t random_chunk_cost(std::string_view chunk) noexcept {
  std::size_t upper = 0, lower = 0, digit = 0, punct = 0, switches = 0, best = 0;
  Kind previous = Kind::Space;  // the last letter or digit
  bool previous_lower = false;
  for (std::size_t k = 0; k < chunk.size(); ++k) {
    const auto c = static_cast<unsigned char>(chunk[k]);
    const Kind kind = kind_of(c);
    if (kind == Kind::Letter || kind == Kind::Digit) {
      const bool is_lower = kind == Kind::Letter && !is_upper(c);
      upper += is_upper(c) ? 1 : 0;
      lower += is_lower ? 1 : 0;
      digit += kind == Kind::Digit ? 1 : 0;
      switches += (kind != previous || (previous_lower && is_upper(c))) ? 1 : 0;
      previous = kind;
      previous_lower = is_lower;
    } else {
      ++punct;
    }
    const std::size_t n = k + 1;
    if (n >= 16 && upper > 0 && lower > 0 && digit > 0 && switches * 4 >= n && punct * 5 <= n) {
      best = std::max(best, n * 65 / 10);
    }
  }
  return best;
}

}  // namespace

std::size_t estimate_tokens(std::string_view text) noexcept {
  Scanner scan{text};
  std::size_t tenths = 0;
  while (!scan.done()) {
    if (kind_of(scan.at(scan.i)) == Kind::Space) {
      tenths += scan.spaces();
      continue;
    }
    // A chunk up to the next whitespace: its pieces, or more if it looks random.
    std::size_t end = scan.i;
    while (end < text.size() && kind_of(static_cast<unsigned char>(text[end])) != Kind::Space) {
      ++end;
    }
    const std::string_view chunk = text.substr(scan.i, end - scan.i);
    Scanner pieces{chunk};
    std::size_t chunk_tenths = 0;
    while (!pieces.done()) {
      switch (kind_of(pieces.at(pieces.i))) {
        case Kind::Letter: chunk_tenths += pieces.letters(); break;
        case Kind::Digit: chunk_tenths += pieces.digits(); break;
        case Kind::Punct: chunk_tenths += pieces.punct(); break;
        default: chunk_tenths += pieces.other(); break;
      }
    }
    tenths += std::max(chunk_tenths, random_chunk_cost(chunk));
    scan.i = end;
  }
  // The margin in whole tenths, then up to whole tokens: one word is 1 token, not 1.05 -> 2.
  const std::uint64_t with_margin = static_cast<std::uint64_t>(tenths) * kMarginPercent / 100;
  return static_cast<std::size_t>((with_margin + kTenth - 1) / kTenth);
}

}  // namespace alertbot::llm
