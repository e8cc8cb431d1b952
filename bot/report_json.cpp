#include "bot/report_json.hpp"

#include <boost/json.hpp>

#include "bot/alert_json.hpp"
#include "net/time_format.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using namespace investigators;

json::object finding_json(const Finding& f) {
  json::object values;
  for (const auto& [k, v] : f.values) values[k] = v;
  return {{"id", f.id}, {"kind", f.kind}, {"source", f.source}, {"title", f.title}, {"detail", f.detail},
          {"score", f.score}, {"link", f.link}, {"at", f.at ? json::value(format_rfc3339(*f.at)) : json::value(nullptr)},
          {"values", values}};
}

json::object cause_json(const Cause& c) {
  json::array evidence;
  for (const auto& e : c.evidence) evidence.push_back(json::value(e));
  return {{"title", c.title},
          {"confidence", c.confidence},
          {"evidence", evidence},
          {"suspect", {{"kind", c.suspect.kind}, {"ref", c.suspect.ref}, {"title", c.suspect.title}}},
          {"fix", c.fix}};
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

}  // namespace

std::string to_report_json(const Report& r) {
  const auto& res = r.result;
  json::array findings, causes, sources, series, deploys, notes;
  for (const auto& f : res.findings) findings.push_back(finding_json(f));
  for (const auto& c : res.causes) causes.push_back(cause_json(c));
  for (const auto& s : res.sources) {
    sources.push_back(json::object{{"source", s.source}, {"status", to_string(s.status)}, {"message", s.message},
                                   {"duration_ms", s.duration.count()}});
  }
  for (const auto& s : res.series) series.push_back(series_json(s));
  for (const auto& d : res.deploys) deploys.push_back(deploy_json(d));
  for (const auto& n : res.notes) notes.push_back(json::value(n));
  json::object o{{"id", r.id},
                 {"service", res.service},
                 {"alert", res.alert ? json::value(to_alert_json(*res.alert)) : json::value(nullptr)},
                 {"window", {{"start", format_rfc3339(res.window_start)}, {"end", format_rfc3339(res.at)}}},
                 {"causes", causes},
                 {"findings", findings},
                 {"sources", sources},
                 {"notes", notes},
                 {"deploys", deploys},
                 {"series", series}};
  o["llm"] = {{"provider", r.llm.provider},
              {"model", r.llm.model},
              {"used", r.llm.used},
              {"fallback_reason", r.llm.fallback_reason ? json::value(*r.llm.fallback_reason) : json::value(nullptr)},
              {"prompt_tokens", r.llm.prompt_tokens},
              {"completion_tokens", r.llm.completion_tokens},
              {"cost_usd", r.llm.cost_usd},
              {"latency_ms", r.llm.latency.count()}};
  o["timings"] = {{"total_ms", r.total.count()},
                  {"first_finding_ms", res.first_finding_ms.count()},
                  {"sources_ms", res.sources_ms.count()},
                  {"llm_ms", r.llm.latency.count()}};
  return json::serialize(o);
}

}  // namespace alertbot::bot
