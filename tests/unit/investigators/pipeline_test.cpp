// The pipeline with hand-written sources on a FakeClock: sources run at once, each under its own
// deadline; a failure or a timeout is a note, never an abort; a deploy source's deploys get their
// code read as soon as they land; deploys of services the traces reveal are fetched; progress
// reports each source with findings from its data alone.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "investigators/pipeline.hpp"
#include "investigators/source_registry.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::investigators {
namespace {

using namespace std::chrono;
using testing::FakeClock;
using testing::run_until;

const Time kNow = Time(seconds(1795578000));

// A source that sleeps `delay` on the clock, then answers `data` (or `error`).
struct Script {
  std::string name;
  SourceKind kind = SourceKind::Metrics;
  milliseconds delay{0};
  SourceData data;
  std::optional<Error> error;
  std::string only_for;  // create only for this service ("" = every service)
  std::vector<std::string>* calls = nullptr;
};

class ScriptedSource final : public Source {
 public:
  ScriptedSource(const Script& s, Clock& clock) : s_(s), clock_(clock) {}
  std::string name() const override { return s_.name; }
  SourceKind kind() const override { return s_.kind; }
  awaitable<Result<SourceData>> fetch(const Query& q) override {
    if (s_.calls) s_.calls->push_back(s_.name + "@" + q.service);
    if (s_.delay.count() > 0) co_await clock_.sleep_for(s_.delay);
    if (s_.error) co_return *s_.error;
    co_return s_.data;
  }

 private:
  const Script& s_;
  Clock& clock_;
};

class ScriptedFactory final : public SourceFactory {
 public:
  ScriptedFactory(Script s, Clock& clock) : s_(std::move(s)), clock_(clock) {}
  std::string name() const override { return s_.name; }
  std::unique_ptr<Source> create(const ServiceSettings& service) const override {
    if (!s_.only_for.empty() && service.name != s_.only_for) return nullptr;
    return std::make_unique<ScriptedSource>(s_, clock_);
  }

 private:
  Script s_;
  Clock& clock_;
};

class RecordingDiff final : public DiffSource {
 public:
  explicit RecordingDiff(std::vector<std::string>& calls) : calls_(calls) {}
  std::string name() const override { return "git"; }
  awaitable<Result<CodeChange>> compare(const DeployEvent& d) override {
    calls_.push_back(d.service + ":" + d.previous_version + ".." + d.version);
    CodeChange c;
    c.base = d.previous_version;
    c.head = d.version;
    c.backend = "git";
    Commit commit;
    commit.sha = std::string(40, 'a');
    commit.message = "change";
    c.commits = {commit};
    co_return c;
  }

 private:
  std::vector<std::string>& calls_;
};

class RecordingDiffFactory final : public DiffFactory {
 public:
  explicit RecordingDiffFactory(std::vector<std::string>& calls) : calls_(calls) {}
  std::string name() const override { return "git"; }
  std::unique_ptr<DiffSource> create(const ServiceSettings& s) const override {
    return s.repo ? std::make_unique<RecordingDiff>(calls_) : nullptr;
  }

 private:
  std::vector<std::string>& calls_;
};

SourceData latency_step() {
  SourceData d;
  MetricSeries s;
  s.name = "latency";
  s.unit = "seconds";
  for (int i = 0; i < 240; ++i) s.points.push_back({kNow - seconds(15 * (240 - i)), i < 180 ? 0.2 : 0.9});
  d.series = {s};
  return d;
}

DeployEvent deploy(const std::string& service, minutes ago) {
  DeployEvent d;
  d.id = service + "-deploy";
  d.service = service;
  d.version = "v2";
  d.previous_version = "v1";
  d.source = "webhook";
  d.at = kNow - ago;
  return d;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    checkout_.name = "checkout";
    checkout_.repo = RepoSettings{"/srv/checkout"};
    payments_.name = "payments";
    payments_.repo = RepoSettings{"/srv/payments"};
    services_ = {checkout_, payments_};
  }

