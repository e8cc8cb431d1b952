#include "investigators/sources/history_source.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "investigators/sources/past_search.hpp"

namespace alertbot::investigators {
namespace {

constexpr std::size_t kMaxWordsBytes = 1024;
constexpr std::size_t kMaxLabelValues = 4;
constexpr std::size_t kMaxLabelValueBytes = 64;

// Labels that name where an alert came from rather than what went wrong (or repeat the name).
constexpr std::array<std::string_view, 10> kSkippedLabels{"alertname", "severity", "instance", "pod", "job",
                                                         "prometheus", "replica", "cluster", "namespace",
                                                         "container"};

// Appends `part` after a space, as long as the words stay within kMaxWordsBytes (cut on a UTF-8
// character boundary).
void append(std::string& words, std::string_view part) {
  if (part.empty() || words.size() + 1 >= kMaxWordsBytes) return;
  if (!words.empty()) words.push_back(' ');
  std::size_t take = std::min(part.size(), kMaxWordsBytes - words.size());
  while (take > 0 && take < part.size() && (static_cast<unsigned char>(part[take]) & 0xC0) == 0x80) --take;
  words.append(part.substr(0, take));
}

class HistorySource final : public Source {
 public:
  explicit HistorySource(PastSearch& past) : past_(past) {}
  std::string name() const override { return "history"; }
  SourceKind kind() const override { return SourceKind::History; }

  awaitable<Result<SourceData>> fetch(const Query& q) override {
    std::string service = q.service;
    std::string words = history_words(q);
    const Time before = q.end - kHistoryRecentGap;
    auto past = co_await past_.similar(std::move(service), std::move(words), before, kHistoryLimit);
    if (!past) co_return past.error();
    SourceData data;
    data.past = std::move(*past);
    if (data.past.size() > static_cast<std::size_t>(kHistoryLimit)) data.past.resize(kHistoryLimit);
    co_return data;
  }

 private:
  PastSearch& past_;
};

class HistoryFactory final : public SourceFactory {
 public:
  explicit HistoryFactory(PastSearch* past) : past_(past) {}
  std::string name() const override { return "history"; }
  std::unique_ptr<Source> create(const ServiceSettings&) const override {
    if (past_ == nullptr) return nullptr;
    return std::make_unique<HistorySource>(*past_);
  }

 private:
  PastSearch* past_;
};

}  // namespace

std::string history_words(const Query& q) {
  std::string words;
  if (q.alert == nullptr) {
    append(words, q.service);
    return words;
  }
  append(words, q.alert->name);
  append(words, q.alert->summary);
  std::size_t values = 0;
  for (const auto& [key, value] : q.alert->labels) {
    if (values == kMaxLabelValues) break;
    const bool skipped = std::find(kSkippedLabels.begin(), kSkippedLabels.end(), key) != kSkippedLabels.end();
    if (skipped || value.empty() || value.size() > kMaxLabelValueBytes) continue;
    append(words, value);
    ++values;
  }
  return words;
}

std::unique_ptr<SourceFactory> make_history_factory(PastSearch* past) {
  return std::make_unique<HistoryFactory>(past);
}

}  // namespace alertbot::investigators
