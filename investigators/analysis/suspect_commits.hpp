// Suspect-commit ranking: how each commit of a suspect deploy relates to what the other analyses
// found. Clues come from the findings' attributes (db_statement -> SQL tables, operation,
// http_route, peer_service, service, log template literals and keys, profile function and file,
// metric onsets); each commit is scored on its file paths (strong), its added/removed lines
// (strong; an added loop around a query on an N+1 table is stronger still; a changed config key
// named by a log pattern) and its message (weak). Commits touching only configuration files are
// marked config="true" and match error-rate onsets and log clues. Pure and deterministic.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "investigators/evidence.hpp"

namespace alertbot::investigators::analysis {

// Findings of kind "commit" (analysis/finding_kinds.hpp), most relevant first, ids
// "c<first_id>", "c<first_id + 1>", ... A commit gets one only when its relevance (0..1) is above
// zero, or when it is the change's only commit (then with a low relevance).
std::vector<Finding> rank_commits(const CodeChange& change, const std::vector<Finding>& findings, int first_id);

// Words of an identifier-ish text: split on non-alphanumerics, camelCase and snake_case,
// lower-cased, without stop words and words shorter than 3 characters.
std::vector<std::string> clue_words(std::string_view text);

// Table names in a SQL statement (after FROM, JOIN, UPDATE, INTO), lower-cased, schema dropped.
std::vector<std::string> sql_tables(std::string_view statement);

// True when every file of the commit is configuration (yaml, json, toml, ini, env, properties,
// conf, Helm values, Kubernetes manifests).
bool is_config_only(const Commit& commit);

}  // namespace alertbot::investigators::analysis
