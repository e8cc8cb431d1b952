#include "net/detail/curl_multi.hpp"

#include <poll.h>
#include <unistd.h>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <functional>
#include <map>
#include <spdlog/spdlog.h>
#include <unordered_map>

namespace alertbot::detail {
namespace {

// One socket curl opened. Waits are re-armed while curl wants the direction.
struct SocketState {
  explicit SocketState(const asio::strand<asio::any_io_executor>& ex) : desc(ex) {}
  asio::posix::stream_descriptor desc;
  int want = 0;  // CURL_POLL_IN / OUT / INOUT, or 0
  bool reading = false;
  bool writing = false;
  bool closed = false;
};

struct TransferState {
  std::uint64_t id = 0;
  CurlMulti::Handler handler;
};

class CurlMultiImpl final : public CurlMulti, public std::enable_shared_from_this<CurlMultiImpl> {
 public:
  explicit CurlMultiImpl(asio::any_io_executor ex) : strand_(asio::make_strand(ex)), timer_(strand_) {
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMultiImpl::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMultiImpl::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  }

  ~CurlMultiImpl() override {
    abort_all();
    curl_multi_cleanup(multi_);
  }

  asio::any_io_executor executor() const override { return strand_; }

  void shutdown() override {
    asio::post(strand_, [self = shared_from_this()] { self->abort_all(); });
  }

 protected:
  void start(CURL* easy, Handler handler) override {
    std::uint64_t id = next_id_.fetch_add(1);
    if (auto slot = asio::get_associated_cancellation_slot(handler.fn); slot.is_connected()) {
      slot.assign([weak = weak_from_this(), id](asio::cancellation_type) {
        if (auto self = weak.lock()) {
          asio::post(self->strand_, [self, id] { self->cancel(id); });
        }
      });
    }
    asio::post(strand_, [self = shared_from_this(), easy, id, h = std::move(handler)]() mutable {
      self->add(easy, id, std::move(h));
    });
  }

 private:
  // --- on the strand ---
  void add(CURL* easy, std::uint64_t id, Handler handler) {
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &CurlMultiImpl::on_open_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMultiImpl::on_close_socket);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
    // emplace, never assign: any_completion_handler's move assignment recurses in Boost 1.81.
    transfers_.emplace(easy, TransferState{id, std::move(handler)});
    if (CURLMcode rc = curl_multi_add_handle(multi_, easy); rc != CURLM_OK) {
      spdlog::error("http client: curl_multi_add_handle: {}", curl_multi_strerror(rc));
      finish(easy, CURLE_FAILED_INIT);
    }
    // curl arms its timer from add_handle; the transfer starts when that timer fires.
  }

  void cancel(std::uint64_t id) {
    for (auto& [easy, t] : transfers_) {
      if (t.id == id) {
        finish(easy, CURLE_ABORTED_BY_CALLBACK);
        return;
      }
    }
  }

  void abort_all() {
    while (!transfers_.empty()) finish(transfers_.begin()->first, CURLE_ABORTED_BY_CALLBACK);
  }

  // Removes `easy` from the multi and completes its handler on the handler's executor.
  void finish(CURL* easy, CURLcode code) {
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) return;
    Handler h = std::move(it->second.handler);
    transfers_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    // The slot belongs to the caller's executor: it is cleared there, just before the handler runs.
    asio::post(h.executor, [fn = std::move(h.fn), code]() mutable {
      if (auto slot = asio::get_associated_cancellation_slot(fn); slot.is_connected()) slot.clear();
      std::move(fn)(code);
    });
  }

