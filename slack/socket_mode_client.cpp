#include "slack/socket_mode_client.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>
#include <spdlog/spdlog.h>

#include "net/clock.hpp"
#include "net/websocket.hpp"
#include "slack/web_api.hpp"

namespace alertbot::slack {

namespace {
constexpr std::size_t kSeenCapacity = 10000;
}

// One of the sockets run() keeps open: its loop, the socket of the moment, and how to stop it.
struct SocketModeClient::Slot {
  int index = 0;
  asio::cancellation_signal cancel;  // stops the loop's sleeps and connects
  std::shared_ptr<WebSocket> current;  // the open socket, if any (shared so stop() can close it)
  bool done = false;
};

SocketModeClient::SocketModeClient(WebApi& api, Clock& clock, SlackSettings settings, EnvelopeHandler handler,
                                   SocketModeTimings timings)
    : api_(api), clock_(clock), settings_(std::move(settings)), handler_(std::move(handler)), timings_(timings) {}

SocketModeClient::~SocketModeClient() = default;

awaitable<Result<void>> SocketModeClient::run() {
  auto ex = co_await asio::this_coro::executor;
  executor_ = ex;
  int n = std::clamp(settings_.connections, 1, 10);
  std::optional<Error> fatal;
  int running = n;
  asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
  for (int i = 0; i < n; ++i) {
    auto slot = std::make_shared<Slot>();
    slot->index = i;
    slots_.push_back(slot);
    asio::co_spawn(ex, connection_loop(slot),
                   asio::bind_cancellation_slot(slot->cancel.slot(), [&, slot](std::exception_ptr e, Result<void> r) {
                     slot->done = true;
                     if (e && !stopping_) {
                       // Cancellation by stop() surfaces as an exception in the loop; only
                       // an exception while running is a failure.
                       fatal = fail(Errc::Internal, "socket mode: connection loop threw");
                     } else if (!e && !r && !fatal) {
                       fatal = r.error();
                     }
                     if ((!e && !r) || (e && !stopping_)) stop();  // a fatal error ends every socket
                     if (--running == 0) all_done.cancel();
                   }));
  }
  // Not cancellable: the loops' completion handlers use this frame's locals.
  co_await all_done.async_wait(asio::bind_cancellation_slot(asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable)));
  spdlog::debug("socket mode: every connection loop ended");
  slots_.clear();
  if (fatal) co_return *fatal;
  co_return Result<void>();
}

void SocketModeClient::stop() {
  if (stopping_) return;
  stopping_ = true;
  spdlog::debug("socket mode: stopping {} socket(s)", slots_.size());
  for (auto& slot : slots_) {
    if (slot->done) continue;
    if (auto ws = slot->current) {
      asio::co_spawn(executor_, [ws]() -> awaitable<void> { co_await ws->close(1000, "shutting down"); }, asio::detached);
    }
    slot->cancel.emit(asio::cancellation_type::terminal);
  }
}

std::chrono::milliseconds SocketModeClient::backoff(int failures) {
  static thread_local std::mt19937 rng(std::random_device{}());
  long long cap = timings_.backoff_base.count() << std::min(failures, 16);
  cap = std::min<long long>(cap, timings_.backoff_max.count());
  std::uniform_int_distribution<long long> dist(0, cap / 2);
  return std::chrono::milliseconds(cap - cap / 2 + dist(rng));
}

void SocketModeClient::remember_saved(const std::string& key) {
  if (!saved_.insert(key).second) return;
  saved_order_.push_back(key);
  if (saved_order_.size() > kSeenCapacity) {
    saved_.erase(saved_order_.front());
    saved_order_.pop_front();
  }
}

awaitable<Result<void>> SocketModeClient::connection_loop(std::shared_ptr<Slot> slot) {
  int failures = 0;
  while (!stopping_) {
    if (failures > 0) {
      auto wait = backoff(failures - 1);
      spdlog::info("socket mode [{}]: reconnecting in {} ms", slot->index, wait.count());
      if (!co_await clock_.sleep_for(wait)) co_return Result<void>();  // stopped
    }
    auto url = co_await api_.open_socket_url();
    if (!url) {
      if (is_fatal_auth_error(slack_error_code(url.error()))) {
        spdlog::error("socket mode: the app token was refused ({}); check slack.app_token", url.error().describe());
        co_return url.error();
      }
      spdlog::warn("socket mode [{}]: apps.connections.open failed: {}", slot->index, url.error().describe());
      ++failures;
      continue;
    }
    std::string target = *url;
    if (settings_.debug_reconnects) target += (target.find('?') == std::string::npos ? "?" : "&") + std::string("debug_reconnects=true");
    WebSocketClientSettings ws_settings;
    ws_settings.idle_timeout = timings_.idle_timeout;
    ws_settings.connect_timeout = timings_.hello_timeout;
    auto ws = co_await connect_websocket(target, ws_settings);
    if (stopping_) co_return Result<void>();
    if (!ws) {
      spdlog::warn("socket mode [{}]: connect failed: {}", slot->index, ws.error().describe());
      ++failures;
      continue;
    }
    ++connects_;
    slot->current = std::move(*ws);
    std::string reason = co_await session(*slot, *slot->current);
    auto closing = std::move(slot->current);
    co_await closing->close(1000, "");
    if (reason == "link_disabled") {
      spdlog::error("socket mode: Slack says Socket Mode is disabled for this app (link_disabled); retrying in {} s",
                    timings_.link_disabled_backoff.count() / 1000);
      if (!co_await clock_.sleep_for(timings_.link_disabled_backoff)) co_return Result<void>();
      failures = 0;
    } else if (reason == "too_many_websockets") {
      spdlog::warn("socket mode [{}]: too many websockets for this app; holding one fewer", slot->index);
      co_return Result<void>();
    } else {
      failures = reason.empty() ? failures + 1 : 0;
    }
  }
  co_return Result<void>();
}

