// How the similar-incident search reads untrusted text, shared by both backends: a word is a run
// of ASCII letters and digits (bytes of 0x80 and up count as letters), lower-cased; everything
// else only separates words. Bounded so that a hostile alert cannot make a query expensive.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace alertbot::store {

inline constexpr std::size_t kMaxSearchInputBytes = 8192;  // bytes of the input looked at
inline constexpr std::size_t kMaxQueryWords = 32;          // distinct words a query keeps
inline constexpr std::size_t kMaxWordBytes = 64;           // longer words are dropped
inline constexpr int kMaxSearchLimit = 100;                // hits one search returns at most

// The words of `text` (its first kMaxSearchInputBytes), in order.
std::vector<std::string> split_words(std::string_view text);

// `text` as " w1 w2 ... " (the form of search_documents.alert_key); "" when it has no word.
std::string word_sequence(std::string_view text);

// The distinct words of `text` a full-text query uses, in order of first appearance: without the
// operator words and, or, not, near, without words over kMaxWordBytes, at most kMaxQueryWords.
// A returned word never holds a quote or an operator character.
std::vector<std::string> query_words(std::string_view text);

}  // namespace alertbot::store
