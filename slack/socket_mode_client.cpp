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
// Envelopes of one socket being saved at once before reading pauses (backpressure).
constexpr int kMaxInFlight = 64;
}

// One of the sockets run() keeps open: its loop, the socket of the moment, the sockets it replaced
// that are still delivering, and how to stop it.
struct SocketModeClient::Slot {
  int index = 0;
  asio::cancellation_signal cancel;  // stops the loop's sleeps and connects
  std::shared_ptr<WebSocket> current;  // the open socket, if any (shared so stop() can close it)
  std::vector<std::shared_ptr<WebSocket>> draining;  // replaced by a refresh, still read until closed
  bool done = false;
};

SocketModeClient::SocketModeClient(WebApi& api, Clock& clock, SlackSettings settings, EnvelopeHandler handler,
                                   SocketModeTimings timings)
    : api_(api), clock_(clock), settings_(std::move(settings)), handler_(std::move(handler)), timings_(timings) {}

SocketModeClient::~SocketModeClient() = default;

void SocketModeClient::spawn_task(awaitable<void> task) {
  ++tasks_;
  asio::co_spawn(executor_, std::move(task), [this](std::exception_ptr) {
    if (--tasks_ == 0 && tasks_idle_) tasks_idle_->cancel();
  });
}

awaitable<Result<void>> SocketModeClient::run() {
  auto ex = co_await asio::this_coro::executor;
  executor_ = ex;
  tasks_idle_ = std::make_unique<asio::steady_timer>(ex, asio::steady_timer::time_point::max());
  int n = std::clamp(settings_.connections, 1, 10);
  for (int i = 0; i < n; ++i) {
    auto slot = std::make_shared<Slot>();
    slot->index = i;
    slots_.push_back(slot);
    ++tasks_;
    asio::co_spawn(ex, connection_loop(slot),
                   asio::bind_cancellation_slot(slot->cancel.slot(), [this, slot](std::exception_ptr e, const Result<void>& r) {
                     slot->done = true;
                     if (e && !stopping_) {
                       // Cancellation by stop() surfaces as an exception in the loop; only an
                       // exception while running is a failure.
                       fatal_ = fail(Errc::Internal, "socket mode: connection loop threw");
                     } else if (!e && !r && !fatal_) {
                       fatal_ = r.error();
                     }
                     if ((!e && !r) || (e && !stopping_)) stop();  // a fatal error ends every socket
                     if (--tasks_ == 0) tasks_idle_->cancel();
                   }));
  }
  // Not cancellable: the loops and drains use this object until they end.
  while (tasks_ > 0) {
    tasks_idle_->expires_at(asio::steady_timer::time_point::max());
    co_await tasks_idle_->async_wait(asio::bind_cancellation_slot(asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable)));
  }
  spdlog::debug("socket mode: every connection loop ended");
  slots_.clear();
  if (fatal_) co_return *fatal_;
  co_return Result<void>();
}