awaitable<std::string> SocketModeClient::session(Slot& slot, WebSocket& ws) {
  // Counts this socket as open from its hello until the session ends, however it ends.
  struct OpenCount {
    int& open;
    bool counted = false;
    void hello() {
      if (!counted) ++open;
      counted = true;
    }
    ~OpenCount() {
      if (counted) --open;
    }
  } count{open_sockets_};
  for (;;) {
    auto text = co_await ws.read();
    if (!text) {
      if (!stopping_) spdlog::warn("socket mode [{}]: socket ended: {}", slot.index, text.error().describe());
      co_return std::string();
    }
    auto frame = parse_socket_frame(*text);
    if (!frame) {
      std::string id = salvage_envelope_id(*text);
      spdlog::warn("socket mode [{}]: bad frame{}: {}", slot.index, id.empty() ? "" : " (envelope " + id + ")",
                   frame.error().describe());
      if (!id.empty()) {
        Envelope invalid{id, "invalid", *text, false, 0, {}, id};  // named: see GCC note in web_api.cpp
        co_await handle_envelope(ws, std::move(invalid));
      }
      continue;
    }
    if (std::holds_alternative<Hello>(*frame)) {
      count.hello();
      spdlog::info("socket mode [{}]: connected ({} socket(s) open for the app)", slot.index,
                   std::get<Hello>(*frame).num_connections);
    } else if (auto* d = std::get_if<Disconnect>(&*frame)) {
      spdlog::info("socket mode [{}]: disconnect: {}", slot.index, d->reason);
      co_return d->reason.empty() ? std::string("unknown") : d->reason;
    } else {
      co_await handle_envelope(ws, std::get<Envelope>(std::move(*frame)));
    }
  }
}

awaitable<void> SocketModeClient::handle_envelope(WebSocket& ws, Envelope env) {
  std::vector<std::string> keys{env.dedupe_key};
  if (env.envelope_id != env.dedupe_key) keys.push_back(env.envelope_id);
  auto any_in = [&](const auto& set) {
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return set.count(k) > 0; });
  };
  std::optional<std::string> payload;
  bool duplicate = false;
  bool counted = false;
  for (;;) {
    if (any_in(saved_)) {
      duplicate = true;
      break;
    }
    auto pending = std::find_if(keys.begin(), keys.end(), [&](const std::string& k) { return pending_.count(k) > 0; });
    if (pending == keys.end()) break;
    // The same event is being saved from another delivery: its outcome decides.
    if (!counted) ++duplicates_;
    counted = true;
    auto first = pending_[*pending];
    co_await first->async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (duplicate) {
    if (!counted) ++duplicates_;
    spdlog::debug("socket mode: duplicate delivery {} (retry {}): acked, not handled again", env.envelope_id,
                  env.retry_attempt);
  } else {
    auto done = std::make_shared<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
    for (const auto& k : keys) pending_[k] = done;
    auto r = co_await handler_(env);
    for (const auto& k : keys) pending_.erase(k);
    if (r) {
      for (const auto& k : keys) remember_saved(k);
    }
    done->cancel();  // wakes redeliveries waiting on this one
    if (!r) {
      // Not persisted: no ack, so Slack delivers it again.
      spdlog::error("socket mode: envelope {} not persisted, left unacked: {}", env.envelope_id, r.error().describe());
      co_return;
    }
    payload = std::move(*r);
  }
  auto w = co_await ws.write(make_ack(env.envelope_id, payload.value_or("")));
  if (w) {
    ++acks_;
  } else {
    spdlog::warn("socket mode: ack of {} failed: {}", env.envelope_id, w.error().describe());
  }
}

}  // namespace alertbot::slack
