// World: one scenario brought to life. Each backend the scenario uses is served over real HTTP on
// 127.0.0.1 by the protocol fakes (Prometheus, Jaeger or Tempo, Loki, Pyroscope, GitHub, Argo CD),
// each service with commits gets a real git repository, webhook deploys sit in an in-memory deploy
// history, and the investigation runs through the same registry and pipeline as
// `alertbot investigate`, then is rendered to the report JSON. Blocking: call from a test body.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "investigators/pipeline.hpp"
#include "tests/scenarios/scenario.hpp"

namespace alertbot::scenarios {

struct Outcome {
  investigators::InvestigationResult result;
  std::string report_json;                   // the docs/report-schema.md object
  std::map<std::string, std::string> shas;   // "<service>@<tag>" -> full SHA
  std::chrono::milliseconds took{0};         // the pipeline, wall clock
  std::string error;                         // set when the world could not be built
};

// Runs `scenario` end to end.
Outcome run_scenario(const Scenario& scenario);

// The refs `expected` accepts, resolved against the world ("commit:orders@bad" -> its SHA).
std::vector<std::string> accepted_refs(const Expected& expected, const Outcome& outcome);

}  // namespace alertbot::scenarios
