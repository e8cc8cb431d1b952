#include "bot/worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "bot/alert_json.hpp"
#include "bot/bot_metrics.hpp"
#include "bot/chart.hpp"
#include "bot/config.hpp"
#include "bot/followup.hpp"
#include "bot/llm_step.hpp"
#include "bot/report.hpp"
#include "bot/report_blocks.hpp"
#include "bot/report_json.hpp"
#include "bot/report_links.hpp"
#include "bot/report_marker.hpp"
#include "bot/report_search_doc.hpp"
#include "bot/wakeup.hpp"
#include "investigators/pipeline.hpp"
#include "net/clock.hpp"
#include "net/time_format.hpp"
#include "slack/web_api.hpp"
#include "store/store.hpp"

namespace alertbot::bot {
namespace {

using namespace boost::asio::experimental::awaitable_operators;

namespace json = boost::json;
using std::chrono::milliseconds;

struct JobPayload {
  std::int64_t investigation_id = 0;
  std::string service;
  std::string channel;
  std::string thread_ts;
  std::int64_t received_at_ms = 0;
  std::int64_t window_ms = 0;  // 0: the pipeline's default window
  investigators::Alert alert;
};

Result<JobPayload> parse_payload(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(Errc::ParseError, "job payload: not a JSON object");
  const auto& o = v.as_object();
  JobPayload p;
  auto num = [&](const char* k) -> std::int64_t {
    auto* x = o.if_contains(k);
    return x && x->is_int64() ? x->get_int64() : 0;
  };
  auto str = [&](const char* k) {
    auto* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->get_string()) : std::string();
  };
  p.investigation_id = num("investigation_id");
  p.received_at_ms = num("received_at_ms");
  p.window_ms = num("window_ms");
  p.service = str("service");
  p.channel = str("channel");
  p.thread_ts = str("thread_ts");
  if (p.investigation_id <= 0) return fail(Errc::ParseError, "job payload: missing investigation_id");
  auto* a = o.if_contains("alert");
  if (!a) return fail(Errc::ParseError, "job payload: missing alert");
  auto alert = from_alert_json(*a);
  if (!alert) return alert.error();
  p.alert = std::move(*alert);
  return p;
}

}  // namespace

InvestigationWorker::InvestigationWorker(store::Store& store, slack::WebApi& api, investigators::Pipeline& pipeline,
                                         const Config& config, Clock& clock, Wakeup& wakeup, WorkerSettings settings,
                                         llm::LlmClient* llm, const investigators::ToolRegistry* tools)
    : store_(store),
      api_(api),
      pipeline_(pipeline),
      config_(config),
      llm_(llm),
      tools_(tools),
      clock_(clock),
      wakeup_(wakeup),
      settings_(std::move(settings)) {}

void InvestigationWorker::stop() {
  stopping_ = true;
  wakeup_.notify();
}

awaitable<void> InvestigationWorker::run() {
  while (!stopping_) {
    if (running_ >= settings_.concurrency) {
      // Full: a finishing job notifies the wakeup.
      if (!co_await wakeup_.wait(settings_.poll)) break;
      continue;
    }
    auto job = co_await store_.claim_job(settings_.worker_id, settings_.lease);
    if (!job) {
      spdlog::error("worker: cannot claim jobs: {}", job.error().describe());
    } else if (*job) {
      // Jobs run side by side (a storm's investigations, a follow-up talking with the model).
      ++running_;
      auto executor = co_await asio::this_coro::executor;
      auto task = finish_job(**job);
      auto on_done = [this](std::exception_ptr e) {
        if (e) spdlog::error("worker: a job threw past its handler");
        --running_;
        wakeup_.notify();
      };
      asio::co_spawn(executor, std::move(task), std::move(on_done));
      continue;  // there may be more
    }
    spdlog::debug("worker: waiting for jobs");
    if (!co_await wakeup_.wait(settings_.poll)) break;
    spdlog::debug("worker: woke");
  }
  // Jobs still running finish (each is bounded by its deadlines).
  while (running_ > 0) co_await wakeup_.wait(std::chrono::milliseconds(50));
  spdlog::debug("worker: stopped");
}

awaitable<void> InvestigationWorker::keep_lease(store::Id job_id) {
  const Clock::Duration every = std::max(settings_.lease / 3, std::chrono::milliseconds(1));
  const std::chrono::milliseconds lease = settings_.lease;
  for (;;) {
    if (!co_await clock_.sleep_for(every)) co_return;
    auto r = co_await store_.heartbeat_job(job_id, settings_.worker_id, lease);
    if (!r && r.error().code == Errc::Conflict) {
      // Another worker holds it now (this one stalled past the lease): stop, post nothing.
      spdlog::warn("worker: job {}: lease lost, leaving it to its new owner", job_id);
      co_return;
    }
    if (!r) spdlog::warn("worker: job {}: lease not renewed: {}", job_id, r.error().describe());
  }
}

