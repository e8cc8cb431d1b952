#include "investigators/pipeline.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>
#include <spdlog/spdlog.h>

#include "investigators/analysis/analyze.hpp"
#include "investigators/source_registry.hpp"
#include "investigators/units.hpp"
#include "net/clock.hpp"
#include "net/duration.hpp"
#include "net/gather.hpp"

namespace alertbot::investigators {
namespace {

using std::chrono::milliseconds;
using namespace boost::asio::experimental::awaitable_operators;

// Deploys this long before the window can still be suspects (and get their code read).
constexpr std::chrono::minutes kDeployLookback{60};
// Code diffs read per service (newest deploys first).
constexpr std::size_t kDiffsPerService = 2;

struct Fetched {
  SourceOutcome outcome;
  std::optional<SourceData> data;
};

milliseconds since(Clock& clock, Clock::SteadyTime start) {
  return std::chrono::duration_cast<milliseconds>(clock.steady_now() - start);
}

std::string describe(const SourceData& d) {
  std::string s;
  auto add = [&](std::size_t n, const char* what) {
    if (n == 0) return;
    if (!s.empty()) s += ", ";
    s += std::to_string(n) + " " + what;
  };
  add(d.series.size(), "series");
  add(d.deploys.size(), "deploys");
  std::size_t traces = 0, lines = 0, commits = 0;
  for (const auto& t : d.traces) traces += t.traces.size();
  for (const auto& l : d.logs) lines += l.lines.size();
  for (const auto& c : d.changes) commits += c.commits.size();
  add(traces, "traces");
  add(lines, "log lines");
  add(d.profiles.size(), "profiles");
  add(commits, "commits");
  add(d.past.size(), "past investigations");
  return s.empty() ? "no data" : s;
}

// The state of one run; lives in Pipeline::run's frame, which outlives every branch.
class RunState {
 public:
  RunState(const SourceRegistry& registry, Clock& clock, const PipelineSettings& settings, const InvestigationInput& in,
           const analysis::AnalysisInput& quick_input, Pipeline::Progress& progress)
      : registry_(registry), clock_(clock), settings_(settings), in_(in), quick_(quick_input), progress_(progress),
        started_(clock.steady_now()) {}

  std::optional<milliseconds> first_data;
  std::set<std::string> deploys_requested;  // services whose deploy sources are running

  // One source and what it leads to (diffs of its deploys, deploys of services its traces saw).
  awaitable<std::vector<Fetched>> branch(std::unique_ptr<Source> src, Query q, std::string label) {
    std::vector<Fetched> out;
    out.push_back(co_await fetch(*src, q, label));
    if (!out.front().data) co_return out;
    std::vector<Fetched> more;
    if (src->kind() == SourceKind::Deploys && q.settings) {
      std::vector<DeployEvent> deploys = out.front().data->deploys;
      more = co_await diffs(*q.settings, deploys, q);
    } else if (src->kind() == SourceKind::Traces) {
      std::set<std::string> seen = seen_services(*out.front().data, q.service);
      more = co_await downstream_deploys(seen, q);
    }
    for (auto& f : more) out.push_back(std::move(f));
    co_return out;
  }

  // Deploy sources of the given services (configured ones whose deploys nobody fetched yet).
  awaitable<std::vector<Fetched>> downstream_deploys(const std::set<std::string>& names, Query base) {
    std::vector<awaitable<std::vector<Fetched>>> ops;
    if (in_.services) {
      for (const auto& s : *in_.services) {
        if (!names.count(s.name) || !deploys_requested.insert(s.name).second) continue;
        for (auto& src : registry_.create_for(s)) {
          if (src->kind() != SourceKind::Deploys) continue;
          Query q = base;
          q.service = s.name;
          q.settings = &s;
          q.alert = nullptr;
          std::string label = src->name() + " (" + s.name + ")";
          ops.push_back(branch(std::move(src), q, std::move(label)));
        }
      }
    }
    auto done = co_await gather(std::move(ops));
    std::vector<Fetched> out;
    for (auto& v : done) {
      for (auto& f : v) out.push_back(std::move(f));
    }
    co_return out;
  }

