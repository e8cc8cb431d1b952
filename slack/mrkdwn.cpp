#include "slack/mrkdwn.hpp"

#include <array>

namespace alertbot::slack {

namespace {

// After an '@' at `i`: a zero-width space when a broadcast word follows, so "@here" shows but
// never notifies.
void defuse_after_at(std::string_view s, std::size_t i, std::string& out) {
  for (std::string_view word : {"here", "channel", "everyone"}) {
    if (s.substr(i + 1, word.size()) == word) {
      out += "\xE2\x80\x8B";
      return;
    }
  }
}

}  // namespace

std::string escape(std::string_view untrusted) {
  const std::string_view s = untrusted;
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
      if (c == '@') defuse_after_at(s, i, out);
    }
  }
  return out;
}

std::string plain(std::string_view untrusted) {
  const std::string_view s = untrusted;
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') {
      out += "\xE2\x80\xB9";  // ‹
    } else if (s[i] == '>') {
      out += "\xE2\x80\xBA";  // ›
    } else {
      out += s[i];
      if (s[i] == '@') defuse_after_at(s, i, out);
    }
  }
  return out;
}

std::string link(std::string_view url, std::string_view label) {
  if (url.substr(0, 7) != "http://" && url.substr(0, 8) != "https://") return escape(label);
  std::string safe;
  for (char c : url) {
    switch (c) {
      case '|': safe += "%7C"; break;
      case '<': safe += "%3C"; break;
      case '>': safe += "%3E"; break;
      case ' ': safe += "%20"; break;
      case '@': safe += "%40"; break;  // equivalent in a URL, and never a mention
      case '&': safe += "&amp;"; break;
      default: safe += c;
    }
  }
  std::string text = escape(label);
  if (text.empty()) return "<" + safe + ">";
  return "<" + safe + "|" + text + ">";
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  if (max_bytes < kEllipsis.size()) return {};
  std::size_t cut = max_bytes - kEllipsis.size();
  // Back up to the start of a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  // Do not leave half an entity ("&am") or half a link ("<http://...").
  auto amp = text.rfind('&', cut);
  if (amp != std::string_view::npos && text.find(';', amp) >= cut && cut - amp < 8) cut = amp;
  auto open = text.rfind('<', cut);
  if (open != std::string_view::npos && text.find('>', open) >= cut) cut = open;
  return std::string(text.substr(0, cut)) + std::string(kEllipsis);
}

}  // namespace alertbot::slack
