// App: the running bot: store, Slack clients, pipeline, intake, worker and the bot's own HTTP
// endpoint, wired from one Config. run() holds the Socket Mode sockets (or, with slack.mode http,
// serves Slack's signed requests on the bot's HTTP server) and the worker until stop() or a fatal
// error (a refused token). Everything runs on the executor given at create().
// The App must be destroyed before the io_context that runs it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot {
class Clock;
}

namespace alertbot::bot {

struct Config;
struct Report;

class App {
 public:
  // Opens the store and builds the clients (run() migrates). `config` and `clock` must outlive
  // the App. Errors: Unavailable or Internal from the store; InvalidArgument for a config `run`
  // cannot work with (missing tokens; http mode without a server section or signing secret).
  static Result<std::unique_ptr<App>> create(asio::any_io_executor executor, const Config& config, Clock& clock);
  virtual ~App() = default;

  // Suspends for the life of the bot. Errors: fatal Slack auth errors, a port in use.
  virtual awaitable<Result<void>> run() = 0;
  // Ends run(): sockets close, the worker finishes its current job and stops.
  virtual void stop() = 0;
  // Observers for tests and the demo: the number of sockets open, each delivered report.
  virtual int open_sockets() const = 0;
  // The port the bot's HTTP server is bound to (server.listen may say port 0); 0 until run() has
  // started the server. In HTTP mode, non-zero means Slack can deliver; it is 0 again once run()
  // has stopped taking Slack's requests.
  virtual std::uint16_t http_port() const = 0;
  virtual void on_report(std::function<void(const Report&)> cb) = 0;
};

}  // namespace alertbot::bot
