// `alertbot demo`: the whole path in one process with no token, no network and no LLM. It starts
// the Slack workspace emulator, a Prometheus-compatible endpoint playing the scenario, SQLite in a
// temporary folder and the bot; posts the scenario's alert into the emulated channel the way
// Alertmanager does (an incoming-webhook POST); waits for the report; and prints the thread.
#pragma once

#include <ostream>
#include <string>

namespace alertbot::bot {

struct DemoOptions {
  std::string scenario_file;  // empty: the scenario compiled in from demo/scenario.json
  bool keep = false;          // keep the temporary folder (its SQLite database) for inspection
};

// Returns the process exit code: 0 when the report arrived, 1 otherwise (the reason is printed).
int run_demo(const DemoOptions& options, std::ostream& out);

}  // namespace alertbot::bot
