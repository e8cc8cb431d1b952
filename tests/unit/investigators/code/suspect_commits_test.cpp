// rank_commits: the commit that matches the other findings' clues ranks first (an N+1 loop on
// the fanout's table; a config key a new log pattern names, with an error-rate onset), unrelated
// commits rank low or not at all, and the finding carries the contract's attributes.
#include <gtest/gtest.h>

#include "investigators/analysis/suspect_commits.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators::analysis {
namespace {

const Time kT0 = from_unix_seconds(1795578000);

FileChange file(std::string path, std::string patch, std::string status = "modified") {
  FileChange f;
  f.path = std::move(path);
  f.status = std::move(status);
  f.patch = std::move(patch);
  for (std::size_t pos = 0; pos < f.patch.size();) {
    auto nl = f.patch.find('\n', pos);
    char c = f.patch[pos];
    if (c == '+') ++f.additions;
    if (c == '-') ++f.deletions;
    pos = nl == std::string::npos ? f.patch.size() : nl + 1;
  }
  return f;
}

Commit commit(char c, std::string message, std::string author, std::vector<FileChange> files) {
  Commit out;
  out.sha = std::string(40, c);
  out.message = std::move(message);
  out.author = std::move(author);
  out.at = kT0;
  out.files = std::move(files);
  out.link = "https://github.com/acme/orders/commit/" + out.sha;
  return out;
}

CodeChange change(std::vector<Commit> commits) {
  CodeChange c;
  c.service = "orders";
  c.deploy_id = "104";
  c.base = "v1";
  c.head = "v2";
  c.backend = "git";
  c.commits = std::move(commits);
  return c;
}

Finding finding(std::string id, std::string kind, double score, std::map<std::string, std::string> attrs) {
  Finding f;
  f.id = std::move(id);
  f.kind = std::move(kind);
  f.score = score;
  f.attributes = std::move(attrs);
  return f;
}

Commit n_plus_one() {
  return commit('b', "load items per order in a loop", "dana",
                {file("orders/repo.go",
                      "@@ -10,3 +10,6 @@ func (r *Repo) List() {\n \torders, err := r.listOrders(ctx)\n+\tfor _, o := range orders {\n"
                      "+\t\to.Items, err = r.db.Query(ctx, \"SELECT * FROM items WHERE order_id = $1\", o.ID)\n+\t}\n \treturn orders, err\n")});
}

Commit unrelated_deps() {
  return commit('a', "bump logging library", "ci", {file("go.mod", "@@ -3 +3 @@\n-\tgithub.com/rs/zerolog v1.30.0\n+\tgithub.com/rs/zerolog v1.31.0\n")});
}

Commit readme() { return commit('c', "fix typo in README", "lee", {file("README.md", "@@ -1 +1 @@\n-# Oders\n+# Orders\n")}); }

Commit pool_config() {
  return commit('d', "lower db pool size", "kim",
                {file("deploy/helm/values.yaml", "@@ -4,3 +4,3 @@ database:\n   host: db\n-  max_open_conns: 50\n+  max_open_conns: 2\n")});
}

Commit handler_refactor() {
  return commit('e', "refactor order handler", "dana",
                {file("orders/handler.go", "@@ -1,2 +1,2 @@\n-func Handle(w http.ResponseWriter) {\n+func HandleOrder(w http.ResponseWriter) {\n")});
}

TEST(SuspectCommits, NPlusOneCommitRanksFirstForAFanoutOnItsTable) {
  std::vector<Finding> fs = {
      finding("m1", "onset", 0.9, {{"metric", "latency"}}),
      finding("t1", "fanout", 0.8, {{"service", "orders"}, {"operation", "SELECT"}, {"parent", "orders:GET /orders"},
                                    {"db_statement", "SELECT * FROM items WHERE order_id = $1"}}),
  };
  auto out = rank_commits(change({unrelated_deps(), n_plus_one(), readme()}), fs, 1);
  ASSERT_FALSE(out.empty());
  const Finding& top = out[0];
  EXPECT_EQ(top.id, "c1");
  EXPECT_EQ(top.kind, "commit");
  EXPECT_EQ(top.attributes.at("sha"), std::string(40, 'b'));
  EXPECT_EQ(top.title, "Commit bbbbbbb \"load items per order in a loop\" by dana touches orders/repo.go, matches SELECT items (N+1)");
  EXPECT_GE(top.values.at("relevance"), 0.6);
  EXPECT_EQ(top.score, top.values.at("relevance"));
  EXPECT_EQ(top.attributes.at("deploy_id"), "104");
  EXPECT_EQ(top.attributes.at("subject"), "load items per order in a loop");
  EXPECT_EQ(top.attributes.at("author"), "dana");
  EXPECT_EQ(top.attributes.at("files"), "orders/repo.go");
  EXPECT_EQ(top.attributes.at("config"), "false");
  EXPECT_EQ(top.attributes.at("matched").rfind("SELECT items (N+1)", 0), 0u) << top.attributes.at("matched");
  EXPECT_EQ(top.at, kT0);
  EXPECT_EQ(top.link, "https://github.com/acme/orders/commit/" + std::string(40, 'b'));
  for (std::size_t i = 1; i < out.size(); ++i) {
    EXPECT_LT(out[i].values.at("relevance"), 0.2) << out[i].title;
    EXPECT_EQ(out[i].id, "c" + std::to_string(i + 1));
  }
}

TEST(SuspectCommits, ConfigOnlyCommitRanksFirstForErrorOnsetAndALogNamingItsKey) {
  std::vector<Finding> fs = {
      finding("m1", "onset", 0.9, {{"metric", "errors"}}),
      finding("l1", "log_pattern", 0.7, {{"template", "level=error msg=\"db pool exhausted\" max_open_conns=<*> waited=<*>"},
                                         {"status", "new"}, {"level", "error"}}),
  };
  auto out = rank_commits(change({pool_config(), handler_refactor(), readme()}), fs, 4);
  ASSERT_FALSE(out.empty());
  const Finding& top = out[0];
  EXPECT_EQ(top.id, "c4");
  EXPECT_EQ(top.attributes.at("sha"), std::string(40, 'd'));
  EXPECT_EQ(top.attributes.at("config"), "true");
  EXPECT_GE(top.values.at("relevance"), 0.6);
  EXPECT_NE(top.attributes.at("matched").find("config key max_open_conns"), std::string::npos) << top.attributes.at("matched");
  EXPECT_NE(top.attributes.at("matched").find("error-rate onset"), std::string::npos) << top.attributes.at("matched");
  EXPECT_NE(top.title.find("touches deploy/helm/values.yaml"), std::string::npos) << top.title;
  for (std::size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i].values.at("relevance"), 0.2) << out[i].title;
}

