#include "investigators/pipeline.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <spdlog/spdlog.h>

#include "investigators/analysis/analyze.hpp"
#include "investigators/source_registry.hpp"
#include "net/clock.hpp"
#include "net/duration.hpp"
#include "net/gather.hpp"

namespace alertbot::investigators {
namespace {

using std::chrono::milliseconds;
using namespace boost::asio::experimental::awaitable_operators;

struct Fetched {
  SourceOutcome outcome;
  std::optional<SourceData> data;
};

milliseconds since(Clock& clock, Clock::SteadyTime start) {
  return std::chrono::duration_cast<milliseconds>(clock.steady_now() - start);
}

}  // namespace

Pipeline::Pipeline(const SourceRegistry& registry, Clock& clock, PipelineSettings settings)
    : registry_(registry), clock_(clock), settings_(settings) {}

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

  std::vector<std::unique_ptr<Source>> sources;
  if (in.settings) {
    sources = registry_.create_for(*in.settings);
    for (auto& name : registry_.skipped_for(*in.settings)) {
      out.sources.push_back(SourceOutcome{name, SourceStatus::Skipped, "not configured for " + in.service, {}});
    }
  } else {
    out.notes.push_back(in.service.empty() ? "the alert names no service: no service-specific source was queried"
                                           : "service '" + in.service + "' is not configured: no source was queried");
  }

  std::optional<milliseconds> first_data;
  auto fetch_one = [&](Source& src) -> awaitable<Fetched> {
    const auto t0 = clock_.steady_now();
    auto raced = co_await (src.fetch(q) || clock_.sleep_for(settings_.source_deadline));
    Fetched f;
    f.outcome.source = src.name();
    f.outcome.duration = since(clock_, t0);
    if (raced.index() == 1) {
      f.outcome.status = SourceStatus::TimedOut;
      f.outcome.message = "no answer within " + format_duration(settings_.source_deadline);
    } else if (auto& r = std::get<0>(raced); !r) {
      f.outcome.status = SourceStatus::Failed;
      f.outcome.message = r.error().describe();
    } else {
      f.outcome.message = std::to_string(r->series.size()) + " series, " + std::to_string(r->deploys.size()) + " deploys";
      if (!first_data) first_data = since(clock_, started);
      f.data = std::move(*r);
    }
    if (f.outcome.status != SourceStatus::Ok) {
      spdlog::warn("investigation of {}: source {} {}: {}", in.service, f.outcome.source, to_string(f.outcome.status),
                   f.outcome.message);
    }
    if (progress) progress(f.outcome);
    co_return f;
  };

  std::vector<awaitable<Fetched>> ops;
  for (auto& s : sources) ops.push_back(fetch_one(*s));
  auto fetched = co_await gather(std::move(ops));
  out.sources_ms = since(clock_, started);
  out.first_finding_ms = first_data.value_or(out.sources_ms);

  std::vector<SourceData> data;
  for (auto& f : fetched) {
    out.sources.push_back(f.outcome);
    if (!f.data) continue;
    for (auto& n : f.data->notes) out.notes.push_back(f.outcome.source + ": " + n);
    out.series.insert(out.series.end(), f.data->series.begin(), f.data->series.end());
    out.deploys.insert(out.deploys.end(), f.data->deploys.begin(), f.data->deploys.end());
    data.push_back(std::move(*f.data));
  }
  auto analysis = analysis::analyze(in.service, out.window_start, in.at, data);
  out.findings = std::move(analysis.findings);
  out.causes = std::move(analysis.causes);
  co_return out;
}

}  // namespace alertbot::investigators
