// Code changes between two revisions (a deploy's previous and current), from a local git clone
// or GitHub compare: the commits, oldest first, each with the files and hunks it touched.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace alertbot::investigators {

struct FileChange {
  std::string path;
  std::string previous_path;  // renames
  std::string status;         // added | removed | modified | renamed | copied | changed
  int additions = 0;
  int deletions = 0;
  std::string patch;           // unified-diff hunks; "" when the backend gave none
  bool patch_missing = false;  // binary, too large, or cut by the backend: counts may be wrong
};

struct Commit {
  std::string sha;  // full 40-hex SHA
  std::string author;
  std::chrono::system_clock::time_point at;
  std::string message;  // whole message; the first line is the subject
  std::vector<FileChange> files;
  std::string link;
};

struct CodeChange {
  std::string service;
  std::string deploy_id;  // the deploy whose revisions these are
  std::string base;       // previous revision as given (sha, tag)
  std::string head;       // deployed revision as given
  std::string backend;    // git | github
  std::vector<Commit> commits;  // oldest first
  bool truncated = false;       // the backend capped commits or files
  std::string link;             // compare view
};

}  // namespace alertbot::investigators
