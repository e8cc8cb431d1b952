#include "bot/bot_metrics.hpp"

#include "bot/report.hpp"

namespace alertbot::bot {
namespace {

// Acks are a store write away: milliseconds. Slack gives up on an ack after 3 s.
std::vector<double> ack_buckets() { return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}; }

}  // namespace

BotMetrics register_bot_metrics(MetricsRegistry& r) {
  auto& investigations = r.counter("alertbot_investigations_total", "Investigations finished, by outcome.", {"outcome"});
  auto& llm_tokens = r.counter("alertbot_llm_tokens_total", "LLM tokens used, by kind.", {"kind"});
  // Known label values show as 0 from the start.
  investigations.with({"done"});
  investigations.with({"failed"});
  llm_tokens.with({"prompt"});
  llm_tokens.with({"completion"});
  return BotMetrics{
      .events_received = r.counter("alertbot_events_received_total", "Envelopes received (Slack, hooks), by kind.", {"kind"}),
      .events_acked = r.counter("alertbot_events_acked_total", "Envelopes stored and acknowledged.").with({}),
      .ack_seconds = r.histogram("alertbot_ack_seconds", "Time from receiving an envelope to its ack.", ack_buckets()).with({}),
      .investigations = investigations,
      .investigation_seconds = r.histogram("alertbot_investigation_seconds", "Time from an alert's arrival to its report.",
                                           duration_buckets())
                                   .with({}),
      .source_seconds = r.histogram("alertbot_source_seconds", "Time one data source took in an investigation.",
                                    duration_buckets(), {"source"}),
      .source_errors = r.counter("alertbot_source_errors_total", "Data source fetches that failed or timed out.", {"source"}),
      .llm_tokens = llm_tokens,
      .llm_cost_usd = r.counter("alertbot_llm_cost_usd_total", "Estimated LLM cost in US dollars.").with({}),
      .slack_calls = r.counter("alertbot_slack_calls_total", "Slack Web API calls sent (each attempt), by method.", {"method"}),
      .slack_rate_limited = r.counter("alertbot_slack_rate_limited_total", "Slack Web API calls answered 429, by method.",
                                      {"method"}),
      .queue_depth = r.gauge("alertbot_queue_depth", "Jobs waiting in the store's queue.").with({}),
      .socket_reconnects = r.counter("alertbot_socket_reconnects_total", "Socket Mode connections opened beyond the first.")
                               .with({}),
  };
}

void BotMetrics::count_report(const Report& report) {
  investigations.with({"done"}).inc();
  investigation_seconds.observe(static_cast<double>(report.total.count()) / 1000.0);
  for (const auto& s : report.result.sources) {
    if (s.status == investigators::SourceStatus::Skipped) continue;
    source_seconds.with({s.source}).observe(static_cast<double>(s.duration.count()) / 1000.0);
    if (s.status == investigators::SourceStatus::Failed || s.status == investigators::SourceStatus::TimedOut) {
      source_errors.with({s.source}).inc();
    }
  }
  llm_tokens.with({"prompt"}).inc(static_cast<double>(report.llm.prompt_tokens));
  llm_tokens.with({"completion"}).inc(static_cast<double>(report.llm.completion_tokens));
  llm_cost_usd.inc(report.llm.cost_usd);
}

}  // namespace alertbot::bot
