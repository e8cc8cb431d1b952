// search_logs: a service's log lines over the last N minutes (optionally those containing a
// text), mined into templates: the most frequent with counts, levels and an example each.
#include <algorithm>
#include <boost/json/array.hpp>
#include <cstdio>
#include <map>

#include "investigators/analysis/log_patterns.hpp"
#include "investigators/sources/loki_source.hpp"
#include "investigators/tools/log_tools.hpp"
#include "investigators/tools/tool_context.hpp"
#include "investigators/tools/tool_json.hpp"

namespace alertbot::investigators::tools {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxTemplates = 15;
constexpr std::size_t kMaxFilterBytes = 200;

struct TemplateCount {
  std::size_t id = 0;
  std::string level;
  std::size_t count = 0;
  std::string example;
  Time first;
  Time last;
};

json::object template_json(const analysis::TemplateMiner& miner, const TemplateCount& c) {
  json::object o;
  o["template"] = clip(miner.text(c.id), 300);
  if (!c.level.empty()) o["level"] = c.level;
  o["count"] = c.count;
  o["first"] = rfc3339(c.first);
  o["last"] = rfc3339(c.last);
  o["example"] = clip(c.example, 240);
  return o;
}

// The lines of every sample mined into templates, with counts per template and per level.
struct Mined {
  analysis::TemplateMiner miner;
  std::vector<TemplateCount> counts;  // by template id until sorted
  std::map<std::string, std::size_t> levels;
  std::size_t lines = 0;
  std::size_t unclustered = 0;
  bool sampled = false;
  std::string query;
};

void mine(Mined& m, const std::vector<LogSample>& samples) {
  for (const auto& sample : samples) {
    if (m.query.empty()) m.query = sample.query;
    for (const auto& slice : sample.slices) m.sampled = m.sampled || !slice.complete;
    for (const auto& line : sample.lines) {
      ++m.lines;
      ++m.levels[line.level.empty() ? "unknown" : line.level];
      std::size_t id = m.miner.add(line.line, line.level);
      if (id == analysis::TemplateMiner::kNone) {
        ++m.unclustered;
        continue;
      }
      if (id >= m.counts.size()) m.counts.resize(id + 1);
      TemplateCount& c = m.counts[id];
      if (c.count++ == 0) {
        c.id = id;
        c.level = line.level;
        c.example = line.line;
        c.first = line.t;
      }
      c.first = std::min(c.first, line.t);
      c.last = std::max(c.last, line.t);
    }
  }
}

std::string logs_answer(const ServiceSettings& service, const Window& w, const std::string& filter,
                        const std::vector<LogSample>& samples, const std::vector<std::string>& notes) {
  Mined m;
  mine(m, samples);
  auto& counts = m.counts;
  std::stable_sort(counts.begin(), counts.end(), [](const TemplateCount& a, const TemplateCount& b) { return a.count > b.count; });
  json::object out;
  out["service"] = service.name;
  out["query"] = clip(m.query, 400);
  out["window"] = window_json(w);
  if (!filter.empty()) out["text"] = clip(filter, kMaxFilterBytes);
  out["lines"] = m.lines;
  if (m.sampled) out["sampled"] = "some slices hit the backend's line limit: counts are of the newest lines of those slices";
  json::object level_counts;
  for (const auto& [level, n] : m.levels) level_counts[clip(level, 30)] = n;
  out["levels"] = std::move(level_counts);
  out["templates_total"] = m.miner.size();
  json::array list;
  std::size_t used = 0;
  for (std::size_t i = 0; i < counts.size() && i < kMaxTemplates && counts[i].count > 0; ++i) {
    if (!append_within(list, template_json(m.miner, counts[i]), used)) break;
  }
  out["templates"] = std::move(list);
  if (m.unclustered) out["unclustered_lines"] = m.unclustered;
  if (m.lines == 0) out["note"] = "no log lines matched in the window";
  if (!notes.empty()) out["notes"] = notes_json(notes);
  return to_compact_json(out);
}

awaitable<Result<std::string>> search_logs(ToolDeps deps, json::object args) {
  auto found = find_service(deps, args);
  if (!found) co_return found.error();
  const ServiceSettings& configured = **found;
  if (!configured.logs || configured.logs->loki.empty()) co_return unavailable(configured, "logs", "logs.loki");
  // A copy whose selector carries the line filter; it lives in this frame while the source runs.
  ServiceSettings service = configured;
  const std::string filter = string_arg(args, "text");
  if (service.logs->selector.empty()) service.logs->selector = default_loki_selector(service.name);
  if (!filter.empty()) service.logs->selector = with_line_filter(service.logs->selector, filter);
  auto sources = sources_of(deps, service, SourceKind::Logs);
  if (sources.empty()) co_return unavailable(configured, "logs", "logs.loki");
  const Window w = minutes_window(deps, args);
  const Query q = make_query(service, w);
  std::vector<LogSample> samples;
  std::vector<std::string> notes;
  for (auto& source : sources) {
    auto data = co_await source->fetch(q);
    if (!data) co_return data.error();
    for (auto& s : data->logs) samples.push_back(std::move(s));
    for (auto& n : data->notes) notes.push_back(std::move(n));
  }
  co_return logs_answer(configured, w, filter, samples, notes);
}

}  // namespace

std::string logql_string(std::string_view text) {
  std::string valid = clip(text, text.size() * 3 + 3, "");
  std::string out = "\"";
  for (char ch : valid) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string with_line_filter(const std::string& selector, std::string_view text) {
  return selector + " |= " + logql_string(text);
}

Result<void> add_log_tools(ToolRegistry& registry, const ToolDeps& deps) {
  ToolInfo info{"search_logs",
                "Log lines of a service over the last N minutes (only those containing `text` when given), grouped "
                "into templates (variable parts as <*>): the most frequent with counts, level, first and last time "
                "and an example line; plus counts per level.",
                R"j({"type":"object","properties":{
"service":{"type":"string","minLength":1,"maxLength":200,"description":"a service name from list_services"},
"text":{"type":"string","minLength":1,"maxLength":200,"description":"keep only lines containing this text (case-sensitive)"},
"minutes":{"type":"integer","minimum":1,"maximum":1440,"description":"window ending now, in minutes (default 60)"}},
"required":["service"],"additionalProperties":false})j"};
  return add_tool(registry, deps, std::move(info), search_logs);
}

}  // namespace alertbot::investigators::tools
