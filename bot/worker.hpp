// InvestigationWorker: takes "investigate" jobs from the store's queue (a lease per job, so a
// crashed worker's job is taken again after the lease), runs the pipeline, and replaces the
// thread's placeholder with the report. A job that fails is retried with backoff up to its
// attempts; the last failure is said in the thread. Runs on the bot's executor.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "investigators/pipeline.hpp"
#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "store/records.hpp"

namespace alertbot {
class Clock;
}
namespace alertbot::store {
class Store;
}
namespace alertbot::slack {
class WebApi;
}
namespace alertbot::llm {
class LlmClient;
}
namespace alertbot::investigators {
class ToolRegistry;
}

namespace alertbot::bot {

struct Config;
class Wakeup;
struct Report;
struct BotMetrics;

// How often a running investigation's placeholder is updated with what has come in: well inside
// chat.update's Tier 3 (about 50 a minute for the workspace).
inline constexpr std::chrono::milliseconds kProgressEvery{2000};

struct WorkerSettings {
  std::string worker_id = "worker-1";               // lease owner name (host:pid in production)
  // Renewed every lease/3 while the job runs, so it bounds how long a job whose replica died
  // (kill -9, a lost node) waits before another replica takes it, not how long a job may run.
  std::chrono::milliseconds lease{15000};
  std::chrono::milliseconds poll{1000};             // look for jobs from other replicas this often
  std::chrono::milliseconds retry_after{5000};      // a failed job runs again after this
  // While the model writes its summary, the placeholder shows it growing at most this often
  // (chat.update is Tier 3: about 50 a minute; one message a second stays well inside it).
  std::chrono::milliseconds stream_every{1000};
  // Jobs run at once: investigations of a storm's incidents and follow-ups side by side.
  std::size_t concurrency = 4;
};

class InvestigationWorker {
 public:
  // `llm`: the model that explains the findings and answers follow-up questions (nullptr:
  // provider none); `tools`: what the model may call for follow-ups (nullptr: none). Both must
  // outlive the worker. Jobs: "investigate" (bot/intake) and "followup" (bot/followup).
  InvestigationWorker(store::Store& store, slack::WebApi& api, investigators::Pipeline& pipeline, const Config& config,
                      Clock& clock, Wakeup& wakeup, WorkerSettings settings = {}, llm::LlmClient* llm = nullptr,
                      const investigators::ToolRegistry* tools = nullptr);

  // Claims and runs jobs until stop().
  awaitable<void> run();
  void stop();
  // Called after each report is delivered (tests and the demo watch this).
  std::function<void(const Report&)> on_report;
  // Investigations done and failed, durations, sources, LLM usage (nullptr: not counted); must
  // outlive the worker.
  BotMetrics* metrics = nullptr;

 private:
  // What the sources brought so far, shown in the placeholder while the rest is still out.
  struct ProgressBoard {
    std::vector<investigators::SourceOutcome> sources;
    std::vector<investigators::Finding> findings;
    bool dirty = false;  // changed since last shown
    void add(const investigators::ProgressUpdate& u) {
      sources.push_back(u.outcome);
      findings.insert(findings.end(), u.findings.begin(), u.findings.end());
      dirty = true;
    }
  };
  // Every kProgressEvery, shows what `board` holds in the placeholder (channel, ts) if it
  // changed; runs until cancelled (the investigation finished).
  awaitable<void> show_progress(ProgressBoard& board, investigators::Alert alert, std::string service,
                                std::string channel, std::string ts);
  // The summary the model is writing, as far as it came: shown in the placeholder every
  // settings_.stream_every while `dirty`, until cancelled (the LLM step finished).
  struct SummaryDraft {
    std::string text;
    bool dirty = false;
    int shown = 0;  // updates sent
  };
  awaitable<void> show_summary(SummaryDraft& draft, const Report& report, std::string channel, std::string ts);
  awaitable<Result<void>> run_job(const store::Job& job);
  // Uploads the chart of the report's key metric into the thread (a failure is only logged).
  awaitable<void> upload_chart(const Report& report, std::string channel, std::string thread_ts);
  // Runs `job` and marks it done, or failed (then retried, or given up after its last attempt).
  awaitable<void> finish_job(store::Job job);
  // Renews the job's lease every lease/3 until cancelled.
  awaitable<void> keep_lease(store::Id job_id);
  // The job ran out of attempts: the investigation is marked failed and the thread is told.
  awaitable<void> give_up(const store::Job& job, std::string reason);

  store::Store& store_;
  slack::WebApi& api_;
  investigators::Pipeline& pipeline_;
  const Config& config_;
  llm::LlmClient* llm_;
  const investigators::ToolRegistry* tools_;
  Clock& clock_;
  Wakeup& wakeup_;
  const WorkerSettings settings_;
  bool stopping_ = false;
  std::size_t running_ = 0;  // jobs running now (at most settings_.concurrency)
};

}  // namespace alertbot::bot