awaitable<void> InvestigationWorker::finish_job(store::Job job) {
  Result<void> done = fail(Errc::Internal, "not run");
  try {
    // The lease is renewed while the job runs, so a long one is not taken again elsewhere.
    auto work = run_job(job);
    auto lease = keep_lease(job.id);
    auto raced = co_await (std::move(work) || std::move(lease));
    if (raced.index() == 1) co_return;  // the lease was lost: the job is another worker's now
    done = std::move(std::get<0>(raced));
  } catch (const std::exception& e) {
    done = fail(Errc::Internal, std::string("job threw: ") + e.what());
  }
  if (done) {
    if (auto r = co_await store_.complete_job(job.id, settings_.worker_id); !r) {
      spdlog::error("worker: job {} done but not marked: {}", job.id, r.error().describe());
    }
    co_return;
  }
  spdlog::error("worker: job {} ({}) failed (attempt {} of {}): {}", job.id, job.kind, job.attempts, job.max_attempts,
                done.error().describe());
  (void)co_await store_.fail_job(job.id, settings_.worker_id, done.error().describe(), settings_.retry_after);
  if (job.attempts < job.max_attempts) co_return;
  if (job.kind == "investigate") co_await give_up(job, done.error().describe());
  if (job.kind == kFollowupJob) {
    if (auto req = parse_followup_payload(job.payload)) {
      FollowupDeps deps{store_, api_, llm_, tools_, config_, clock_};
      co_await give_up_followup(deps, std::move(*req), done.error().describe());
    }
  }
}

awaitable<void> InvestigationWorker::give_up(const store::Job& job, std::string reason) {
  auto p = parse_payload(job.payload);
  if (!p) co_return;
  const std::string none;
  (void)co_await store_.update_investigation(p->investigation_id, store::InvestigationStatus::Failed, none, reason);
  if (metrics) metrics->investigations.with({"failed"}).inc();
  auto content = failed_message(p->service.empty() ? p->alert.name : p->service, reason);
  auto existing = co_await recorded_report(store_, api_, p->investigation_id);
  Result<slack::PostedMessage> said = fail(Errc::Internal, "not said");
  if (existing && *existing) {
    said = co_await api_.update_message((*existing)->channel, (*existing)->message_ts, content);
  } else if (!p->channel.empty()) {
    said = co_await api_.post_message(p->channel, content, p->thread_ts);
  }
  if (!said) spdlog::error("investigation {}: failed, and the thread could not be told: {}", p->investigation_id, said.error().describe());
}

awaitable<void> InvestigationWorker::show_progress(ProgressBoard& board, investigators::Alert alert, std::string service,
                                                   std::string channel, std::string ts) {
  for (;;) {
    if (!co_await clock_.sleep_for(kProgressEvery)) co_return;
    if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
    if (!board.dirty) continue;
    board.dirty = false;
    auto content = progress_message(alert, service, board.sources, board.findings);
    if (auto r = co_await api_.update_message(channel, ts, content); !r) {
      spdlog::debug("investigation progress not shown: {}", r.error().describe());
    }
  }
}

awaitable<void> InvestigationWorker::show_summary(SummaryDraft& draft, const Report& report, std::string channel,
                                                  std::string ts) {
  for (;;) {
    if (!co_await clock_.sleep_for(settings_.stream_every)) co_return;
    if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
    if (!draft.dirty) continue;
    draft.dirty = false;
    auto content = summary_draft_message(report, draft.text);
    if (auto r = co_await api_.update_message(channel, ts, content); !r) {
      spdlog::debug("summary draft not shown: {}", r.error().describe());
      continue;
    }
    ++draft.shown;
  }
}

awaitable<void> InvestigationWorker::upload_chart(const Report& report, std::string channel, std::string thread_ts) {
  auto chart = chart_for_report(report);
  if (!chart) co_return;
  slack::FileUpload file;
  file.channel = std::move(channel);
  file.thread_ts = std::move(thread_ts);
  file.filename = chart->filename;
  file.title = chart->title;
  file.alt_text = chart->alt_text;
  file.content_type = "image/png";
  file.bytes = std::move(chart->bytes);
  if (auto r = co_await api_.upload_file(std::move(file)); !r) {
    spdlog::warn("investigation {}: chart not uploaded: {}", report.id, r.error().describe());
  }
}

