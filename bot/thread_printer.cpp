#include "bot/thread_printer.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <sstream>

namespace alertbot::bot {
namespace {

namespace json = boost::json;

const std::map<std::string, std::string>& emoji() {
  static const std::map<std::string, std::string> kEmoji = {
      {":red_circle:", "\xF0\x9F\x94\xB4"},          {":large_orange_circle:", "\xF0\x9F\x9F\xA0"},
      {":large_blue_circle:", "\xF0\x9F\x94\xB5"},   {":mag:", "\xF0\x9F\x94\x8E"},
      {":white_check_mark:", "\xE2\x9C\x85"},        {":x:", "\xE2\x9D\x8C"},
      {":hourglass:", "\xE2\x8C\x9B"},               {":warning:", "\xE2\x9A\xA0\xEF\xB8\x8F"},
      {":repeat:", "\xF0\x9F\x94\x81"},              {":grey_question:", "\xE2\x9D\x94"}};
  return kEmoji;
}

bool is_boundary(char c) { return std::isspace(static_cast<unsigned char>(c)) || std::ispunct(static_cast<unsigned char>(c)); }

// Whether the '*' or '_' at `i` opens or closes emphasis (rather than sitting inside a word).
bool is_marker(const std::string& s, std::size_t i) {
  bool before_ok = i == 0 || is_boundary(s[i - 1]);
  bool after_ok = i + 1 == s.size() || is_boundary(s[i + 1]);
  bool opens = before_ok && i + 1 < s.size() && !std::isspace(static_cast<unsigned char>(s[i + 1]));
  bool closes = after_ok && i > 0 && !std::isspace(static_cast<unsigned char>(s[i - 1]));
  return opens || closes;
}

std::string str(const json::value* v) { return v && v->is_string() ? std::string(v->get_string()) : std::string(); }

std::string indent(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) out += prefix + line + "\n";
  return out;
}

std::string render_blocks(const json::array& blocks) {
  std::string out;
  for (const auto& b : blocks) {
    if (!b.is_object()) continue;
    const auto& o = b.as_object();
    std::string type = str(o.if_contains("type"));
    const json::value* text = o.if_contains("text");
    std::string t = text && text->is_object() ? str(text->as_object().if_contains("text")) : "";
    if (type == "header") {
      out += "  \xE2\x96\x8C " + mrkdwn_to_text(t) + "\n";
    } else if (type == "section") {
      if (!t.empty()) out += indent(mrkdwn_to_text(t), "  ");
      if (auto* f = o.if_contains("fields"); f && f->is_array()) {
        for (const auto& field : f->as_array()) {
          if (field.is_object()) out += indent(mrkdwn_to_text(str(field.as_object().if_contains("text"))), "  ");
        }
      }
    } else if (type == "context") {
      std::string line;
      if (auto* els = o.if_contains("elements"); els && els->is_array()) {
        for (const auto& e : els->as_array()) {
          if (!e.is_object()) continue;
          line += (line.empty() ? "" : "  |  ") + mrkdwn_to_text(str(e.as_object().if_contains("text")));
        }
      }
      out += "  \xC2\xB7 " + line + "\n";
    } else if (type == "divider") {
      out += "  ----\n";
    }
  }
  return out;
}

}  // namespace

std::string mrkdwn_to_text(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '<') {
      auto close = s.find('>', i);
      if (close != std::string::npos) {
        std::string inner = s.substr(i + 1, close - i - 1);
        auto bar = inner.find('|');
        out += bar == std::string::npos ? inner : inner.substr(bar + 1) + " (" + inner.substr(0, bar) + ")";
        i = close + 1;
        continue;
      }
    }
    if ((s[i] == '*' || s[i] == '_') && is_marker(s, i)) {
      ++i;  // *bold* and _italic_ markers: a terminal shows the words
      continue;
    }
    if (s[i] == ':') {
      auto close = s.find(':', i + 1);
      if (close != std::string::npos) {
        auto it = emoji().find(s.substr(i, close - i + 1));
        if (it != emoji().end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += s[i++];
  }
  for (auto [from, to] : {std::pair<const char*, const char*>{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (auto p = out.find(from); p != std::string::npos; p = out.find(from, p + 1)) out.replace(p, std::string(from).size(), to);
  }
  return out;
}

std::string print_thread(const std::vector<PrintedMessage>& messages) {
  std::string out;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    out += (i == 0 ? "" : "  \xE2\x94\x82\n") + std::string(i == 0 ? "" : "  \xE2\x94\x94 ") + m.author +
           (m.edits > 0 ? "  (edited)" : "") + "\n";
    std::string body;
    boost::system::error_code ec;
    if (!m.blocks_json.empty()) {
      auto v = json::parse(m.blocks_json, ec);
      if (!ec && v.is_array()) body = render_blocks(v.as_array());
    }
    if (body.empty() && !m.attachments_json.empty()) {
      auto v = json::parse(m.attachments_json, ec);
      if (!ec && v.is_array()) {
        for (const auto& a : v.as_array()) {
          if (!a.is_object()) continue;
          std::string color = str(a.as_object().if_contains("color"));
          body += "  " + std::string(color == "danger" ? "\xF0\x9F\x9F\xA5 " : "\xF0\x9F\x9F\xA9 ") +
                  mrkdwn_to_text(str(a.as_object().if_contains("title"))) + "\n";
          std::string link = str(a.as_object().if_contains("title_link"));
          if (!link.empty()) body += "     " + link + "\n";
          std::string text = str(a.as_object().if_contains("text"));
          if (!text.empty()) body += indent(mrkdwn_to_text(text), "     ");
        }
      }
    }
    for (const auto& f : m.files) body += "  \xF0\x9F\x93\x8E " + f + "\n";
    if (body.empty()) body = indent(mrkdwn_to_text(m.text), "  ");
    out += i == 0 ? body : indent(body, "    ");
  }
  return out;
}

}  // namespace alertbot::bot