 private:
  awaitable<Fetched> fetch(Source& src, const Query& q, const std::string& label) {
    const auto t0 = clock_.steady_now();
    auto raced = co_await (src.fetch(q) || clock_.sleep_for(settings_.source_deadline));
    Fetched f = settle(label, t0, raced.index() == 1 ? nullptr : &std::get<0>(raced));
    finished(f);
    co_return f;
  }

  // The outcome of one source or diff: timed out (`r` null), failed, or its data.
  Fetched settle(std::string label, Clock::SteadyTime t0, Result<SourceData>* r) {
    Fetched f;
    f.outcome.source = std::move(label);
    f.outcome.duration = since(clock_, t0);
    if (!r) {
      f.outcome.status = SourceStatus::TimedOut;
      f.outcome.message = "no answer within " + format_duration(settings_.source_deadline);
    } else if (!*r) {
      f.outcome.status = SourceStatus::Failed;
      f.outcome.message = r->error().describe();
    } else {
      f.outcome.message = describe(**r);
      f.data = std::move(**r);
    }
    return f;
  }

  // Code changes of the newest deploys of one service that name both revisions.
  awaitable<std::vector<Fetched>> diffs(const ServiceSettings& service, const std::vector<DeployEvent>& deploys, Query q) {
    std::vector<awaitable<Fetched>> ops;
    std::vector<std::unique_ptr<DiffSource>> sources;  // one per diff: each is used by one operation
    std::vector<const DeployEvent*> picked;
    for (const auto& d : deploys) {
      if (d.previous_version.empty() || d.version.empty() || d.at < q.start - kDeployLookback || d.at > q.end) continue;
      picked.push_back(&d);
    }
    std::sort(picked.begin(), picked.end(), [](const DeployEvent* a, const DeployEvent* b) { return a->at > b->at; });
    for (const DeployEvent* d : picked) {
      if (ops.size() == kDiffsPerService || diffs_started_ == settings_.max_diffs) break;
      auto src = registry_.diff_for(service);
      if (!src) break;
      ++diffs_started_;
      ops.push_back(diff_one(*src, *d));
      sources.push_back(std::move(src));
    }
    co_return co_await gather(std::move(ops));
  }

  awaitable<Fetched> diff_one(DiffSource& src, DeployEvent deploy) {
    const auto t0 = clock_.steady_now();
    auto raced = co_await (src.compare(deploy) || clock_.sleep_for(settings_.source_deadline));
    std::optional<Result<SourceData>> data;
    if (raced.index() == 0) {
      auto& change = std::get<0>(raced);
      if (!change) {
        data.emplace(change.error());
      } else {
        change->deploy_id = deploy.id;
        if (change->service.empty()) change->service = deploy.service;
        SourceData d;
        d.changes.push_back(std::move(*change));
        data.emplace(std::move(d));
      }
    }
    Fetched f = settle(src.name() + " (" + deploy.service + " " + display_version(deploy.previous_version) + ".." +
                           display_version(deploy.version) + ")",
                       t0, data ? &*data : nullptr);
    finished(f);
    co_return f;
  }

  // Configured services other than `self` that own spans in the traces.
  std::set<std::string> seen_services(const SourceData& data, const std::string& self) const {
    std::set<std::string> seen;
    for (const auto& sample : data.traces) {
      for (const auto& t : sample.traces) {
        for (const auto& s : t.spans) {
          if (s.service != self) seen.insert(s.service);
        }
      }
    }
    return seen;
  }

  void finished(const Fetched& f) {
    if (f.outcome.status != SourceStatus::Ok) {
      spdlog::warn("investigation of {}: source {} {}: {}", in_.service, f.outcome.source, to_string(f.outcome.status),
                   f.outcome.message);
    } else if (!first_data) {
      first_data = since(clock_, started_);
    }
    if (!progress_) return;
    ProgressUpdate u;
    u.outcome = f.outcome;
    if (f.data) u.findings = analysis::quick_findings(quick_, *f.data);
    progress_(u);
  }

