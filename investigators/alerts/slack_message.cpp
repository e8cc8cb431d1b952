#include "investigators/alerts/slack_message.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "investigators/alerts/alert_limits.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators::alerts {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxSlackText = 64 * 1024;

std::string str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return {};
  return std::string(cut_utf8(v->get_string(), kMaxSlackText));
}

// Text objects are {"type":"mrkdwn","text":"..."}; sections also carry "fields".
void block_text(const json::value& block, std::string& out) {
  if (!block.is_object() || out.size() > kMaxSlackText) return;
  const auto& b = block.as_object();
  if (auto* t = b.if_contains("text"); t && t->is_object()) out += str(t->as_object(), "text") + "\n";
  for (const char* list : {"fields", "elements"}) {
    auto* items = b.if_contains(list);
    if (!items || !items->is_array()) continue;
    for (const auto& item : items->as_array()) {
      if (item.is_object()) {
        std::string t = str(item.as_object(), "text");
        if (!t.empty()) out += t + "\n";
      }
    }
  }
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      if (s.substr(i, 5) == "&amp;") out += '&', i += 4;
      else if (s.substr(i, 4) == "&lt;") out += '<', i += 3;
      else if (s.substr(i, 4) == "&gt;") out += '>', i += 3;
      else out += '&';
    } else {
      out += s[i];
    }
  }
  return out;
}

bool is_url(std::string_view s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

// The next `ch` at or after `from` (calls must not go backwards), remembered between calls so
// a text full of '<' stays linear.
class NextFinder {
 public:
  NextFinder(std::string_view text, char ch) : text_(text), ch_(ch) {}
  std::size_t at_or_after(std::size_t from) {
    if (pos_ != std::string_view::npos && pos_ >= from) return pos_;
    if (none_left_) return std::string_view::npos;
    pos_ = text_.find(ch_, from);
    none_left_ = pos_ == std::string_view::npos;
    return pos_;
  }

 private:
  std::string_view text_;
  char ch_;
  std::size_t pos_ = std::string_view::npos;
  bool none_left_ = false;
};

}  // namespace

std::optional<SlackMessage> read_slack_message(const json::object& root) {
  const json::object* msg = &root;
  // An Events API envelope body: the message is its "event".
  if (auto* ev = root.if_contains("event"); ev && ev->is_object() && str(root, "type") == "event_callback") {
    msg = &ev->as_object();
  }
  auto* atts = msg->if_contains("attachments");
  auto* blocks = msg->if_contains("blocks");
  bool has_atts = atts && atts->is_array() && !atts->as_array().empty();
  bool has_blocks = blocks && blocks->is_array() && !blocks->as_array().empty();
  bool is_message = str(*msg, "type") == "message" ||
                    (msg->contains("text") && (msg->contains("username") || msg->contains("bot_id") || msg->contains("ts")));
  if (!has_atts && !has_blocks && !is_message) return std::nullopt;
  SlackMessage m;
  m.username = str(*msg, "username");
  if (auto* bp = msg->if_contains("bot_profile"); m.username.empty() && bp && bp->is_object()) {
    m.username = str(bp->as_object(), "name");
  }
  m.text = str(*msg, "text");
  m.has_attachments = has_atts;
  if (has_atts) {
    for (const auto& a : atts->as_array()) {
      if (!a.is_object()) continue;
      const auto& att = a.as_object();
      m.title = str(att, "title");
      m.fallback = str(att, "fallback");
      m.attachment_text = str(att, "text");
      m.pretext = str(att, "pretext");
      if (m.title.empty() && m.fallback.empty() && m.attachment_text.empty() && m.pretext.empty()) continue;
      m.title_link = str(att, "title_link");
      m.color = to_lower(str(att, "color"));
      if (!m.color.empty() && m.color.front() == '#') m.color.erase(0, 1);
      break;
    }
  }
  if (has_blocks) {
    for (const auto& b : blocks->as_array()) block_text(b, m.blocks_text);
  }
  if (auto ts = parse_slack_ts(str(*msg, "ts")); ts) m.posted_at = *ts;
  return m;
}

std::string slack_title(const SlackMessage& m) {
  if (!m.title.empty()) return slack_plain(m.title);
  return slack_plain(m.fallback.substr(0, m.fallback.find(" | ")));
}

std::optional<AlertTitle> parse_alert_title(std::string_view t) {
  t = trim(t);
  if (t.empty() || t.front() != '[') return std::nullopt;
  auto close = t.find(']');
  if (close > 64) return std::nullopt;  // npos included
  std::string head = to_lower(t.substr(1, close - 1));
  AlertTitle out;
  if (head.rfind("firing", 0) == 0) {
    out.status = AlertStatus::Firing;
    if (head.size() > 7 && head[6] == ':') out.firing = std::clamp(std::atoi(head.c_str() + 7), 1, 1000000);
    if (auto r = head.find("resolved:"); r != std::string::npos) {
      out.resolved = std::clamp(std::atoi(head.c_str() + r + 9), 0, 1000000);
    }
  } else if (head.rfind("resolved", 0) == 0) {
    out.status = AlertStatus::Resolved;
    out.firing = 0;
  } else {
    return std::nullopt;
  }
  std::string_view rest = t.substr(close + 1);
  // Older Grafana appended ", RESOLVED:n" after the values; drop it.
  if (auto comma = rest.rfind(", RESOLVED"); comma != std::string_view::npos) rest = rest.substr(0, comma);
  rest = trim(rest);
  std::string_view others;
  if (!rest.empty() && rest.back() == ')') {
    auto open = rest.rfind('(');
    if (open != std::string_view::npos) {
      others = rest.substr(open + 1, rest.size() - open - 2);
      rest = rest.substr(0, open);
    }
  }
  out.group_values = split_words(rest);
  out.other_values = split_words(others);
  return out;
}

std::string slack_plain(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  NextFinder closes(text, '>');
  NextFinder opens(text, '<');
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<') {
      auto close = closes.at_or_after(i);
      std::string_view inner = close == std::string_view::npos ? std::string_view{} : text.substr(i + 1, close - i - 1);
      if (is_url(inner) && opens.at_or_after(i + 1) > close) {
        auto bar = inner.find('|');
        out += decode_entities(bar == std::string_view::npos ? inner : inner.substr(bar + 1));
        i = close;
        continue;
      }
    }
    out += text[i];
  }
  return decode_entities(out);
}

std::vector<std::string> slack_urls(std::string_view text) {
  std::vector<std::string> out;
  NextFinder closes(text, '>');
  for (std::size_t i = 0; i < text.size() && out.size() < 64; ++i) {
    if (text[i] == '<') {
      auto close = closes.at_or_after(i);
      if (close == std::string_view::npos) break;
      std::string_view inner = text.substr(i + 1, close - i - 1);
      if (is_url(inner)) {
        out.push_back(decode_entities(inner.substr(0, inner.find('|'))));
        i = close;
      }
    } else if ((i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1]))) && is_url(text.substr(i, 8))) {
      std::size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '>') ++end;
      std::string_view url = text.substr(i, end - i);
      while (!url.empty() && (url.back() == ')' || url.back() == ',' || url.back() == '.')) url.remove_suffix(1);
      out.push_back(decode_entities(url));
      i = end;
    }
  }
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace alertbot::investigators::alerts