  void drain_messages() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg == CURLMSG_DONE) finish(msg->easy_handle, msg->data.result);
    }
  }

  void socket_action(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi_, fd, events, &running);
    drain_messages();
  }

  // Arms a read or write wait on `s` if curl wants it and none is pending. An edge that happened
  // before the wait would be lost (asio waits are edge-triggered and not speculative), so the
  // socket is polled first and, when already ready, curl is driven at once.
  void arm(const std::shared_ptr<SocketState>& s, bool read) {
    bool& pending = read ? s->reading : s->writing;
    int flag = read ? CURL_POLL_IN : CURL_POLL_OUT;
    if (s->closed || pending || !(s->want & flag)) return;
    pending = true;
    pollfd p{s->desc.native_handle(), static_cast<short>(read ? POLLIN : POLLOUT), 0};
    bool ready = ::poll(&p, 1, 0) > 0;
    auto on_ready = [self = shared_from_this(), s, read](boost::system::error_code ec) {
      (read ? s->reading : s->writing) = false;
      if (s->closed) return;
      if (ec) {
        // A wait cancelled by CURL_POLL_REMOVE: curl may already want the socket again.
        self->arm(s, read);
        return;
      }
      self->socket_action(s->desc.native_handle(), read ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
      self->arm(s, read);
    };
    if (ready) {
      asio::post(strand_, std::bind(std::move(on_ready), boost::system::error_code()));
    } else {
      s->desc.async_wait(read ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write,
                         std::move(on_ready));
    }
  }

  // --- libcurl callbacks (called from inside curl on the strand) ---
  static curl_socket_t on_open_socket(void* self_p, curlsocktype, curl_sockaddr* addr) {
    auto* self = static_cast<CurlMultiImpl*>(self_p);
    int fd = ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    auto s = std::make_shared<SocketState>(self->strand_);
    boost::system::error_code ec;
    s->desc.assign(fd, ec);  // registers the fd with the reactor
    if (ec) {
      ::close(fd);
      return CURL_SOCKET_BAD;
    }
    self->sockets_[fd] = std::move(s);
    return fd;
  }

  static int on_close_socket(void* self_p, curl_socket_t fd) {
    auto* self = static_cast<CurlMultiImpl*>(self_p);
    auto it = self->sockets_.find(fd);
    if (it == self->sockets_.end()) return ::close(fd);
    it->second->closed = true;
    boost::system::error_code ec;
    it->second->desc.close(ec);  // cancels pending waits and closes the fd
    self->sockets_.erase(it);
    return 0;
  }

  static int on_socket(CURL*, curl_socket_t fd, int what, void* self_p, void*) {
    auto* self = static_cast<CurlMultiImpl*>(self_p);
    auto it = self->sockets_.find(fd);
    if (it == self->sockets_.end()) return 0;  // not a socket we opened: nothing to watch
    auto s = it->second;
    s->want = what == CURL_POLL_REMOVE ? 0 : what;
    if (s->want == 0) {
      boost::system::error_code ec;
      s->desc.cancel(ec);
      return 0;
    }
    self->arm(s, true);
    self->arm(s, false);
    return 0;
  }

  static int on_timer(CURLM*, long timeout_ms, void* self_p) {
    auto* self = static_cast<CurlMultiImpl*>(self_p);
    self->timer_.cancel();
    if (timeout_ms < 0) return 0;
    self->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
    self->timer_.async_wait([weak = self->weak_from_this()](boost::system::error_code ec) {
      auto s = weak.lock();
      if (!ec && s) s->socket_action(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
  }

  asio::strand<asio::any_io_executor> strand_;
  asio::steady_timer timer_;
  CURLM* multi_ = nullptr;
  std::unordered_map<curl_socket_t, std::shared_ptr<SocketState>> sockets_;
  std::map<CURL*, TransferState> transfers_;
  std::atomic<std::uint64_t> next_id_{1};  // start() may run on any thread
};

}  // namespace

std::shared_ptr<CurlMulti> CurlMulti::create(asio::any_io_executor executor) {
  static const bool kInitialised = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)kInitialised;
  return std::make_shared<CurlMultiImpl>(std::move(executor));
}

}  // namespace alertbot::detail