  void add(Script s) { ASSERT_TRUE(registry_.add(std::make_unique<ScriptedFactory>(std::move(s), clock_))); }

  // Starts the investigation of checkout; the test then drives the clock.
  void start(PipelineSettings settings = {}) {
    pipeline_ = std::make_unique<Pipeline>(registry_, clock_, settings);
    InvestigationInput in;
    in.service = "checkout";
    in.settings = &services_[0];
    in.services = &services_;
    in.at = kNow;
    asio::co_spawn(io_, pipeline_->run(std::move(in), [&](const ProgressUpdate& u) { progress_.push_back(u); }),
                   [&](std::exception_ptr e, InvestigationResult r) {
                     ASSERT_FALSE(e);
                     result_ = std::move(r);
                   });
  }

  const SourceOutcome* outcome(const std::string& name) const {
    for (const auto& s : result_->sources) {
      if (s.source == name) return &s;
    }
    return nullptr;
  }

  asio::io_context io_;
  FakeClock clock_{kNow};
  SourceRegistry registry_;
  ServiceSettings checkout_, payments_;
  std::vector<ServiceSettings> services_;
  std::unique_ptr<Pipeline> pipeline_;
  std::vector<ProgressUpdate> progress_;
  std::optional<InvestigationResult> result_;
};

TEST_F(PipelineTest, SourcesRunAtOnceSoTheSlowestSetsTheTime) {
  add({"prometheus", SourceKind::Metrics, milliseconds(3000), latency_step()});
  add({"jaeger", SourceKind::Traces, milliseconds(3000), {}});
  add({"loki", SourceKind::Logs, milliseconds(2000), {}});
  start();
  ASSERT_TRUE(run_until(io_, [&] { return clock_.sleepers() == 6; }));  // 3 sources + their deadlines
  // 3 s in all: sources one after another would need 8 s.
  clock_.advance(milliseconds(2000));
  ASSERT_TRUE(run_until(io_, [&] { return progress_.size() == 1; }));
  clock_.advance(milliseconds(1000));
  ASSERT_TRUE(run_until(io_, [&] { return result_.has_value(); }));
  EXPECT_EQ(result_->sources_ms, milliseconds(3000));
  EXPECT_EQ(result_->first_finding_ms, milliseconds(2000));
  EXPECT_EQ(outcome("prometheus")->status, SourceStatus::Ok);
  EXPECT_EQ(outcome("loki")->duration, milliseconds(2000));
  ASSERT_TRUE(result_->onset);
}

TEST_F(PipelineTest, AFailingOrSlowSourceIsANoteNotAnAbort) {
  add({"prometheus", SourceKind::Metrics, milliseconds(0), latency_step()});
  add({"jaeger", SourceKind::Traces, milliseconds(0), {}, fail(Errc::HttpStatus, "jaeger: HTTP 503")});
  add({"loki", SourceKind::Logs, hours(1), {}});
  PipelineSettings settings;
  settings.source_deadline = milliseconds(5000);
  start(settings);
  ASSERT_TRUE(run_until(io_, [&] { return clock_.sleepers() == 2; }));  // loki and its deadline
  clock_.advance(milliseconds(5000));
  ASSERT_TRUE(run_until(io_, [&] { return result_.has_value(); }));
  EXPECT_EQ(outcome("jaeger")->status, SourceStatus::Failed);
  EXPECT_EQ(outcome("jaeger")->message, "http status: jaeger: HTTP 503");
  EXPECT_EQ(outcome("loki")->status, SourceStatus::TimedOut);
  EXPECT_EQ(outcome("loki")->message, "no answer within 5s");
  EXPECT_FALSE(result_->findings.empty());  // prometheus' onset still made it
  EXPECT_EQ(progress_.size(), 3u);
}

