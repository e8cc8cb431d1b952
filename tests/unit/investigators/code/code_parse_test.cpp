// The parsers behind the deploy and diff sources, fed hostile or odd input: errors name the
// field, nothing throws, and the Link header, revision check and git log records behave.
#include <gtest/gtest.h>

#include "investigators/sources/argocd_parse.hpp"
#include "investigators/sources/git_log_parse.hpp"
#include "investigators/sources/github_parse.hpp"

namespace alertbot::investigators {
namespace {

TEST(GitHubParse, ErrorsNameTheField) {
  auto bad_time = parse_github_deployments(R"([{"id":1,"sha":"a","created_at":"yesterday"}])");
  ASSERT_FALSE(bad_time);
  EXPECT_EQ(bad_time.error().code, Errc::ParseError);
  EXPECT_NE(bad_time.error().message.find("deployments[0].created_at"), std::string::npos) << bad_time.error().message;
  auto no_id = parse_github_deployments(R"([{"sha":"a","created_at":"2026-01-01T00:00:00Z"}])");
  ASSERT_FALSE(no_id);
  EXPECT_NE(no_id.error().message.find("deployments[0].id"), std::string::npos);
  for (const char* junk : {"", "null", "{}", "[1]", "[{\"state\":5}]", "<html>"}) {
    EXPECT_FALSE(parse_github_statuses(junk)) << junk;
    EXPECT_FALSE(parse_github_deployments(junk)) << junk;
  }
  auto bad_sha = parse_github_compare(R"({"commits":[{"sha":"xyz","commit":{"message":"m"}}]})");
  ASSERT_FALSE(bad_sha);
  EXPECT_NE(bad_sha.error().message.find("commits[0].sha"), std::string::npos) << bad_sha.error().message;
}

TEST(GitHubParse, CommitFilesAndMissingPatches) {
  std::string sha(40, 'a');
  bool capped = true;
  auto c = parse_github_commit(R"({"sha":")" + sha + R"(","commit":{"message":"m","author":{"name":"N","date":"2026-01-01T00:00:00Z"}},
    "author":null,"files":[{"filename":"a.go","status":"modified","additions":2,"deletions":1,"patch":"@@ -1 +1,2 @@\n+x"},
    {"filename":"b.bin","status":"added","additions":0,"deletions":0}]})",
                               capped);
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_FALSE(capped);
  EXPECT_EQ(c->author, "N");
  ASSERT_EQ(c->files.size(), 2u);
  EXPECT_FALSE(c->files[0].patch_missing);
  EXPECT_TRUE(c->files[1].patch_missing);
}

TEST(GitHubParse, LinkHeaderNext) {
  EXPECT_EQ(link_next(R"(<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last")"),
            "https://api.github.com/x?page=2");
  EXPECT_EQ(link_next(R"(<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next")"),
            "https://api.github.com/x?page=3");
  EXPECT_EQ(link_next(R"(<https://api.github.com/x?page=5>; rel="last")"), "");
  EXPECT_EQ(link_next("garbage <"), "");
  EXPECT_EQ(link_next(""), "");
}

TEST(GitHubParse, RepoNamesAndWebUrls) {
  EXPECT_TRUE(is_github_repo_name("acme/orders.api"));
  for (const char* bad : {"acme", "/orders", "acme/", "a/b/c", "acme/../x", "ac me/x", "acme/x?y"}) EXPECT_FALSE(is_github_repo_name(bad)) << bad;
  RepoSettings r{"", "acme/orders"};
  EXPECT_EQ(github_web_url(r), "https://github.com/acme/orders");
  r.github_api_url = "https://ghe.example/api/v3/";
  EXPECT_EQ(github_web_url(r), "https://ghe.example/acme/orders");
  r.github_api_url = "http://127.0.0.1:1234";
  EXPECT_EQ(github_web_url(r), "");
}

TEST(ArgoCdParse, HistoryAndErrors) {
  auto app = parse_argocd_application(R"({"metadata":{"name":"orders"},"spec":{"destination":{"namespace":"prod"}},
    "status":{"history":[{"id":"7","revision":"abc","deployedAt":"2026-01-01T00:00:00Z","initiatedBy":{"automated":true}}]}})");
  ASSERT_TRUE(app) << app.error().describe();
  EXPECT_EQ(app->destination_namespace, "prod");
  ASSERT_EQ(app->history.size(), 1u);
  EXPECT_EQ(app->history[0].id, 7);  // a numeric string is tolerated
  EXPECT_TRUE(app->history[0].automated);
  auto never = parse_argocd_application(R"({"metadata":{"name":"orders"},"status":{}})");
  ASSERT_TRUE(never);
  EXPECT_TRUE(never->history.empty());
  auto bad = parse_argocd_application(R"({"status":{"history":[{"id":1,"revision":"a","deployedAt":"soon"}]}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("status.history[0].deployedAt"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(parse_argocd_application(R"({"status":{"history":{}}})"));
  EXPECT_FALSE(parse_argocd_application("404 page not found"));
}

TEST(GitLogParse, RecordsFilesAndCutOutput) {
  std::string sha(40, 'b');
  std::string rec = std::string("\x01\x02" "ALERTBOT-COMMIT\x02\n") + sha + '\0' + "dana" + '\0' + "2026-01-01T10:00:00+02:00" + '\0' +
                    "subject\n\nbody\n" + '\0' + "\n\ndiff --git \"a/we\\tird\" \"b/we\\tird\"\nnew file mode 100644\n--- /dev/null\n"
                    "+++ \"b/we\\tird\"\n@@ -0,0 +1,2 @@\n+one\n+two\n";
  auto commits = parse_git_log(rec, 1024);
  ASSERT_TRUE(commits) << commits.error().describe();
  ASSERT_EQ(commits->size(), 1u);
  EXPECT_EQ((*commits)[0].message, "subject\n\nbody");
  ASSERT_EQ((*commits)[0].files.size(), 1u);
  EXPECT_EQ((*commits)[0].files[0].path, "we\tird");
  EXPECT_EQ((*commits)[0].files[0].status, "added");
  EXPECT_EQ((*commits)[0].files[0].additions, 2);
  // Cut in the middle of a second record's header: the complete first one survives.
  auto cut = parse_git_log(rec + std::string("\x01\x02" "ALERTBOT-COMMIT\x02\n") + sha.substr(0, 10), 1024, true);
  ASSERT_TRUE(cut) << cut.error().describe();
  EXPECT_EQ(cut->size(), 1u);
  EXPECT_TRUE(cut->back().files.back().patch_missing);
  EXPECT_FALSE(parse_git_log("not a git log", 1024));
  EXPECT_FALSE(parse_git_log(std::string("\x01\x02" "ALERTBOT-COMMIT\x02\nzzz") + '\0' + "a" + '\0' + "b" + '\0' + "c" + '\0', 1024));
}

TEST(GitLogParse, SafeRevisions) {
  for (const char* ok : {"v1.2.3", "release/2026-01", "0123456789abcdef0123456789abcdef01234567", "main", "1.0+build"}) {
    EXPECT_TRUE(is_safe_revision(ok)) << ok;
  }
  for (const char* bad : {"", "-p", "--output=/tmp/x", "a..b", "a b", "HEAD@{1}", "main:file", "/etc/passwd", ".hidden", "x\n", "a~1", "a^",
                          "v1.", "release/", "main.lock"}) {
    EXPECT_FALSE(is_safe_revision(bad)) << bad;
  }
}

}  // namespace
}  // namespace alertbot::investigators
