// The deployment files against the code and each other: the Helm chart (values, Chart.yaml, the
// templates' text), the systemd unit, the Dockerfile and the configs they ship. Go templates are
// not YAML, so templates are only checked as text.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "tests/unit/deploy/source_tree.hpp"

namespace alertbot::deploy_test {
namespace {

const char* const kChart = "deploy/helm/alertbot/";
const char* const kUnit = "deploy/systemd/alertbot.service";
const char* const kDockerfile = "deploy/Dockerfile";

YAML::Node values() { return load_yaml(std::string(kChart) + "values.yaml"); }

// The first capture of `pattern` in `text`, "" when there is none.
std::string first(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : std::string();
}

// Every key path of a YAML tree ("slack.bot_token", "services[].name"): maps only, the items of a
// list merged under "name[]".
void key_paths(const YAML::Node& node, const std::string& prefix, std::set<std::string>& out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string path = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
      out.insert(path);
      key_paths(kv.second, path, out);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) key_paths(item, prefix + "[]", out);
  }
}

// Every scalar of a YAML tree with its key path ("slack.bot_token", "services[].repo.github_token").
void for_each_scalar(const YAML::Node& node, const std::string& path,
                     const std::function<void(const std::string&, const std::string&)>& visit) {
  if (node.IsScalar()) {
    visit(path, node.as<std::string>());
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      for_each_scalar(kv.second, path.empty() ? key : path + "." + key, visit);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) for_each_scalar(item, path + "[]", visit);
  }
}

// The variables a config requires to be set: ${VAR} without a default.
std::set<std::string> required_variables(const YAML::Node& config) {
  std::set<std::string> out;
  for_each_scalar(config, "", [&](const std::string&, const std::string& v) {
    for (const auto& var : captures(v, R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})")) out.insert(var);
  });
  return out;
}

// The configs the deployment ships use only keys of the complete example (which the config loader
// checks in the CLI tests): a misspelt key would stop the bot at start-up.
void expect_known_keys(const YAML::Node& config, const std::string& what) {
  std::set<std::string> known;
  key_paths(load_yaml("deploy/alertbot.example.yaml"), "", known);
  std::set<std::string> used;
  key_paths(config, "", used);
  ASSERT_FALSE(used.empty()) << what;
  for (const auto& k : used) EXPECT_TRUE(known.count(k)) << what << ": key " << k << " is not in deploy/alertbot.example.yaml";
}

// The config's secret keys (docs/configuration.md) hold ${VAR} references, never values.
void expect_secrets_from_environment(const YAML::Node& config, const std::string& what) {
  const std::set<std::string> secret_keys = {
      "slack.app_token", "slack.bot_token", "slack.signing_secret", "store.url", "llm.api_key", "hooks.token",
      "server.link_secret", "services[].repo.github_token", "services[].deploys.argocd.token"};
  int seen = 0;
  for_each_scalar(config, "", [&](const std::string& path, const std::string& v) {
    if (!secret_keys.count(path)) return;
    ++seen;
    EXPECT_TRUE(v.starts_with("${")) << what << ": " << path << " must come from the environment, got '" << v << "'";
  });
  EXPECT_GE(seen, 3) << what << ": the Slack tokens and the store URL should be there";
}

// The port of "host:port".
std::string listen_port(const YAML::Node& config) { return first(config["server"]["listen"].as<std::string>(""), R"(:(\d+)$)"); }

TEST(HelmChart, AppVersionFollowsTheProjectVersion) {
  const YAML::Node chart = load_yaml(std::string(kChart) + "Chart.yaml");
  EXPECT_EQ(chart["apiVersion"].as<std::string>(""), "v2");
  EXPECT_EQ(chart["name"].as<std::string>(""), "alertbot");
  const std::string project = first(read_source("CMakeLists.txt"), R"(project\(alertbot VERSION ([0-9.]+))");
  ASSERT_FALSE(project.empty());
  EXPECT_EQ(chart["appVersion"].as<std::string>(""), project);
}

TEST(HelmChart, RunsTwoNonRootReplicasOnAReadOnlyRoot) {
  const YAML::Node v = values();
  EXPECT_EQ(v["replicaCount"].as<int>(0), 2);
  EXPECT_TRUE(v["podSecurityContext"]["runAsNonRoot"].as<bool>(false));
  EXPECT_EQ(v["podSecurityContext"]["runAsUser"].as<std::string>(""), first(read_source(kDockerfile), R"(\nUSER (\d+))"))
      << "the chart's uid and the image's USER differ";
  EXPECT_TRUE(v["securityContext"]["readOnlyRootFilesystem"].as<bool>(false));
  EXPECT_FALSE(v["securityContext"]["allowPrivilegeEscalation"].as<bool>(true));
  EXPECT_EQ(string_set(v["securityContext"]["capabilities"]["drop"]), std::set<std::string>{"ALL"});
  // Slack's cap on Socket Mode connections per app holds for the whole Deployment.
  EXPECT_LE(v["replicaCount"].as<int>(0) * v["config"]["slack"]["connections"].as<int>(2), 10);
  EXPECT_TRUE(v["resources"]["requests"].IsMap());
  EXPECT_TRUE(v["resources"]["limits"]["memory"].IsScalar());
}

