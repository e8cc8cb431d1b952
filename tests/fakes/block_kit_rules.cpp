// Slack's Block Kit limits as the emulator enforces them.
#include "tests/fakes/block_kit_rules.hpp"

#include <boost/json.hpp>
#include <set>

namespace alertbot::fakes {
namespace {

namespace json = boost::json;

std::size_t text_length(const json::value* t) {
  if (!t || !t->is_object()) return 0;
  auto* s = t->as_object().if_contains("text");
  return s && s->is_string() ? s->get_string().size() : 0;
}

std::size_t element_text(const json::value& e) { return e.is_object() ? text_length(&e) : 0; }

}  // namespace

std::string check_block_kit(const std::string& blocks_text) {
  boost::system::error_code ec;
  json::value v = json::parse(blocks_text, ec);
  if (ec || !v.is_array()) return "invalid_blocks_format";
  const auto& blocks = v.as_array();
  if (blocks.size() > 50) return "invalid_blocks";
  std::size_t total = 0;
  std::set<std::string> block_ids;
  for (const auto& b : blocks) {
    if (!b.is_object() || !b.as_object().if_contains("type") || !b.as_object().at("type").is_string()) return "invalid_blocks";
    const auto& o = b.as_object();
    std::string type(o.at("type").as_string());
    if (auto* id = o.if_contains("block_id"); id && id->is_string()) {
      if (id->get_string().size() > 255 || !block_ids.insert(std::string(id->get_string())).second) return "invalid_blocks";
    }
    std::size_t n = text_length(o.if_contains("text"));
    total += n;
    if (type == "header" && (n == 0 || n > 150)) return "invalid_blocks";
    if (type == "section") {
      if (n > 3000) return "invalid_blocks";
      auto* f = o.if_contains("fields");
      if (f && f->is_array()) {
        if (f->as_array().size() > 10) return "invalid_blocks";
        for (const auto& field : f->as_array()) {
          if (element_text(field) > 2000) return "invalid_blocks";
          total += element_text(field);
        }
      }
      if (n == 0 && !f) return "invalid_blocks";
    }
    auto* el = o.if_contains("elements");
    if (type == "context" && el && el->is_array()) {
      if (el->as_array().size() > 10) return "invalid_blocks";
      for (const auto& e : el->as_array()) total += element_text(e);
    }
    if (type == "actions" && el && el->is_array()) {
      if (el->as_array().size() > 25) return "invalid_blocks";
      for (const auto& e : el->as_array()) {
        if (element_text(e) > 75) return "invalid_blocks";
        auto* val = e.is_object() ? e.as_object().if_contains("value") : nullptr;
        if (val && val->is_string() && val->get_string().size() > 2000) return "invalid_blocks";
      }
    }
  }
  // Slack refuses messages whose blocks carry about 13k characters in all, even when every block
  // is within its own limit (bolt-js #2509).
  if (total > 13000) return "msg_blocks_too_long";
  return {};
}


}  // namespace alertbot::fakes
