// estimate_tokens: a conservative count of the BPE tokens (cl100k_base / o200k_base style) a text
// costs, without shipping a vocabulary. Used to keep prompts inside a token budget, so it errs
// high: on the checked corpus (tests/data/token_corpus, compared with the real tokenizers by ctest
// `llm_tokens`) it is never more than 10% under either encoding, and on average about a quarter
// over (more for non-English text under o200k_base). Pure function, no allocation, thread-safe.
//
// The model follows how those tokenizers work: a regex first cuts the text into pieces (a word with
// its leading space, up to 3 digits, a punctuation run, a whitespace run), then BPE merges inside
// each piece, so every piece costs at least one token. The estimate cuts the text the same way and
// charges each piece (costs in tenths of a token, summed, then rounded up):
//   - letters (ASCII), split at lower->Upper like o200k does: a pronounceable run of up to 6
//     letters is 1 token, longer ones one more per 5 letters; ALL-CAPS runs 1 per 3 letters; runs
//     that look random (no vowel, few vowels, 4+ consonants in a row, mixed case) 0.7 per letter;
//   - digits: 1 token per group of up to 3 (both tokenizers split numbers that way);
//   - punctuation: 1 token per 2 characters, a run of one repeated character ("!!!", "=====")
//     1.5 plus 1 per 8; one character right before a word (".com", "(x") goes with the word;
//   - whitespace: a line-break run is 1 token, spaces/tabs after it (or alone) 1 plus 1 per 64;
//     the last space before a word or punctuation goes with it (not before digits);
//   - non-ASCII, per code point by script: Cyrillic 0.6, Latin accents and signs 0.8, Arabic 1,
//     Greek/Hebrew/other 2-byte 1.3, CJK/kana/Hangul 1.1, other 3-byte (Indic, Thai, symbols,
//     joiners) 1.5, emoji 2.5, other 4-byte 3.3; a run of them is at least 1 token;
//   - a whitespace-delimited chunk that looks random (base64, keys: upper, lower and digits, the
//     class changing every 4 characters or less, little punctuation) at least 0.65 per byte.
// The sum then gets a 5% margin. cl100k_base, the costlier one for non-English text, sets the
// costs; o200k_base is checked too. Texts unlike the corpus may fall outside the 10% bound.
#pragma once

#include <cstddef>
#include <string_view>

namespace alertbot::llm {

// Conservative estimate of the tokens `text` costs; 0 only for the empty text. Adding text never
// lowers the estimate (estimate_tokens(a + b) >= estimate_tokens(a)).
std::size_t estimate_tokens(std::string_view text) noexcept;

}  // namespace alertbot::llm