TEST(HelmChart, ProbesUseTheBotsHealthRoutesOnItsPort) {
  const YAML::Node v = values();
  const std::string app = read_source("bot/app.cpp");
  const std::string liveness = v["livenessProbe"]["httpGet"]["path"].as<std::string>("");
  const std::string readiness = v["readinessProbe"]["httpGet"]["path"].as<std::string>("");
  EXPECT_EQ(liveness, "/healthz");
  EXPECT_EQ(readiness, "/readyz");
  for (const auto& path : {liveness, readiness}) {
    EXPECT_NE(app.find("\"GET\", \"" + path + "\""), std::string::npos) << path << " is not served by bot/app.cpp";
  }
  EXPECT_EQ(listen_port(v["config"]), v["containerPort"].as<std::string>("")) << "server.listen and containerPort differ";
  const std::string deployment = read_source(std::string(kChart) + "templates/deployment.yaml");
  EXPECT_NE(deployment.find(".Values.livenessProbe"), std::string::npos);
  EXPECT_NE(deployment.find(".Values.readinessProbe"), std::string::npos);
  EXPECT_NE(deployment.find("containerPort: {{ .Values.containerPort }}"), std::string::npos);
}

TEST(HelmChart, TakesSecretsOnlyFromAnExistingSecret) {
  const YAML::Node v = values();
  EXPECT_FALSE(v["secrets"]["existingSecret"].as<std::string>("").empty());
  std::set<std::string> provided;
  for (const auto& e : v["secrets"]["env"]) {
    EXPECT_FALSE(e["key"].as<std::string>("").empty());
    provided.insert(e["name"].as<std::string>(""));
  }
  for (const auto& e : v["extraEnv"]) provided.insert(e["name"].as<std::string>(""));
  // A ${VAR} without a default that nothing sets would stop every pod at start-up.
  for (const auto& var : required_variables(v["config"])) EXPECT_TRUE(provided.count(var)) << "${" << var << "} is set by nothing";
  expect_secrets_from_environment(v["config"], "values.yaml config");
  // No credential written anywhere in the values: Slack tokens, API keys, passwords in URLs.
  const std::regex credential(R"(xox[abpr]-|xapp-|sk-[A-Za-z0-9]{8}|://[^/@\s:]+:[^/@\s]+@)");
  for_each_scalar(v, "", [&](const std::string& path, const std::string& s) {
    EXPECT_FALSE(std::regex_search(s, credential)) << path << " holds what looks like a credential";
  });
  const std::string deployment = read_source(std::string(kChart) + "templates/deployment.yaml");
  EXPECT_NE(deployment.find("secretKeyRef:"), std::string::npos);
  EXPECT_NE(deployment.find(".Values.secrets.existingSecret"), std::string::npos);
  for (const char* t : {"deployment.yaml", "configmap.yaml", "service.yaml", "servicemonitor.yaml", "pdb.yaml"}) {
    const std::string text = read_source(std::string(kChart) + "templates/" + t);
    EXPECT_EQ(text.find("kind: Secret"), std::string::npos) << t << ": the chart never creates a Secret";
    EXPECT_FALSE(std::regex_search(text, std::regex(R"((^|\n)\s*-?\s*[A-Za-z_]*(password|token|secret)\s*:\s*[^\s{])",
                                                    std::regex::icase)))
        << t << " writes a literal secret";
  }
}

TEST(HelmChart, ConfigMapHoldsAValidConfigOnPostgreSql) {
  const YAML::Node v = values();
  expect_known_keys(v["config"], "values.yaml config");
  EXPECT_EQ(v["config"]["store"]["url"].as<std::string>(""), "${ALERTBOT_STORE_URL}")
      << "several replicas need PostgreSQL, whose URL (with its password) comes from the Secret";
  const std::string configmap = read_source(std::string(kChart) + "templates/configmap.yaml");
  EXPECT_NE(configmap.find("toYaml .Values.config"), std::string::npos);
  EXPECT_NE(read_source(std::string(kChart) + "templates/_helpers.tpl").find("hasPrefix \"sqlite\""), std::string::npos)
      << "the chart should refuse several replicas on SQLite";
}

