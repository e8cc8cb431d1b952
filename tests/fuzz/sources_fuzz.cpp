// Fuzz target "sources": the answers of every backend an investigation reads, as each source's
// parser sees the response body: Prometheus, Jaeger, Tempo (OTLP trace and search), Loki,
// GitHub (deployments, statuses, compare, commit, Link header), Argo CD, Pyroscope (flamebearer
// and folded text) and `git log -p` output; plus the ids and revisions taken from outside text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "investigators/sources/argocd_parse.hpp"
#include "investigators/sources/git_log_parse.hpp"
#include "investigators/sources/github_parse.hpp"
#include "investigators/sources/jaeger_parse.hpp"
#include "investigators/sources/loki_parse.hpp"
#include "investigators/sources/otlp_parse.hpp"
#include "investigators/sources/prometheus_response.hpp"
#include "investigators/sources/pyroscope_parse.hpp"
#include "investigators/sources/trace_lookup.hpp"
#include "tests/fuzz/fuzz_cases.hpp"

namespace alertbot::fuzz {
namespace {

using namespace investigators;

void prometheus(std::string_view s) { (void)parse_prometheus_result(s); }
void jaeger(std::string_view s) { (void)parse_jaeger_traces(s); }
void otlp(std::string_view s) { (void)parse_otlp_trace(s); }
void tempo_search(std::string_view s) { (void)parse_tempo_search(s); }
void argocd(std::string_view s) { (void)parse_argocd_application(s); }
void flamebearer(std::string_view s) { (void)parse_flamebearer(s); }
void folded(std::string_view s) { (void)parse_folded(s); }

void loki(std::string_view s) {
  (void)parse_loki_streams(s);
  (void)level_from_line(s);
  (void)normalize_log_level(s);
}

void github_deployments(std::string_view s) { (void)parse_github_deployments(s); }
void github_statuses(std::string_view s) { (void)parse_github_statuses(s); }
void github_compare(std::string_view s) { (void)parse_github_compare(s); }
void github_commit(std::string_view s) {
  bool capped = false;
  (void)parse_github_commit(s, capped);
}

// Small caps on purpose: the cut of a patch mid-hunk is where the parser is most careful.
void git_log(std::string_view s) {
  (void)parse_git_log(s, 64);
  (void)parse_git_log(s, 1 << 20, true);
}

void ids(std::string_view s) {
  (void)normalize_trace_id(s);
  (void)otlp_id_to_hex(s);
  (void)is_safe_revision(s);
  (void)is_github_repo_name(s);
  (void)link_next(s);
}

constexpr FuzzCase kCases[] = {
    {'p', prometheus},     {'j', jaeger},           {'o', otlp},           {'s', tempo_search},
    {'l', loki},           {'d', github_deployments}, {'u', github_statuses}, {'c', github_compare},
    {'m', github_commit},  {'a', argocd},            {'f', flamebearer},     {'F', folded},
    {'g', git_log},        {'i', ids},
};

}  // namespace
}  // namespace alertbot::fuzz

ALERTBOT_FUZZ_TARGET(kCases)