void SocketModeClient::stop() {
  if (stopping_) return;
  stopping_ = true;
  spdlog::debug("socket mode: stopping {} socket(s)", slots_.size());
  for (auto& slot : slots_) {
    std::vector<std::shared_ptr<WebSocket>> open = slot->draining;
    if (slot->current) open.push_back(slot->current);
    for (auto& ws : open) {
      asio::co_spawn(executor_, [ws]() -> awaitable<void> { co_await ws->close(1000, "shutting down"); }, asio::detached);
    }
    if (!slot->done) slot->cancel.emit(asio::cancellation_type::terminal);
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

awaitable<Result<std::shared_ptr<WebSocket>>> SocketModeClient::open_socket(Slot& slot) {
  auto url = co_await api_.open_socket_url();
  if (!url) co_return url.error();
  std::string target = *url;
  if (settings_.debug_reconnects) target += (target.find('?') == std::string::npos ? "?" : "&") + std::string("debug_reconnects=true");
  WebSocketClientSettings ws_settings;
  ws_settings.idle_timeout = timings_.idle_timeout;
  ws_settings.connect_timeout = timings_.hello_timeout;
  auto ws = co_await connect_websocket(target, ws_settings);
  if (!ws) co_return ws.error();
  std::shared_ptr<WebSocket> socket = std::move(*ws);
  // Slack speaks first: hello. Anything else means this is not a Socket Mode link.
  auto first = co_await socket->read();
  if (!first) co_return first.error();
  auto frame = parse_socket_frame(*first);
  if (!frame || !std::holds_alternative<Hello>(*frame)) {
    co_await socket->close(1002, "expected hello");
    co_return fail(Errc::ProtocolError, "socket mode: the first frame was not hello");
  }
  spdlog::info("socket mode [{}]: connected ({} socket(s) open for the app)", slot.index, std::get<Hello>(*frame).num_connections);
  co_return socket;
}

awaitable<Result<void>> SocketModeClient::connection_loop(std::shared_ptr<Slot> slot) {
  int failures = 0;
  while (!stopping_) {
    if (failures > 0) {
      auto wait = backoff(failures - 1);
      spdlog::info("socket mode [{}]: reconnecting in {} ms", slot->index, wait.count());
      if (!co_await clock_.sleep_for(wait)) co_return Result<void>();  // stopped
    }
    auto ws = co_await open_socket(*slot);
    if (stopping_) {
      if (ws) co_await (*ws)->close(1000, "shutting down");
      co_return Result<void>();
    }
    if (!ws) {
      if (is_fatal_auth_error(slack_error_code(ws.error()))) {
        spdlog::error("socket mode: the app token was refused ({}); check slack.app_token", ws.error().describe());
        co_return ws.error();
      }
      spdlog::warn("socket mode [{}]: cannot open a socket: {}", slot->index, ws.error().describe());
      ++failures;
      continue;
    }
    ++connects_;
    failures = 0;
    slot->current = *ws;
    std::string reason = co_await read_frames(*slot, *ws, false);
    slot->current.reset();
    if (reason == "refresh_requested" || reason == "warning") {
      // The old socket still delivers until Slack closes it: it is read to the end while the
      // replacement opens, so no event falls between the two.
      slot->draining.push_back(*ws);
      spawn_task(drain(slot, *ws));
      continue;
    }
    if (reason == "link_disabled" || reason == "too_many_websockets" || reason.empty()) {
      (*ws)->abort();  // Slack closes these itself (or the socket is already dead): no handshake
    } else {
      co_await (*ws)->close(1000, "");
    }
    if (reason == "link_disabled") {
      spdlog::error("socket mode: Slack says Socket Mode is disabled for this app (link_disabled); retrying in {} s",
                    timings_.link_disabled_backoff.count() / 1000);
      if (!co_await clock_.sleep_for(timings_.link_disabled_backoff)) co_return Result<void>();
    } else if (reason == "too_many_websockets") {
      spdlog::warn("socket mode [{}]: too many websockets for this app; holding one fewer", slot->index);
      co_return Result<void>();
    }
    // A socket that worked and ended (reset, stale, any other disconnect) is replaced at once;
    // backoff only grows while new sockets keep failing.
  }
  co_return Result<void>();
}

awaitable<void> SocketModeClient::drain(std::shared_ptr<Slot> slot, std::shared_ptr<WebSocket> ws) {
  // Slack closes a refreshed socket itself; if it does not, it is closed after drain_limit.
  asio::cancellation_signal stop_closer;
  bool closer_done = false;
  asio::co_spawn(executor_, [this, ws]() -> awaitable<void> {
    if (co_await clock_.sleep_for(timings_.drain_limit)) co_await ws->close(1000, "replaced");
  }, asio::bind_cancellation_slot(stop_closer.slot(), [&closer_done](std::exception_ptr) { closer_done = true; }));
  co_await read_frames(*slot, ws, true);
  stop_closer.emit(asio::cancellation_type::terminal);
  ws->abort();
  auto& d = slot->draining;
  d.erase(std::remove(d.begin(), d.end(), ws), d.end());
  // The closer references this frame's flag: wait for it to finish.
  while (!closer_done) {
    asio::steady_timer t(executor_, std::chrono::milliseconds(1));
    co_await t.async_wait(asio::bind_cancellation_slot(asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable)));
  }
}

awaitable<std::string> SocketModeClient::read_frames(Slot& slot, std::shared_ptr<WebSocket> ws, bool draining) {
  // Counts this socket as open while it is read, however the reading ends.
  struct OpenCount {
    int& open;
    explicit OpenCount(int& o) : open(o) { ++open; }
    ~OpenCount() { --open; }
  } count{open_sockets_};
  // Envelopes are handled concurrently (each acks itself when saved) so a burst does not wait
  // for one save after another; at most kMaxInFlight per socket, then reading pauses.
  auto in_flight = std::make_shared<int>(0);
  auto slot_free = std::make_shared<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
  auto dispatch = [&](Envelope env) {
    ++*in_flight;
    spawn_task([](SocketModeClient* self, std::shared_ptr<WebSocket> socket, Envelope e, std::shared_ptr<int> n,
                  std::shared_ptr<asio::steady_timer> freed) -> awaitable<void> {
      co_await self->handle_envelope(*socket, std::move(e));
      --*n;
      freed->cancel();
    }(this, ws, std::move(env), in_flight, slot_free));
  };
  for (;;) {
    while (*in_flight >= kMaxInFlight) {
      slot_free->expires_at(asio::steady_timer::time_point::max());
      co_await slot_free->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto text = co_await ws->read();
    if (!text) {
      if (!stopping_ && !draining) spdlog::warn("socket mode [{}]: socket ended: {}", slot.index, text.error().describe());
      co_return std::string();
    }
    auto frame = parse_socket_frame(*text);
    if (!frame) {
      std::string id = salvage_envelope_id(*text);
      spdlog::warn("socket mode [{}]: bad frame{}: {}", slot.index, id.empty() ? "" : " (envelope " + id + ")",
                   frame.error().describe());
      if (!id.empty()) {
        dispatch(Envelope{id, "invalid", *text, false, 0, {}, id});
      }
      continue;
    }
    if (auto* d = std::get_if<Disconnect>(&*frame)) {
      spdlog::info("socket mode [{}]: disconnect: {}{}", slot.index, d->reason, draining ? " (already replaced)" : "");
      if (!draining) co_return d->reason.empty() ? std::string("unknown") : d->reason;
    } else if (auto* env = std::get_if<Envelope>(&*frame)) {
      dispatch(std::move(*env));
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