  const SourceRegistry& registry_;
  Clock& clock_;
  const PipelineSettings& settings_;
  const InvestigationInput& in_;
  const analysis::AnalysisInput& quick_;
  Pipeline::Progress& progress_;
  const Clock::SteadyTime started_;
  std::size_t diffs_started_ = 0;
};

}  // namespace

Pipeline::Pipeline(const SourceRegistry& registry, Clock& clock, PipelineSettings settings,
                   std::optional<asio::any_io_executor> analysis_executor)
    : registry_(registry), clock_(clock), settings_(settings), analysis_executor_(std::move(analysis_executor)) {}

awaitable<InvestigationResult> Pipeline::run(InvestigationInput in, Progress progress) {
  const auto started = clock_.steady_now();
  InvestigationResult out;
  out.service = in.service;
  out.alert = in.alert;
  out.at = in.at;
  out.window_start = in.at - in.window.value_or(settings_.window);

  Query q;
  q.service = in.service;
  q.settings = in.settings;
  q.alert = out.alert ? &*out.alert : nullptr;
  q.start = out.window_start;
  q.end = in.at;

  analysis::AnalysisInput ain;
  ain.service = in.service;
  ain.alert = q.alert;
  ain.window_start = out.window_start;
  ain.now = in.at;
  if (in.settings) ain.configured_downstream.insert(in.settings->downstream.begin(), in.settings->downstream.end());

  RunState state(registry_, clock_, settings_, in, ain, progress);
  std::vector<awaitable<std::vector<Fetched>>> ops;
  if (in.settings) {
    state.deploys_requested.insert(in.service);
    for (auto& src : registry_.create_for(*in.settings)) {
      std::string label = src->name();
      ops.push_back(state.branch(std::move(src), q, std::move(label)));
    }
    for (auto& name : registry_.skipped_for(*in.settings)) {
      out.sources.push_back(SourceOutcome{name, SourceStatus::Skipped, "not configured for " + in.service, {}});
    }
    ops.push_back(state.downstream_deploys(ain.configured_downstream, q));
  } else {
    out.notes.push_back(in.service.empty() ? "the alert names no service: no service-specific source was queried"
                                           : "service '" + in.service + "' is not configured: no source was queried");
  }
  auto fetched = co_await gather(std::move(ops));
  out.sources_ms = since(clock_, started);
  out.first_finding_ms = state.first_data.value_or(out.sources_ms);

  std::vector<SourceData> data;
  for (auto& branch : fetched) {
    for (auto& f : branch) {
      out.sources.push_back(f.outcome);
      if (!f.data) continue;
      for (auto& n : f.data->notes) out.notes.push_back(f.outcome.source + ": " + n);
      out.series.insert(out.series.end(), f.data->series.begin(), f.data->series.end());
      out.deploys.insert(out.deploys.end(), f.data->deploys.begin(), f.data->deploys.end());
      out.changes.insert(out.changes.end(), f.data->changes.begin(), f.data->changes.end());
      data.push_back(std::move(*f.data));
    }
  }
  const auto analysis_started = clock_.steady_now();
  // An if, not ?: with a co_await inside: GCC 12 destroys the conditional's temporary twice.
  analysis::Analysis a;
  if (analysis_executor_) {
    auto compute = [&ain, &data]() -> awaitable<analysis::Analysis> { co_return analysis::analyze(ain, data); };
    // No cancellation slot crosses to the pool: asio 1.81's co_spawn cancellation handler lives in
    // this coroutine's slot memory, which this thread may free while the pool thread completes
    // (a heap-use-after-free ASan found when a lease race cancelled the investigation). The
    // analysis is bounded CPU work; a cancelled investigation waits for it, then stops.
    auto no_cancel = asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable);
    a = co_await asio::co_spawn(*analysis_executor_, compute(), std::move(no_cancel));
  } else {
    a = analysis::analyze(ain, data);
  }
  out.analysis_ms = since(clock_, analysis_started);
  out.findings = std::move(a.findings);
  out.causes = std::move(a.causes);
  out.leads = std::move(a.leads);
  out.abstained = a.abstained;
  out.abstain_reason = std::move(a.abstain_reason);
  out.onset = a.onset;
  out.pivot = a.pivot;
  for (auto& n : a.notes) out.notes.push_back(std::move(n));
  out.total_ms = since(clock_, started);
  co_return out;
}

}  // namespace alertbot::investigators