TEST(HelmChart, HasEveryObjectOfADeployment) {
  const std::map<std::string, std::string> expected = {
      {"deployment.yaml", "kind: Deployment"},       {"configmap.yaml", "kind: ConfigMap"},
      {"service.yaml", "kind: Service"},             {"servicemonitor.yaml", "apiVersion: monitoring.coreos.com/v1"},
      {"pdb.yaml", "kind: PodDisruptionBudget"},     {"_helpers.tpl", "define \"alertbot.fullname\""},
      {"NOTES.txt", "/healthz"},
  };
  for (const auto& [file, text] : expected) {
    EXPECT_NE(read_source(std::string(kChart) + "templates/" + file).find(text), std::string::npos) << file;
  }
  EXPECT_NE(read_source(std::string(kChart) + "templates/servicemonitor.yaml").find(".Values.serviceMonitor.enabled"),
            std::string::npos) << "the ServiceMonitor must be optional";
  EXPECT_FALSE(values()["serviceMonitor"]["enabled"].as<bool>(true));
}

// The systemd unit's [Service] settings (a key given twice keeps the last value).
std::map<std::string, std::string> unit_settings() {
  std::map<std::string, std::string> out;
  const std::string text = read_source(kUnit);
  const std::regex line(R"((?:^|\n)([A-Za-z]+)=([^\n]*))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it) {
    out[(*it)[1].str()] = (*it)[2].str();
  }
  return out;
}

TEST(SystemdUnit, StartsTheBinaryWithRunAndDrainsOnSigterm) {
  auto s = unit_settings();
  const std::regex exec(R"((/\S*/alertbot) run --config (/\S+\.yaml)(\s.*)?)");
  EXPECT_TRUE(std::regex_match(s["ExecStart"], exec)) << "ExecStart=" << s["ExecStart"];
  EXPECT_NE(read_source("bot/cli.cpp").find("alertbot run --config FILE"), std::string::npos) << "the run command changed";
  EXPECT_EQ(s["Restart"], "on-failure");
  EXPECT_EQ(s["KillSignal"], "SIGTERM");
  EXPECT_EQ(s["ProtectSystem"], "strict");
  EXPECT_EQ(s["StateDirectory"], "alertbot");
  EXPECT_FALSE(s["EnvironmentFile"].empty()) << "secrets come from an EnvironmentFile";
  EXPECT_TRUE(s["DynamicUser"] == "yes" || !s["User"].empty()) << "never root";
  // Longer than the bot's own limit on draining events at shutdown, with room for the investigation.
  const std::string drain_ms = first(read_source("bot/app.cpp"), R"(kDrainLimit\{(\d+)\})");
  ASSERT_FALSE(drain_ms.empty()) << "bot/app.cpp no longer has kDrainLimit";
  const std::string stop = first(s["TimeoutStopSec"], R"(^(\d+)s$)");
  ASSERT_FALSE(stop.empty()) << "TimeoutStopSec=" << s["TimeoutStopSec"];
  EXPECT_GE(std::stoi(stop) * 1000, 3 * std::stoi(drain_ms));
  EXPECT_GE(values()["terminationGracePeriodSeconds"].as<int>(0), std::stoi(stop));
}

TEST(Dockerfile, BuildsTheReleasePresetAndRunsTheBotAsNonRoot) {
  const std::string d = read_source(kDockerfile);
  EXPECT_NE(d.find("FROM debian:${DEBIAN_RELEASE} AS builder"), std::string::npos);
  EXPECT_EQ(first(d, R"(ARG DEBIAN_RELEASE=(\S+))"), "bookworm");
  EXPECT_NE(d.find("cmake --preset release -DALERTBOT_BUILD_TESTS=OFF"), std::string::npos);
  EXPECT_NE(read_source("CMakePresets.json").find("\"name\": \"release\""), std::string::npos);
  const std::string uid = first(d, R"(\nUSER (\d+))");
  ASSERT_FALSE(uid.empty()) << "USER must be a numeric uid (Kubernetes' runAsNonRoot checks it)";
  EXPECT_NE(uid, "0");
  EXPECT_NE(d.find("ENTRYPOINT [\"/usr/local/bin/alertbot\"]"), std::string::npos);
  EXPECT_NE(d.find("CMD [\"run\", \"--config\", \"/etc/alertbot/alertbot.yaml\"]"), std::string::npos);
  EXPECT_NE(first(d, R"(HEALTHCHECK[^\n]*\n[^\n]*(ALERTBOT_HEALTHCHECK_URL))"), "");
  EXPECT_NE(d.find("ALERTBOT_HEALTHCHECK_URL=http://127.0.0.1:" + first(d, R"(\nEXPOSE (\d+))") + "/healthz"),
            std::string::npos) << "the health check must probe the exposed port";
  // The config baked into the image listens on that port, on every interface, with its secrets
  // from the environment.
  const YAML::Node config = load_yaml("deploy/docker/alertbot.yaml");
  expect_known_keys(config, "deploy/docker/alertbot.yaml");
  expect_secrets_from_environment(config, "deploy/docker/alertbot.yaml");
  EXPECT_EQ(config["server"]["listen"].as<std::string>(""), "0.0.0.0:" + first(d, R"(\nEXPOSE (\d+))"));
  EXPECT_TRUE(required_variables(config).empty()) << "the image's config must start with any variable unset";
}

