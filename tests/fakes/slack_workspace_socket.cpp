// The workspace emulator's Socket Mode side: sessions, envelopes, acks, pings, redelivery.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "net/time_format.hpp"
#include "tests/fakes/slack_workspace_state.hpp"

namespace alertbot::fakes::detail {
namespace {

namespace json = boost::json;

// Slack drops response frames of 20 KiB or more (spec/slack.md 1.4).
constexpr std::size_t kMaxAckBytes = 20480;

awaitable<void> wait_cancelled(asio::steady_timer& t) {
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

awaitable<bool> WorkspaceState::sleep(std::chrono::milliseconds d, asio::steady_timer* also) {
  using namespace boost::asio::experimental::awaitable_operators;
  if (also) {
    auto r = co_await (clock.sleep_for(d) || wait_cancelled(stopped) || wait_cancelled(*also));
    co_return r.index() == 0 && std::get<0>(r);
  }
  auto r = co_await (clock.sleep_for(d) || wait_cancelled(stopped));
  co_return r.index() == 0 && std::get<0>(r);
}

Delivery* WorkspaceState::find_delivery(const std::string& envelope_id) {
  auto it = delivery_index.find(envelope_id);
  return it == delivery_index.end() ? nullptr : &deliveries[it->second];
}

std::string WorkspaceState::new_id(const char* prefix) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%08llx-%04llx", prefix, static_cast<unsigned long long>(++counter),
                static_cast<unsigned long long>(port));
  return buf;
}

std::string WorkspaceState::next_ts(const std::string& channel) {
  SystemTime t = clock.system_now();
  std::string& last = last_ts[channel];
  if (!last.empty()) {
    auto prev = parse_slack_ts(last);
    if (prev && t <= *prev) t = *prev + std::chrono::microseconds(1);
  }
  last = format_slack_ts(t);
  return last;
}

SlackMessage* WorkspaceState::find_message(const std::string& channel, const std::string& ts) {
  auto it = channels.find(channel);
  if (it == channels.end()) return nullptr;
  for (auto& m : it->second) {
    if (m.ts == ts) return &m;
  }
  return nullptr;
}

json::object message_object(const SlackMessage& m) {
  json::object o{{"type", "message"}, {"ts", m.ts}, {"text", m.text}};
  if (!m.user.empty()) o["user"] = m.user;
  if (!m.bot_id.empty()) o["bot_id"] = m.bot_id;
  if (!m.username.empty()) o["username"] = m.username;
  if (!m.subtype.empty()) o["subtype"] = m.subtype;
  if (!m.thread_ts.empty()) o["thread_ts"] = m.thread_ts;
  if (!m.blocks_json.empty()) o["blocks"] = json::parse(m.blocks_json);
  if (!m.attachments_json.empty()) o["attachments"] = json::parse(m.attachments_json);
  return o;
}

json::object WorkspaceState::message_event(const SlackMessage& m) const {
  // An event carries the message plus where and when it happened.
  json::object e = message_object(m);
  e["channel"] = m.channel;
  e["event_ts"] = m.ts;
  e["channel_type"] = "channel";
  if (m.bot_id.empty() && m.subtype.empty()) {
    // What a person's message carries (the client's id, the team, the rich text).
    e["client_msg_id"] = "cmsg-" + m.ts;
    e["team"] = settings.team_id;
    e["blocks"] = json::array{json::object{
        {"type", "rich_text"},
        {"block_id", "rt" + m.ts},
        {"elements", json::array{json::object{{"type", "rich_text_section"},
                                              {"elements", json::array{json::object{{"type", "text"}, {"text", m.text}}}}}}}}};
  }
  if (m.bot_id == settings.bot_id) {
    e["app_id"] = settings.app_id;
    e["bot_profile"] = {{"id", settings.bot_id}, {"app_id", settings.app_id}, {"name", settings.bot_name}};
  }
  return e;
}

json::object WorkspaceState::event_callback(json::object event, std::string& event_id_out) {
  event_id_out = new_id("Ev");
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(clock.system_now().time_since_epoch()).count();
  return {{"token", "emulator-verification-token"},
          {"team_id", settings.team_id},
          {"api_app_id", settings.app_id},
          {"type", "event_callback"},
          {"event_id", event_id_out},
          {"event_time", secs},
          {"authorizations", json::array{{{"enterprise_id", nullptr}, {"team_id", settings.team_id}, {"user_id", settings.bot_user_id},
                                          {"is_bot", true}, {"is_enterprise_install", false}}}},
          {"is_ext_shared_channel", false},
          {"event", std::move(event)}};
}

void WorkspaceState::deliver(const std::string& type, json::object payload, const std::string& event_id) {
  std::string id;
  {
    std::lock_guard lock(mutex);
    Delivery d;
    d.type = type;
    d.event_id = event_id;
    if (type == "events_api" && event_id.empty()) payload = event_callback(std::move(payload), d.event_id);
    d.envelope_id = new_id("env");
    d.payload_json = json::serialize(payload);
    id = d.envelope_id;
    delivery_index[id] = deliveries.size();
    deliveries.push_back(std::move(d));
  }
  if (!settings.request_url.empty()) {
    asio::co_spawn(executor, send_http(id), asio::detached);
  } else {
    asio::co_spawn(executor, send_envelope(id), asio::detached);
  }
}

awaitable<void> WorkspaceState::send_envelope(std::string envelope_id) {
  auto self = shared_from_this();
  for (;;) {
    std::string frame;
    std::shared_ptr<Socket> socket;
    std::shared_ptr<Socket> twin;  // a second copy, when duplicates are on
    int attempt = 0;
    {
      std::lock_guard lock(mutex);
      Delivery* it = find_delivery(envelope_id);
      if (!it || it->acked) co_return;
      if (sockets.empty()) {
        undelivered.push_back(envelope_id);  // sent when a socket says hello
        co_return;
      }
      socket = sockets[next_socket++ % sockets.size()];  // each envelope goes to exactly one socket
      if (duplicate_deliveries) twin = sockets[next_socket % sockets.size()];
      attempt = it->attempts++;
      it->last_sent = std::chrono::steady_clock::now();
      if (attempt == 0) it->first_sent = it->last_sent;
      json::object env{{"envelope_id", envelope_id},
                       {"type", it->type},
                       {"accepts_response_payload", it->type != "events_api"},
                       {"payload", json::parse(it->payload_json)}};
      if (it->type == "events_api") {
        env["retry_attempt"] = attempt;
        env["retry_reason"] = attempt == 0 ? "" : "timeout";
      }
      frame = json::serialize(env);
    }
    co_await socket->ws->write(frame);
    if (twin) co_await twin->ws->write(frame);
    if (attempt >= settings.max_redeliveries) co_return;
    // Slack redelivers events it did not see acknowledged within 3 s (maybe on another socket).
    // The wait ends early when the ack comes (or the workspace stops): no timer outlives its ack.
    auto acked = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
    {
      std::lock_guard lock(mutex);
      Delivery* d = find_delivery(envelope_id);
      if (!d || d->acked) co_return;
      ack_waits[envelope_id] = acked;
    }
    bool slept = co_await sleep(settings.redeliver_after, acked.get());
    {
      std::lock_guard lock(mutex);
      ack_waits.erase(envelope_id);
    }
    if (!slept) co_return;
  }
}

std::string WorkspaceState::disconnect_frame(const std::string& reason) {
  std::size_t open;
  {
    std::lock_guard lock(mutex);
    open = sockets.size();
  }
  return json::serialize(json::object{{"type", "disconnect"},
                                      {"reason", reason},
                                      {"num_connections", open},
                                      {"debug_info", {{"host", "emulator"}}},
                                      {"connection_info", {{"app_id", settings.app_id}}}});
}

std::vector<std::shared_ptr<Socket>> WorkspaceState::pick_sockets(int index) {
  std::lock_guard lock(mutex);
  if (index < 0) return sockets;
  if (static_cast<std::size_t>(index) >= sockets.size()) return {};
  return {sockets[static_cast<std::size_t>(index)]};
}

void WorkspaceState::disconnect(std::shared_ptr<Socket> socket, const std::string& reason) {
  std::string frame = disconnect_frame(reason);
  asio::co_spawn(executor, [self = shared_from_this(), socket, frame, reason]() -> awaitable<void> {
    co_await socket->ws->write(frame);
    if (reason == "warning") {
      if (!co_await self->sleep(std::chrono::seconds(10), socket->closed.get())) co_return;
      co_await socket->ws->write(self->disconnect_frame("refresh_requested"));
    } else if (reason != "refresh_requested") {
      co_await socket->ws->close(1000, reason);  // link_disabled, too_many_websockets: closed at once
      co_return;
    }
    // Slack keeps a refreshed socket a little while: a client that opens the replacement first
    // loses nothing.
    if (!co_await self->sleep(std::chrono::seconds(5), socket->closed.get())) co_return;
    co_await socket->ws->close(1001, "refreshed");
  }, asio::detached);
}

std::chrono::milliseconds WorkspaceState::delay_for(const std::string& method) {
  std::lock_guard lock(mutex);
  if (auto it = delays.find(method); it != delays.end()) return it->second;
  if (auto it = delays.find(""); it != delays.end()) return it->second;
  return std::chrono::milliseconds(0);
}

void WorkspaceState::flush_undelivered() {
  std::deque<std::string> ids;
  {
    std::lock_guard lock(mutex);
    ids.swap(undelivered);
  }
  for (auto& id : ids) asio::co_spawn(executor, send_envelope(id), asio::detached);
}

awaitable<void> WorkspaceState::socket_session(ServerRequest req, std::unique_ptr<WebSocket> owned) {
  auto self = shared_from_this();
  auto socket = std::make_shared<Socket>();
  socket->ws = std::move(owned);
  socket->closed = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  std::string ticket = req.query_param("ticket").value_or("");
  bool debug = req.query_param("debug_reconnects").value_or("") == "true";
  int count = 0;
  {
    std::lock_guard lock(mutex);
    if (!tickets.erase(ticket)) {
      socket->open = false;
    } else if (static_cast<int>(sockets.size()) >= max_sockets) {
      socket->open = false;
      ticket.clear();
    } else {
      socket->id = static_cast<int>(++counter);
      sockets.push_back(socket);
      count = static_cast<int>(sockets.size());
    }
  }
  if (!socket->open) {
    if (ticket.empty()) {
      co_await socket->ws->write("{\"type\":\"disconnect\",\"reason\":\"too_many_websockets\"}");
    }
    co_await socket->ws->close(1008, "invalid or used ticket");
    co_return;
  }
  json::object hello{{"type", "hello"},
                     {"num_connections", count},
                     {"debug_info", {{"host", "emulator"}, {"build_number", 1}, {"approximate_connection_time", debug ? 360 : 18060}}},
                     {"connection_info", {{"app_id", settings.app_id}}}};
  co_await socket->ws->write(json::serialize(hello));
  flush_undelivered();

  // Pings on the workspace clock; the loop ends when the socket closes.
  asio::co_spawn(executor, [self, socket]() -> awaitable<void> {
    for (int n = 1; socket->open; ++n) {
      if (!co_await self->sleep(self->settings.ping_interval, socket->closed.get()) || !socket->open) co_return;
      if (socket->frozen) continue;
      if (!co_await socket->ws->ping("emulator-ping-" + std::to_string(n))) co_return;
    }
  }, asio::detached);

  for (;;) {
    if (socket->frozen) {
      // Nothing is read, so no ping is answered: only the client's own timeouts can end this.
      co_await sleep(std::chrono::hours(24), socket->closed.get());
      break;
    }
    auto frame = co_await socket->ws->read();
    if (!frame) break;
    boost::system::error_code ec;
    json::value v = json::parse(*frame, ec);
    const json::value* id = (!ec && v.is_object()) ? v.as_object().if_contains("envelope_id") : nullptr;
    std::lock_guard lock(mutex);
    if (!id || !id->is_string() || frame->size() >= kMaxAckBytes) {
      rejected_frames.push_back(*frame);
      continue;
    }
    if (Delivery* found = find_delivery(std::string(id->get_string())); found && !found->acked) {
      Delivery& d = *found;
      {
        d.acked = true;
        d.ack_frame = *frame;
        d.ack_seq = ++seq;
        auto now = std::chrono::steady_clock::now();
        d.ack_latency = std::chrono::duration_cast<std::chrono::microseconds>(now - d.first_sent);
        d.ack_after_last_send = std::chrono::duration_cast<std::chrono::microseconds>(now - d.last_sent);
        if (auto w = ack_waits.find(d.envelope_id); w != ack_waits.end()) w->second->cancel();
      }
    }
  }
  std::lock_guard lock(mutex);
  socket->open = false;
  socket->closed->cancel();
  sockets.erase(std::remove(sockets.begin(), sockets.end(), socket), sockets.end());
}

}  // namespace alertbot::fakes::detail