TEST(SuspectCommits, NoCluesMeansNoFindingsUnlessItIsTheOnlyCommit) {
  std::vector<Finding> fs = {finding("m1", "onset", 0.9, {{"metric", "latency"}})};
  EXPECT_TRUE(rank_commits(change({unrelated_deps(), readme()}), fs, 1).empty());
  auto only = rank_commits(change({readme()}), fs, 2);
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].id, "c2");
  EXPECT_GT(only[0].values.at("relevance"), 0.0);
  EXPECT_LE(only[0].values.at("relevance"), 0.15);
  EXPECT_NE(only[0].title.find("the only commit in deploy 104"), std::string::npos) << only[0].title;
}

TEST(SuspectCommits, HotFunctionAndFileFromAProfileMatch) {
  Commit slow = commit('f', "compute discounts per line", "ana",
                       {file("pricing/discount.go", "@@ -1,1 +1,3 @@\n+func ApplyDiscounts(lines []Line) {\n+\tfor i := range lines { slowPath(i) }\n+}\n")});
  std::vector<Finding> fs = {finding("p1", "profile_function", 0.8,
                                     {{"function", "pricing.ApplyDiscounts"}, {"file", "pricing/discount.go"}})};
  auto out = rank_commits(change({readme(), slow}), fs, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].attributes.at("sha"), std::string(40, 'f'));
  EXPECT_GE(out[0].values.at("relevance"), 0.5);
  EXPECT_NE(out[0].attributes.at("matched").find("ApplyDiscounts"), std::string::npos);
}

TEST(SuspectCommits, TokenisesIdentifiersAndFindsSqlTables) {
  EXPECT_EQ(clue_words("LoadItemsForHTTPServer order_id the"), (std::vector<std::string>{"load", "items", "server", "order"}));
  EXPECT_EQ(sql_tables("SELECT o.id FROM public.orders o JOIN \"order_items\" i ON i.order_id = o.id"),
            (std::vector<std::string>{"orders", "order_items"}));
  EXPECT_EQ(sql_tables("UPDATE stock SET n = n - 1"), (std::vector<std::string>{"stock"}));
  EXPECT_EQ(sql_tables("INSERT INTO audit_log VALUES ($1)"), (std::vector<std::string>{"audit_log"}));
}

TEST(SuspectCommits, ConfigOnlyDetection) {
  EXPECT_TRUE(is_config_only(pool_config()));
  EXPECT_TRUE(is_config_only(commit('1', "m", "a", {file("k8s/deployment.yml", ""), file(".env", ""), file("app.properties", "")})));
  EXPECT_FALSE(is_config_only(commit('1', "m", "a", {file("k8s/deployment.yml", ""), file("main.go", "")})));
  EXPECT_FALSE(is_config_only(commit('1', "m", "a", {})));
}

}  // namespace
}  // namespace alertbot::investigators::analysis