awaitable<Result<void>> InvestigationWorker::run_job(const store::Job& job) {
  if (job.kind == kFollowupJob) {
    auto req = parse_followup_payload(job.payload);
    if (!req) co_return req.error();
    FollowupDeps deps{store_, api_, llm_, tools_, config_, clock_};
    co_return co_await answer_followup(deps, std::move(*req));
  }
  if (job.kind != "investigate") co_return fail(Errc::InvalidArgument, "unknown job kind '" + job.kind + "'");
  auto p = parse_payload(job.payload);
  if (!p) co_return p.error();
  const bool last_attempt = job.attempts >= job.max_attempts;
  const std::string none;  // named: GCC 12 mishandles braced temporaries in co_await operands
  if (auto r = co_await store_.update_investigation(p->investigation_id, store::InvestigationStatus::Running, none, none); !r) {
    co_return r.error();
  }
  investigators::InvestigationInput in;
  in.service = p->service;
  in.settings = config_.service(p->service);
  in.services = &config_.services;
  // "Now" is when the alert reached the bot (not later, when a retry or a replay runs; never the
  // alert's own startsAt, which a sender's clock or a hostile payload can put in the future).
  in.at = p->received_at_ms > 0 ? SystemTime(milliseconds(p->received_at_ms)) : p->alert.starts_at;
  in.alert = p->alert;
  if (p->window_ms > 0) in.window = std::chrono::milliseconds(std::min<std::int64_t>(p->window_ms, 24LL * 3600 * 1000));
  Report report;
  report.id = p->investigation_id;
  auto placeholder = co_await recorded_report(store_, api_, p->investigation_id);
  if (placeholder && *placeholder) {
    // Findings show in the placeholder as sources land, until the report replaces it.
    ProgressBoard board;
    investigators::Pipeline::Progress on_progress = [&board](const investigators::ProgressUpdate& u) { board.add(u); };
    auto run = pipeline_.run(std::move(in), on_progress);
    auto pump = show_progress(board, p->alert, p->service, (*placeholder)->channel, (*placeholder)->message_ts);
    auto raced = co_await (std::move(run) || std::move(pump));
    if (raced.index() != 0) co_return fail(Errc::Internal, "progress ended before the investigation");
    report.result = std::move(std::get<0>(raced));
  } else {
    report.result = co_await pipeline_.run(std::move(in));
  }
  if (llm_ && placeholder && *placeholder) {
    // The summary appears in the placeholder as the model writes it.
    std::vector<std::string> secrets = config_.secrets();  // named: no temporaries in a co_await operand
    SummaryDraft draft;
    std::function<void(const std::string&)> on_summary = [&draft](const std::string& text) {
      draft.text = text;
      draft.dirty = true;
    };
    auto step = run_llm_step(llm_, clock_, config_.llm, std::move(secrets), report, std::move(on_summary));
    auto pump = show_summary(draft, report, (*placeholder)->channel, (*placeholder)->message_ts);
    co_await (std::move(step) || std::move(pump));
    if (draft.shown > 0) spdlog::debug("investigation {}: summary streamed in {} updates", p->investigation_id, draft.shown);
  } else {
    std::vector<std::string> secrets = config_.secrets();
    co_await run_llm_step(llm_, clock_, config_.llm, std::move(secrets), report);
  }
  if (report.llm.calls > 0) {
    store::LlmUsage usage{report.llm.calls, report.llm.prompt_tokens, report.llm.completion_tokens, report.llm.cost_usd,
                          report.llm.latency.count()};
    if (auto r = co_await store_.add_llm_usage(p->investigation_id, usage); !r) {
      spdlog::warn("investigation {}: LLM usage not recorded: {}", p->investigation_id, r.error().describe());
    }
  }
  report.total = std::chrono::duration_cast<milliseconds>(clock_.system_now().time_since_epoch()) -
                 milliseconds(p->received_at_ms);
  if (config_.has_server) report.full_report_url = report_link(config_.server.public_url, report.id, link_secret_for(config_));
  std::string report_json = to_report_json(report);

  // Marked, so that a retry after a crash right after this post updates it (bot/report_marker.hpp).
  auto content = with_report_marker(report_message(report), p->investigation_id);
  auto existing = co_await recorded_report(store_, api_, p->investigation_id);
  if (!existing) co_return existing.error();
  Result<slack::PostedMessage> posted = fail(Errc::Internal, "not posted");
  if (*existing) {
    posted = co_await api_.update_message((*existing)->channel, (*existing)->message_ts, content);
  } else {
    const store::ReportRow intent{p->investigation_id, p->channel, p->thread_ts, "", "posting", {}};
    if (auto r = co_await store_.put_report(intent); !r) co_return r.error();
    posted = co_await api_.post_message(p->channel, content, p->thread_ts);
  }
  if (!posted) {
    if (last_attempt) {
      (void)co_await store_.update_investigation(p->investigation_id, store::InvestigationStatus::Failed, report_json,
                                                 posted.error().describe());
    }
    co_return posted.error();
  }
  const bool first_final = !*existing || (*existing)->state != "final";  // a retry does not upload again
  store::ReportRow row{p->investigation_id, p->channel, p->thread_ts, posted->ts, "final", {}};
  if (auto r = co_await store_.put_report(row); !r) co_return r.error();
  if (first_final && !p->channel.empty()) co_await upload_chart(report, p->channel, p->thread_ts);
  if (auto r = co_await store_.update_investigation(p->investigation_id, store::InvestigationStatus::Done, report_json, none); !r) {
    co_return r.error();
  }
  // Indexed for the similar-incident search of later investigations; a failure costs only that.
  store::SearchDocument doc = search_document(report.id, report.result, clock_.system_now());
  if (auto r = co_await store_.index_investigation(std::move(doc)); !r) {
    spdlog::warn("investigation {}: not indexed for search: {}", report.id, r.error().describe());
  }
  spdlog::info("investigation {} reported in {} ms ({} causes, {} findings)", report.id, report.total.count(),
               report.result.causes.size(), report.result.findings.size());
  if (metrics) metrics->count_report(report);
  if (on_report) on_report(report);
  co_return Result<void>();
}

}  // namespace alertbot::bot
