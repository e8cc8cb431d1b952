#include "bot/report_json.hpp"

#include <boost/json.hpp>

#include "bot/alert_json.hpp"
#include "net/time_format.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using namespace investigators;

json::value time_or_null(const std::optional<Time>& t) { return t ? json::value(format_rfc3339(*t)) : json::value(nullptr); }

// docs/report-schema.md: findings[] = {id, kind, summary, detail, score, source, at, data, links}.
json::object finding_json(const Finding& f) {
  json::object data;
  for (const auto& [k, v] : f.attributes) data[k] = v;
  for (const auto& [k, v] : f.values) data[k] = v;
  json::array links;
  if (!f.link.empty()) links.push_back(json::value(f.link));
  return {{"id", f.id},         {"kind", f.kind},    {"summary", f.title}, {"detail", f.detail},
          {"score", f.score},   {"source", f.source}, {"at", time_or_null(f.at)}, {"data", data},
          {"links", links}};
}

json::object cause_json(const Cause& c, std::size_t rank) {
  json::array evidence;
  for (const auto& e : c.evidence) evidence.push_back(json::value(e));
  return {{"rank", rank},
          {"title", c.title},
          {"confidence", c.confidence},
          {"evidence", evidence},
          {"suspect", {{"kind", c.suspect.kind}, {"ref", c.suspect.ref}, {"title", c.suspect.title}}},
          {"fix", c.fix},
          {"explanation", c.explanation}};
}

json::array causes_json(const std::vector<Cause>& causes) {
  json::array out;
  for (std::size_t i = 0; i < causes.size(); ++i) out.push_back(cause_json(causes[i], i + 1));
  return out;
}

json::object source_json(const SourceOutcome& s) {
  const bool ok = s.status == SourceStatus::Ok;
  return {{"name", s.source},
          {"status", to_string(s.status)},
          {"duration_ms", s.duration.count()},
          {"error", ok || s.status == SourceStatus::Skipped ? json::value(nullptr) : json::value(s.message)},
          {"detail", s.message}};
}

json::object series_json(const MetricSeries& s) {
  json::array points;
  for (const auto& p : s.points) points.push_back(json::array{to_unix_seconds(p.t), p.v});
  json::object labels;
  for (const auto& [k, v] : s.labels) labels[k] = v;
  return {{"name", s.name}, {"query", s.query}, {"unit", s.unit}, {"labels", labels}, {"link", s.link}, {"points", points}};
}

json::object deploy_json(const DeployEvent& d) {
  return {{"id", d.id}, {"service", d.service}, {"environment", d.environment}, {"version", d.version},
          {"previous_version", d.previous_version}, {"author", d.author}, {"description", d.description},
          {"source", d.source}, {"link", d.link}, {"at", format_rfc3339(d.at)}};
}

// Patches kept in the report (for the full report page's diff): each file's hunks up to
// kMaxPatchBytes, all of one change up to kMaxChangePatchBytes.
constexpr std::size_t kMaxPatchBytes = 8 * 1024;
constexpr std::size_t kMaxChangePatchBytes = 64 * 1024;

std::string cut_utf8(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

json::object change_json(const CodeChange& c) {
  json::array commits;
  std::size_t patch_bytes = 0;
  for (const auto& cm : c.commits) {
    json::array files, patches;
    for (const auto& f : cm.files) {
      files.push_back(json::value(f.path));
      std::string patch = patch_bytes < kMaxChangePatchBytes ? cut_utf8(f.patch, std::min(kMaxPatchBytes, kMaxChangePatchBytes - patch_bytes)) : "";
      patch_bytes += patch.size();
      const bool cut = f.patch_missing || patch.size() < f.patch.size();
      patches.push_back(json::object{{"path", f.path}, {"status", f.status}, {"additions", f.additions},
                                     {"deletions", f.deletions}, {"patch", std::move(patch)}, {"patch_cut", cut}});
    }
    auto nl = cm.message.find('\n');
    commits.push_back(json::object{{"sha", cm.sha}, {"author", cm.author}, {"at", format_rfc3339(cm.at)},
                                   {"subject", cm.message.substr(0, nl)}, {"files", files}, {"patches", patches},
                                   {"link", cm.link}});
  }
  return {{"service", c.service}, {"deploy_id", c.deploy_id}, {"base", c.base},      {"head", c.head},
          {"backend", c.backend}, {"truncated", c.truncated}, {"link", c.link},      {"commits", commits}};
}

template <class T, class F>
json::array array_of(const std::vector<T>& items, F f) {
  json::array out;
  for (const auto& i : items) out.push_back(f(i));
  return out;
}

}  // namespace

std::string to_report_json(const Report& r) {
  const auto& res = r.result;
  json::array notes;
  for (const auto& n : res.notes) notes.push_back(json::value(n));
  json::object o{{"schema_version", 1},
                 {"id", r.id},
                 {"service", res.service},
                 {"alert", res.alert ? json::value(to_alert_json(*res.alert)) : json::value(nullptr)},
                 {"window", {{"start", format_rfc3339(res.window_start)}, {"end", format_rfc3339(res.at)}}},
                 {"onset", time_or_null(res.onset)},
                 {"pivot", format_rfc3339(res.pivot)},
                 {"sources", array_of(res.sources, source_json)},
                 {"findings", array_of(res.findings, finding_json)},
                 {"causes", causes_json(res.causes)},
                 {"summary", r.summary.empty() ? json::value(nullptr) : json::value(r.summary)},
                 {"abstained", res.abstained},
                 {"abstain_reason", res.abstained ? json::value(res.abstain_reason) : json::value(nullptr)},
                 {"leads", causes_json(res.leads)},
                 {"notes", notes},
                 {"deploys", array_of(res.deploys, deploy_json)},
                 {"changes", array_of(res.changes, change_json)},
                 {"series", array_of(res.series, series_json)}};
  o["llm"] = {{"provider", r.llm.provider},
              {"model", r.llm.model},
              {"used", r.llm.used},
              {"fallback_reason", r.llm.fallback_reason ? json::value(*r.llm.fallback_reason) : json::value(nullptr)},
              {"calls", r.llm.calls},
              {"prompt_tokens", r.llm.prompt_tokens},
              {"completion_tokens", r.llm.completion_tokens},
              {"cost_usd", r.llm.cost_usd},
              {"latency_ms", r.llm.latency.count()}};
  o["timings"] = {{"total_ms", r.total.count()},
                  {"first_finding_ms", res.first_finding_ms.count()},
                  {"sources_ms", res.sources_ms.count()},
                  {"analysis_ms", res.analysis_ms.count()},
                  {"llm_ms", r.llm.latency.count()}};
  return json::serialize(o);
}

}  // namespace alertbot::bot