// The packages of an `ARG NAME="..."` spanning continuation lines.
std::set<std::string> arg_packages(const std::string& dockerfile, const std::string& name) {
  return captures(first(dockerfile, "ARG " + name + "=\"([^\"]*)\""), R"(([a-z0-9][a-z0-9.+-]+))");
}

TEST(Dockerfile, InstallsTheBuildAndRuntimePackagesOfInstallDeps) {
  const std::string d = read_source(kDockerfile);
  const std::set<std::string> build = arg_packages(d, "BUILD_PACKAGES");
  const std::set<std::string> runtime = arg_packages(d, "RUNTIME_PACKAGES");
  ASSERT_FALSE(build.empty());
  ASSERT_FALSE(runtime.empty());
  // scripts/install-deps.sh's list, comments removed.
  const std::string script = read_source("scripts/install-deps.sh");
  const std::string list = std::regex_replace(first(script, R"(packages=\(([\s\S]*?)\n\))"), std::regex("#[^\n]*"), "");
  const std::set<std::string> deps = captures(list, R"(([a-z0-9][a-z0-9.+-]+))");
  ASSERT_TRUE(deps.count("cmake"));
  for (const auto& p : build) EXPECT_TRUE(deps.count(p)) << p << " is not in scripts/install-deps.sh";
  // The library each -dev package brings at run time (bookworm names). Test-only -dev packages
  // stay out of the image.
  const std::map<std::string, std::set<std::string>> runtime_of = {
      {"libboost1.81-dev", {}},  // headers only
      {"libboost-json1.81-dev", {"libboost-json1.81.0", "libboost-container1.81.0"}},  // Boost::json links Boost::container
      {"libboost-url1.81-dev", {"libboost-url1.81.0"}},
      {"libssl-dev", {"libssl3"}},
      {"libcurl4-openssl-dev", {"libcurl4"}},
      {"libspdlog-dev", {"libspdlog1.10"}},
      {"libfmt-dev", {"libfmt9"}},
      {"libsqlite3-dev", {"libsqlite3-0"}},
      {"libyaml-cpp-dev", {"libyaml-cpp0.7"}},
      {"libpq-dev", {"libpq5"}},
      {"libpqxx-dev", {"libpqxx-6.4"}},
      {"libcairo2-dev", {"libcairo2", "libfontconfig1"}},  // bot/ links cairo and fontconfig
  };
  const std::set<std::string> test_only = {"libgtest-dev", "libgmock-dev", "libclang-rt-14-dev"};
  for (const auto& p : deps) {
    if (!p.ends_with("-dev") || test_only.count(p)) continue;
    auto it = runtime_of.find(p);
    ASSERT_NE(it, runtime_of.end()) << "install-deps.sh has " << p << ": add it to the Dockerfile and this map";
    EXPECT_TRUE(build.count(p)) << p << " missing from BUILD_PACKAGES";
    for (const auto& lib : it->second) EXPECT_TRUE(runtime.count(lib)) << lib << " missing from RUNTIME_PACKAGES";
  }
  // What the bot uses at run time besides libraries: certificates (TLS to Slack and the
  // backends), time zones (digest.timezone), the chart's font, git (repo.path), curl (HEALTHCHECK).
  for (const char* p : {"ca-certificates", "tzdata", "fonts-dejavu-core", "git", "curl"}) {
    EXPECT_TRUE(runtime.count(p)) << p;
  }
}

TEST(Dockerignore, KeepsBuildTreesAndHistoryOutOfTheContext) {
  const std::string ignore = read_source(".dockerignore");
  for (const char* line : {"\n.git\n", "\nbuild\n", "\nbuild-*\n", "\n**/node_modules\n"}) {
    EXPECT_NE(ignore.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace alertbot::deploy_test
