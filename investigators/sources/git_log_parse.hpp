// Parsing `git log -p` output made with git_log_format(): one record per commit (a marker line,
// then NUL-separated SHA, author, ISO author date and message, then the patch), split into
// FileChanges (status from the extended header lines, counts from the hunks). Also the revision
// check applied before any revision reaches git or a URL. Never throws; caps patch sizes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/model/code_change.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// The value for `git log --format=` that parse_git_log() reads.
std::string git_log_format();

// Commits in the order git printed them. A patch past `max_patch_bytes` is cut and marked
// patch_missing (its counts stay exact); binary files have no patch and patch_missing set.
// `partial` says the text was cut mid-way (the last record's last file gets patch_missing).
// Errors: ParseError when a record is malformed (names the record and field).
Result<std::vector<Commit>> parse_git_log(std::string_view text, std::size_t max_patch_bytes, bool partial = false);

// True for a revision safe to hand to git or put in a URL: 1..255 characters among letters,
// digits, '.', '_', '/', '-', '+'; not starting with '-', '.' or '/'; no "..".
bool is_safe_revision(std::string_view rev);

}  // namespace alertbot::investigators
