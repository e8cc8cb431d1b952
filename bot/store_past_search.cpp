#include "bot/store_past_search.hpp"

#include "store/store.hpp"

namespace alertbot::bot {
namespace {

investigators::PastInvestigation to_past(store::SearchHit& hit) {
  investigators::PastInvestigation p;
  p.id = std::to_string(hit.investigation_id);
  p.at = hit.finished_at;
  p.service = std::move(hit.service);
  p.alert_name = std::move(hit.alert_name);
  p.top_cause = std::move(hit.top_cause);
  p.suspect_kind = std::move(hit.suspect_kind);
  p.suspect_ref = std::move(hit.suspect_ref);
  p.feedback = std::move(hit.feedback);
  p.similarity = hit.score;
  return p;
}

class StorePastSearch final : public investigators::PastSearch {
 public:
  explicit StorePastSearch(store::Store& store) : store_(store) {}

  awaitable<Result<std::vector<investigators::PastInvestigation>>> similar(std::string service, std::string words,
                                                                          investigators::Time before,
                                                                          int limit) override {
    auto hits = co_await store_.search_investigations(std::move(service), std::move(words), before, limit);
    if (!hits) co_return hits.error();
    std::vector<investigators::PastInvestigation> out;
    out.reserve(hits->size());
    for (auto& hit : *hits) out.push_back(to_past(hit));
    co_return out;
  }

 private:
  store::Store& store_;
};

}  // namespace

std::unique_ptr<investigators::PastSearch> make_store_past_search(store::Store& store) {
  return std::make_unique<StorePastSearch>(store);
}

}  // namespace alertbot::bot
