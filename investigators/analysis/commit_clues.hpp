// Clues for suspect-commit ranking (internal to analysis/suspect_commits): what the other
// findings say to look for in a commit (tables of regressed queries, operations, log phrases and
// values, hot functions and their files) and the text normalisation both sides share. Pure.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis::clues {

enum class ClueKind { Table, Identifier, Word, Literal, File };

struct Clue {
  ClueKind kind;
  std::string text;  // a key (Table, Identifier, Word), a lower-case phrase (Literal), a path (File)
  std::string label;
  bool fanout = false;    // N+1: a loop around it counts
  bool from_log = false;  // from a log template: matches changed config keys
  std::string origin;     // for log clues: the log pattern, briefly (config key labels)
};

// One finding's clues; a commit's match with the finding is its best clue.
struct ClueGroup {
  double weight = 1;  // from the finding's score
  std::vector<Clue> clues;
};

struct Clues {
  std::vector<ClueGroup> groups;
  double onset = 0;  // what an onset gives a config-only commit
  std::string onset_label;
};

// The clues of `findings` for commits of `service`'s repository.
Clues gather_clues(const std::vector<Finding>& findings, const std::string& service);

// Text normalisation shared with the commit side.
std::string lower(std::string_view s);
std::string stem(std::string w);
std::string key_of(std::string_view s);
// Keys of every identifier (runs of letters, digits, '_') and of every word in `text`.
std::set<std::string> keys_in(std::string_view text);

}  // namespace alertbot::investigators::analysis::clues
