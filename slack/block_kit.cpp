#include "slack/block_kit.hpp"

#include <boost/json.hpp>

#include "slack/mrkdwn.hpp"

namespace alertbot::slack {
namespace {

namespace json = boost::json;

json::object mrkdwn(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }

}  // namespace

bool BlockKit::admit(std::size_t text_len) {
  // One block is kept in reserve for the "truncated" note.
  if (blocks_.size() + 1 >= kMaxBlocks || total_text_ + text_len > kMaxTotalText) {
    ++dropped_;
    return false;
  }
  total_text_ += text_len;
  return true;
}

BlockKit& BlockKit::header(std::string text) {
  text = truncate_utf8(plain(text), kMaxHeader);
  if (text.empty() || !admit(text.size())) return *this;
  blocks_.push_back(json::serialize(json::object{{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", text}, {"emoji", true}}}}));
  return *this;
}

BlockKit& BlockKit::section(std::string text) {
  text = truncate_utf8(text, kMaxSection);
  if (text.empty() || !admit(text.size())) return *this;
  blocks_.push_back(json::serialize(json::object{{"type", "section"}, {"text", mrkdwn(std::move(text))}}));
  return *this;
}

BlockKit& BlockKit::verbatim_section(std::string text) {
  text = truncate_utf8(text, kMaxSection);
  if (text.empty() || !admit(text.size())) return *this;
  json::object t = mrkdwn(std::move(text));
  t["verbatim"] = true;
  blocks_.push_back(json::serialize(json::object{{"type", "section"}, {"text", std::move(t)}}));
  return *this;
}

BlockKit& BlockKit::fields(const std::vector<std::string>& items) {
  json::array arr;
  std::size_t len = 0;
  for (const auto& f : items) {
    if (arr.size() == kMaxFields) break;
    std::string t = truncate_utf8(f, kMaxField);
    if (t.empty()) continue;
    len += t.size();
    arr.push_back(mrkdwn(std::move(t)));
  }
  if (arr.empty() || !admit(len)) return *this;
  blocks_.push_back(json::serialize(json::object{{"type", "section"}, {"fields", arr}}));
  return *this;
}

BlockKit& BlockKit::context(const std::vector<std::string>& items) {
  json::array arr;
  std::size_t len = 0;
  for (const auto& e : items) {
    if (arr.size() == kMaxContext) break;
    std::string t = truncate_utf8(e, kMaxSection);
    if (t.empty()) continue;
    len += t.size();
    arr.push_back(mrkdwn(std::move(t)));
  }
  if (arr.empty() || !admit(len)) return *this;
  blocks_.push_back(json::serialize(json::object{{"type", "context"}, {"elements", arr}}));
  return *this;
}

BlockKit& BlockKit::actions(const std::vector<Button>& buttons, const std::string& block_id) {
  json::array elements;
  std::size_t len = 0;
  for (const auto& b : buttons) {
    if (elements.size() == kMaxButtons) break;
    std::string text = truncate_utf8(plain(b.text), kMaxButtonText);
    if (text.empty() || b.action_id.empty()) continue;
    json::object e{{"type", "button"},
                   {"text", {{"type", "plain_text"}, {"text", text}, {"emoji", true}}},
                   {"action_id", b.action_id.substr(0, kMaxId)}};
    if (!b.value.empty()) e["value"] = truncate_utf8(b.value, kMaxButtonValue);
    if (!b.url.empty() && b.url.size() <= kMaxUrl) e["url"] = b.url;  // a cut URL would be wrong: left out
    if (b.style == "primary" || b.style == "danger") e["style"] = b.style;
    len += text.size();
    elements.push_back(std::move(e));
  }
  if (elements.empty() || !admit(len)) return *this;
  json::object block{{"type", "actions"}, {"elements", elements}};
  if (!block_id.empty()) block["block_id"] = block_id.substr(0, kMaxId);
  blocks_.push_back(json::serialize(block));
  return *this;
}

BlockKit& BlockKit::divider() {
  if (admit(0)) blocks_.emplace_back(R"({"type":"divider"})");
  return *this;
}

std::string BlockKit::json() const {
  std::string out = "[";
  for (std::size_t i = 0; i < blocks_.size(); ++i) {
    if (i) out += ",";
    out += blocks_[i];
  }
  if (dropped_ > 0) {
    if (!blocks_.empty()) out += ",";
    out += json::serialize(json::object{
        {"type", "context"},
        {"elements", json::array{mrkdwn("_" + std::to_string(dropped_) + " more block(s) left out to fit Slack's limits_")}}});
  }
  return out + "]";
}

}  // namespace alertbot::slack
