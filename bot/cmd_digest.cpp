// `alertbot digest`: the weekly digest on demand, printed (text or JSON on stdout) and, with
// --post, posted to digest.channel. Exit codes: 0 done, 1 the store or Slack failed or the config
// lacks what --post needs, 2 usage errors (bad --week or --format).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <optional>

#include "bot/cli.hpp"
#include "bot/config.hpp"
#include "bot/digest.hpp"
#include "bot/digest_render.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "slack/rate_limiter.hpp"
#include "slack/web_api.hpp"
#include "store/store.hpp"

namespace alertbot::bot {
namespace {

struct DigestRun {
  std::optional<Result<Digest>> digest;
  std::optional<Result<slack::PostedMessage>> posted;
};

awaitable<Result<Digest>> load_digest(store::Store& store, DigestWindow window) {
  auto migrated = co_await store.migrate();
  if (!migrated) co_return migrated.error();
  auto data = co_await store.digest_data(window.from, window.to);
  if (!data) co_return data.error();
  co_return compute_digest(*data, std::move(window));
}

// Runs `coro` on `io` until it completes (other work, like idle HTTP connections, may remain)
// and returns its value; nullopt when it threw.
template <class T>
std::optional<T> run_on(asio::io_context& io, awaitable<T> coro) {
  std::optional<T> out;
  bool done = false;
  asio::co_spawn(io, std::move(coro), [&](std::exception_ptr e, T v) {
    if (!e) out.emplace(std::move(v));
    done = true;
  });
  io.restart();
  while (!done && io.run_one() > 0) {
  }
  return out;
}

int print_error(const char* what, const Error& e) {
  std::fprintf(stderr, "alertbot digest: %s: %s\n", what, e.describe().c_str());
  return 1;
}

}  // namespace

int cmd_digest(const CliArgs& args) {
  const std::string format = args.get("format") ? *args.get("format") : "text";
  if (format != "text" && format != "json") {
    std::fprintf(stderr, "alertbot digest: --format must be text or json, got '%s'\n", format.c_str());
    return 2;
  }
  std::optional<IsoWeek> week;
  if (const auto* w = args.get("week")) {
    auto parsed = IsoWeek::parse(*w);
    if (!parsed) {
      std::fprintf(stderr, "alertbot digest: --week: %s\n", parsed.error().message.c_str());
      return 2;
    }
    week = *parsed;
  }
  int code = 0;
  auto config = load_config_for(args, code);
  if (!config) return code;
  const bool post = args.has("post");
  if (post && (!config->has_digest || config->digest.channel.empty() || config->slack.bot_token.empty())) {
    std::fprintf(stderr, "alertbot digest: --post needs digest.channel and slack.bot_token in the config\n");
    return 1;
  }
  auto zone = TimeZone::load(config->has_digest ? config->digest.timezone : "UTC");
  if (!zone) return print_error("digest.timezone", zone.error());

  asio::io_context io;
  auto clock = make_system_clock();
  auto store = store::open_store(config->store, *clock);
  if (!store) return print_error("store", store.error());
  DigestWindow window = week ? week_window(*week, *zone) : days_window(clock->system_now(), *zone);
  auto digest = run_on(io, load_digest(**store, std::move(window)));
  store->reset();  // before the io_context goes
  if (!digest) return print_error("store", fail(Errc::Internal, "interrupted"));
  if (!*digest) return print_error("store", digest->error());
  const Digest& d = **digest;
  const std::string out = format == "json" ? digest_json(d) + "\n" : digest_text(d);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!post) return 0;

  auto http = make_curl_http_client(io.get_executor(), *clock);
  slack::RateLimiter limiter(*clock);
  auto api = slack::make_web_api(*http, limiter, config->slack);
  auto posted = run_on(io, api->post_message(config->digest.channel, digest_message(d)));
  if (!posted) return print_error("slack", fail(Errc::Internal, "interrupted"));
  if (!*posted) return print_error("slack", posted->error());
  std::fprintf(stderr, "alertbot digest: posted to %s (ts %s)\n", (*posted)->channel.c_str(), (*posted)->ts.c_str());
  return 0;
}

}  // namespace alertbot::bot
