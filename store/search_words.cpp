#include "store/search_words.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

namespace alertbot::store {
namespace {

constexpr std::array<std::string_view, 4> kOperatorWords{"and", "or", "not", "near"};

bool is_word_byte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::vector<std::string> split_words(std::string_view text) {
  text = text.substr(0, std::min(text.size(), kMaxSearchInputBytes));
  std::vector<std::string> words;
  std::string word;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_word_byte(c)) {
      word += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ch;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::string word_sequence(std::string_view text) {
  const auto words = split_words(text);
  if (words.empty()) return "";
  std::string out = " ";
  for (const auto& w : words) out += w + " ";
  return out;
}

std::vector<std::string> query_words(std::string_view text) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (auto& w : split_words(text)) {
    if (out.size() == kMaxQueryWords) break;
    if (w.size() > kMaxWordBytes) continue;
    if (std::find(kOperatorWords.begin(), kOperatorWords.end(), w) != kOperatorWords.end()) continue;
    if (!seen.insert(w).second) continue;
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace alertbot::store
