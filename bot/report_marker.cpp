#include "bot/report_marker.hpp"

#include <boost/json.hpp>

#include "store/store.hpp"

namespace alertbot::bot {

namespace json = boost::json;

std::string report_marker(store::Id id) { return "alertbot-investigation-" + std::to_string(id); }

slack::MessageContent with_report_marker(slack::MessageContent content, store::Id id) {
  json::array blocks;
  if (!content.blocks_json.empty()) {
    boost::system::error_code ec;
    auto parsed = json::parse(content.blocks_json, ec);
    if (!ec && parsed.is_array()) blocks = std::move(parsed.as_array());
  }
  if (blocks.empty() || !blocks.front().is_object()) {
    json::object section{{"type", "section"}, {"text", json::object{{"type", "mrkdwn"}, {"text", content.text}}}};
    blocks.insert(blocks.begin(), std::move(section));
  }
  blocks.front().as_object()["block_id"] = report_marker(id);
  content.blocks_json = json::serialize(blocks);
  return content;
}

bool carries_report_marker(const std::string& message_json, store::Id id) {
  boost::system::error_code ec;
  auto parsed = json::parse(message_json, ec);
  if (ec || !parsed.is_object()) return false;
  const auto* blocks = parsed.as_object().if_contains("blocks");
  if (blocks == nullptr || !blocks->is_array()) return false;
  const std::string marker = report_marker(id);
  for (const auto& b : blocks->as_array()) {
    if (!b.is_object()) continue;
    const auto* block_id = b.as_object().if_contains("block_id");
    if (block_id != nullptr && block_id->is_string() && block_id->as_string() == marker) return true;
  }
  return false;
}

awaitable<Result<std::optional<store::ReportRow>>> recorded_report(store::Store& store, slack::WebApi& api,
                                                                    store::Id id) {
  auto row = co_await store.get_report(id);
  if (!row) co_return row.error();
  if (!*row || !(*row)->message_ts.empty()) co_return std::move(*row);
  // "posting": look for the marked message in the thread.
  store::ReportRow found = **row;
  const std::string channel = found.channel, thread_ts = found.thread_ts;
  const slack::PageQuery first_page;  // named: no temporaries in a co_await operand
  auto page = co_await api.replies(channel, thread_ts, first_page);
  if (!page) co_return page.error();
  for (const auto& m : page->messages) {
    if (!carries_report_marker(m.json, id)) continue;
    found.message_ts = m.ts;
    found.state = "placeholder";
    if (auto r = co_await store.put_report(found); !r) co_return r.error();
    co_return std::optional<store::ReportRow>(std::move(found));
  }
  co_return std::optional<store::ReportRow>();
}

}  // namespace alertbot::bot
