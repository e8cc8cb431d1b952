// BotMetrics: the bot's own metrics (alertbot_*), one named member per metric, all registered in
// one MetricsRegistry by register_bot_metrics(); GET /metrics renders that registry. The parts that
// count (event router, worker) take a nullable BotMetrics*: tests without metrics pass nothing.
// Thread-safe as MetricsRegistry is; the references live as long as the registry.
#pragma once

#include <string_view>

#include "net/metrics.hpp"

namespace alertbot::bot {

struct Report;

struct BotMetrics {
  MetricFamily<Counter>& events_received;        // {kind}: envelope type ("events_api", "hook:...")
  Counter& events_acked;                         // stored, so the ack went out
  Histogram& ack_seconds;                        // from the envelope's arrival to its ack
  MetricFamily<Counter>& investigations;         // {outcome}: done | failed
  Histogram& investigation_seconds;              // from the alert's arrival to the report
  MetricFamily<Histogram>& source_seconds;       // {source}
  MetricFamily<Counter>& source_errors;          // {source}: failed or timed out
  MetricFamily<Counter>& llm_tokens;             // {kind}: prompt | completion
  Counter& llm_cost_usd;                         // estimated, in US dollars
  MetricFamily<Counter>& slack_calls;            // {method}: attempts sent to the Web API
  MetricFamily<Counter>& slack_rate_limited;     // {method}: answered 429
  Gauge& queue_depth;                            // jobs waiting, read from the store at scrape time
  Counter& socket_reconnects;                    // Socket Mode connections opened beyond the first

  // Counts a delivered investigation: outcome done, its duration, its sources and LLM usage.
  void count_report(const Report& report);
};

// Registers every alertbot_* metric in `registry` (once per registry: a second call throws).
BotMetrics register_bot_metrics(MetricsRegistry& registry);

}  // namespace alertbot::bot
