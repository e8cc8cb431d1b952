// BlockKit: builds the blocks of one message within Slack's limits (spec/slack.md section 6):
// at most 50 blocks, header text 150 chars of plain_text, section text 3000, 10 fields of 2000,
// 10 context elements, 13,000 characters of block text in all. Text over a limit is cut without
// breaking UTF-8, entities or links; blocks past the budget are dropped and a final context line
// says so. The builder never escapes mrkdwn: callers pass mrkdwn they built from escape()d pieces;
// header() takes plain text and neutralises it itself (slack::plain).
#pragma once

#include <string>
#include <vector>

namespace alertbot::slack {

// A button of an actions block. Text is plain (neutralised by the builder); the limits are
// enforced by cutting: text 75, value 2000, url 3000, action_id 255.
struct Button {
  std::string text;
  std::string action_id;
  std::string value;
  std::string url;    // optional: a link button
  std::string style;  // "", "primary" or "danger"
};

class BlockKit {
 public:
  BlockKit& header(std::string plain_text);
  // Texts below are mrkdwn unless named plain.
  BlockKit& section(std::string text);
  // A section for text someone else wrote (model output), already escaped: its text object is
  // `verbatim`, so Slack does not turn bare URLs, domains or channel names in it into links.
  BlockKit& verbatim_section(std::string text);
  BlockKit& fields(const std::vector<std::string>& items);
  BlockKit& context(const std::vector<std::string>& items);
  BlockKit& divider();
  // An actions block with at most 25 buttons.
  BlockKit& actions(const std::vector<Button>& buttons, const std::string& block_id = {});

  // The blocks as a JSON array.
  std::string json() const;
  std::size_t size() const { return blocks_.size(); }
  bool truncated() const { return dropped_ > 0; }

  static constexpr std::size_t kMaxBlocks = 50;
  static constexpr std::size_t kMaxHeader = 150;
  static constexpr std::size_t kMaxSection = 3000;
  static constexpr std::size_t kMaxFields = 10;
  static constexpr std::size_t kMaxField = 2000;
  static constexpr std::size_t kMaxContext = 10;
  static constexpr std::size_t kMaxTotalText = 12000;  // below the ~13k Slack refuses
  static constexpr std::size_t kMaxButtons = 25;
  static constexpr std::size_t kMaxButtonText = 75;
  static constexpr std::size_t kMaxButtonValue = 2000;
  static constexpr std::size_t kMaxUrl = 3000;
  static constexpr std::size_t kMaxId = 255;

 private:
  bool admit(std::size_t text_len);
  std::vector<std::string> blocks_;  // serialised block objects
  std::size_t total_text_ = 0;
  std::size_t dropped_ = 0;
};

}  // namespace alertbot::slack
