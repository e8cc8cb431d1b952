// DigestScheduler: posts the weekly digest once per week, whatever the number of replicas and
// restarts. Every minute (on the injected Clock) it checks whether this week's post time (the
// configured local weekday and time, DigestSettings) has passed; if so it claims the week in the
// store (Store::claim_digest: only one replica wins, and a posted week is never claimed again),
// computes the digest of the 7 days before the post time, posts it to the digest channel and
// marks the week posted. A failed post releases the claim, so the next check retries it.
// Single executor: run() and stop() from the same one. The store, API and clock must outlive it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "bot/digest.hpp"
#include "bot/digest_settings.hpp"
#include "bot/time_zone.hpp"
#include "bot/wakeup.hpp"
#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot {
class Clock;
}
namespace alertbot::slack {
class WebApi;
}
namespace alertbot::store {
class Store;
}

namespace alertbot::bot {

// When the post of the week holding `now` is due.
struct DigestDue {
  IsoWeek week;    // the ISO week (local time) the post belongs to
  store::Time at;  // its local weekday and time, as an instant
};
DigestDue digest_due(const DigestSettings& settings, const TimeZone& zone, store::Time now);

class DigestScheduler {
 public:
  // How often run() checks.
  static constexpr std::chrono::minutes kCheckEvery{1};

  // `owner` names this replica in the claim (host:pid). The time zone is loaded here; one that
  // does not load (config validation prevents it) is logged and UTC is used.
  DigestScheduler(store::Store& store, slack::WebApi& api, const DigestSettings& settings, Clock& clock,
                  std::string owner);

  // Checks now and then every kCheckEvery until stop(). Errors are logged, never thrown.
  awaitable<void> run();
  // Ends run() at its next wait (at once when it is waiting).
  void stop();

  // One check. True when this call posted the digest; false when it is not due yet or another
  // replica (or an earlier check) has it. Errors: the store's, or the post's (the claim is then
  // released).
  awaitable<Result<bool>> check();

 private:
  awaitable<Result<bool>> post(const DigestDue& due);

  store::Store& store_;
  slack::WebApi& api_;
  DigestSettings settings_;
  Clock& clock_;
  std::string owner_;
  TimeZone zone_;
  std::optional<Wakeup> wakeup_;  // created by run() on its executor
  bool stopping_ = false;
};

}  // namespace alertbot::bot
