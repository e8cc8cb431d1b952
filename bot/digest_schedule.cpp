#include "bot/digest_schedule.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/this_coro.hpp>

#include "bot/digest_render.hpp"
#include "net/clock.hpp"
#include "slack/web_api.hpp"
#include "store/store.hpp"

namespace alertbot::bot {
namespace {

using namespace std::chrono;

TimeZone load_zone(const std::string& name) {
  auto zone = TimeZone::load(name);
  if (zone) return std::move(*zone);
  spdlog::error("digest: {}; using UTC", zone.error().describe());
  return TimeZone::utc();
}

}  // namespace

DigestDue digest_due(const DigestSettings& settings, const TimeZone& zone, store::Time now) {
  const TimeZone::Seconds local = zone.to_local(floor<seconds>(now));
  const IsoWeek week = IsoWeek::of(floor<days>(local));
  const sys_days day = week.monday() + days(static_cast<int>(settings.weekday) - 1);
  const TimeZone::Seconds due_local = day + hours(settings.hour) + minutes(settings.minute);
  return DigestDue{week, zone.to_utc(due_local)};
}

DigestScheduler::DigestScheduler(store::Store& store, slack::WebApi& api, const DigestSettings& settings, Clock& clock,
                                 std::string owner)
    : store_(store),
      api_(api),
      settings_(settings),
      clock_(clock),
      owner_(std::move(owner)),
      zone_(load_zone(settings.timezone)) {}

awaitable<void> DigestScheduler::run() {
  auto ex = co_await asio::this_coro::executor;
  wakeup_.emplace(ex, clock_);
  while (!stopping_) {
    auto r = co_await check();
    if (!r) spdlog::warn("digest: {}", r.error().describe());
    if (stopping_) break;
    const bool slept = co_await wakeup_->wait(duration_cast<milliseconds>(kCheckEvery));
    if (!slept) break;  // cancelled
  }
}

void DigestScheduler::stop() {
  stopping_ = true;
  if (wakeup_) wakeup_->notify();
}

awaitable<Result<bool>> DigestScheduler::check() {
  const DigestDue due = digest_due(settings_, zone_, clock_.system_now());
  if (clock_.system_now() < due.at) co_return false;
  auto claimed = co_await store_.claim_digest(due.week.str(), owner_);
  if (!claimed) co_return claimed.error();
  if (!*claimed) co_return false;
  auto posted = co_await post(due);
  if (!posted) {
    auto released = co_await store_.release_digest(due.week.str(), owner_);
    if (!released) spdlog::error("digest: cannot release the claim of {}: {}", due.week.str(), released.error().describe());
  }
  co_return posted;
}

awaitable<Result<bool>> DigestScheduler::post(const DigestDue& due) {
  const std::string week = due.week.str();
  DigestWindow window = days_window(due.at, zone_, week);
  auto data = co_await store_.digest_data(window.from, window.to);
  if (!data) co_return data.error();
  const Digest digest = compute_digest(*data, std::move(window));
  slack::MessageContent content = digest_message(digest);
  auto message = co_await api_.post_message(settings_.channel, std::move(content));
  if (!message) co_return message.error();
  spdlog::info("digest: posted {} to {} ({})", week, message->channel, message->ts);
  auto marked = co_await store_.mark_digest_posted(week, owner_, message->channel, message->ts);
  if (!marked) {
    // Posted but not recorded: keep the claim (no release), so no replica posts it again before
    // kDigestClaimTimeout; say so loudly.
    spdlog::error("digest: posted {} but cannot record it: {}", week, marked.error().describe());
  }
  co_return true;
}

}  // namespace alertbot::bot