TEST_F(PipelineTest, ADeploysCodeIsReadAsSoonAsItsSourceAnswers) {
  std::vector<std::string> diffs;
  ASSERT_TRUE(registry_.add_diff(std::make_unique<RecordingDiffFactory>(diffs)));
  SourceData d;
  d.deploys = {deploy("checkout", minutes(20)), deploy("checkout", minutes(300))};  // the second: too old
  d.deploys[1].id = "old";
  add({"deploys", SourceKind::Deploys, milliseconds(100), d});
  add({"prometheus", SourceKind::Metrics, milliseconds(4000), latency_step()});
  start();
  ASSERT_TRUE(run_until(io_, [&] { return clock_.sleepers() == 4; }));
  clock_.advance(milliseconds(100));
  // The diff ran while prometheus was still out.
  ASSERT_TRUE(run_until(io_, [&] { return diffs.size() == 1; }));
  EXPECT_FALSE(result_.has_value());
  EXPECT_EQ(diffs[0], "checkout:v1..v2");
  clock_.advance(milliseconds(3900));
  ASSERT_TRUE(run_until(io_, [&] { return result_.has_value(); }));
  ASSERT_EQ(result_->changes.size(), 1u);
  EXPECT_EQ(result_->changes[0].deploy_id, "checkout-deploy");
  const SourceOutcome* git = outcome("git (checkout v1..v2)");
  ASSERT_NE(git, nullptr);
  EXPECT_EQ(git->status, SourceStatus::Ok);
  EXPECT_EQ(git->message, "1 commits");
}

TEST_F(PipelineTest, DeploysOfServicesTheTracesRevealAreFetched) {
  std::vector<std::string> calls;
  SourceData traces;
  TraceSample sample;
  Trace t;
  t.trace_id = "t1";
  t.spans = {Span{"a", "", "checkout", "POST /checkout", 0, 10, false, "", "", ""},
             Span{"b", "a", "payments", "charge", 1, 5, false, "", "", ""},
             Span{"c", "a", "unconfigured", "x", 2, 1, false, "", "", ""}};
  sample.traces = {t};
  traces.traces = {sample};
  add({"jaeger", SourceKind::Traces, milliseconds(0), traces, std::nullopt, "checkout", &calls});
  SourceData payments_deploys;
  payments_deploys.deploys = {deploy("payments", minutes(10))};
  add({"argocd", SourceKind::Deploys, milliseconds(0), payments_deploys, std::nullopt, "payments", &calls});
  start();
  ASSERT_TRUE(run_until(io_, [&] { return result_.has_value(); }));
  EXPECT_EQ(calls, (std::vector<std::string>{"jaeger@checkout", "argocd@payments"}));
  const SourceOutcome* o = outcome("argocd (payments)");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->status, SourceStatus::Ok);
  ASSERT_EQ(result_->deploys.size(), 1u);
  EXPECT_EQ(result_->deploys[0].service, "payments");
}

TEST_F(PipelineTest, ProgressCarriesEachSourcesOwnFindings) {
  add({"prometheus", SourceKind::Metrics, milliseconds(0), latency_step()});
  start();
  ASSERT_TRUE(run_until(io_, [&] { return result_.has_value(); }));
  ASSERT_EQ(progress_.size(), 1u);
  EXPECT_EQ(progress_[0].outcome.source, "prometheus");
  ASSERT_FALSE(progress_[0].findings.empty());
  EXPECT_EQ(progress_[0].findings[0].kind, "onset");
}

TEST_F(PipelineTest, AnUnconfiguredServiceIsInvestigatedWithANote) {
  add({"prometheus", SourceKind::Metrics, milliseconds(0), latency_step()});
  pipeline_ = std::make_unique<Pipeline>(registry_, clock_);
  InvestigationInput in;
  in.service = "ghost";
  in.at = kNow;
  auto r = testing::run_coro(io_, pipeline_->run(std::move(in)));
  EXPECT_TRUE(r.sources.empty());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("'ghost' is not configured"), std::string::npos);
  EXPECT_TRUE(r.abstained);
}

}  // namespace
}  // namespace alertbot::investigators
