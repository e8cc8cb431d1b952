// list_deploys (a service's deploys over the last N hours) and get_diff (the commits between two
// revisions, with files and capped patches).
#include <algorithm>
#include <boost/json/array.hpp>

#include "investigators/tools/tool_context.hpp"
#include "investigators/tools/tool_json.hpp"
#include "net/gather.hpp"

namespace alertbot::investigators::tools {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDeploys = 20;
constexpr std::size_t kMaxCommits = 20;
constexpr std::size_t kMaxFilesPerCommit = 10;
// Patch text: per file, and for the whole answer (later files get their counts only).
constexpr std::size_t kMaxPatchBytes = 1200;
constexpr std::size_t kPatchBudget = 5000;
// Below this much budget a patch is left out rather than cut to a stub.
constexpr std::size_t kMinPatchBytes = 100;

struct PatchBudget {
  std::size_t left = kPatchBudget;
  bool cut = false;  // some patch was cut or left out
};

json::object deploy_json(const DeployEvent& d) {
  json::object o;
  o["at"] = rfc3339(d.at);
  o["version"] = clip(d.version, 100);
  if (!d.previous_version.empty()) o["previous_version"] = clip(d.previous_version, 100);
  o["source"] = d.source;
  if (!d.id.empty()) o["id"] = clip(d.id, 100);
  if (!d.environment.empty()) o["environment"] = clip(d.environment, 60);
  if (!d.author.empty()) o["author"] = clip(d.author, 80);
  if (!d.description.empty()) o["description"] = clip(d.description, 200);
  if (!d.link.empty()) o["link"] = clip(d.link, 300);
  return o;
}

std::string deploys_answer(const ServiceSettings& service, const Window& w, std::vector<DeployEvent> deploys,
                           const std::vector<std::string>& notes) {
  std::erase_if(deploys, [&](const DeployEvent& d) { return d.at < w.start || d.at > w.end; });
  std::stable_sort(deploys.begin(), deploys.end(), [](const DeployEvent& a, const DeployEvent& b) { return a.at > b.at; });
  json::object out;
  out["service"] = service.name;
  out["window"] = window_json(w);
  out["count"] = deploys.size();
  json::array list;
  std::size_t used = 0;
  for (std::size_t i = 0; i < deploys.size() && i < kMaxDeploys; ++i) {
    if (!append_within(list, deploy_json(deploys[i]), used)) break;
  }
  if (list.size() < deploys.size()) {
    out["truncated"] = "the newest " + std::to_string(list.size()) + " of " + std::to_string(deploys.size()) + " deploys";
  }
  out["deploys"] = std::move(list);
  if (!notes.empty()) out["notes"] = notes_json(notes);
  return to_compact_json(out);
}

awaitable<Result<std::string>> list_deploys(ToolDeps deps, json::object args) {
  auto found = find_service(deps, args);
  if (!found) co_return found.error();
  const ServiceSettings& service = **found;
  auto sources = sources_of(deps, service, SourceKind::Deploys);
  if (sources.empty()) co_return unavailable(service, "deploys", "deploys.source (webhook, github or argocd)");
  const Window w = hours_window(deps, args);
  const Query q = make_query(service, w);
  auto fetched = co_await fetch_all(std::move(sources), q);
  if (!fetched) co_return fetched.error();
  std::vector<DeployEvent> deploys;
  for (auto& data : fetched->data) {
    for (auto& d : data.deploys) deploys.push_back(std::move(d));
  }
  co_return deploys_answer(service, w, std::move(deploys), fetched->notes);
}

json::object file_json(const FileChange& f, PatchBudget& budget) {
  json::object o;
  o["path"] = clip(f.path, 200);
  if (!f.previous_path.empty()) o["previous_path"] = clip(f.previous_path, 200);
  o["status"] = f.status;
  o["additions"] = f.additions;
  o["deletions"] = f.deletions;
  if (f.patch_missing) o["patch_missing"] = true;
  if (f.patch.empty()) return o;
  if (budget.left < kMinPatchBytes) {
    budget.cut = true;
    return o;
  }
  std::string patch = clip(f.patch, std::min(kMaxPatchBytes, budget.left), "\n... (cut)");
  if (patch.size() < f.patch.size()) budget.cut = true;
  budget.left -= std::min(budget.left, patch.size());
  o["patch"] = patch;
  return o;
}

json::object commit_json(const Commit& c, PatchBudget& patch_budget) {
  json::object o;
  o["sha"] = clip(c.sha, 40);
  o["author"] = clip(c.author, 80);
  o["at"] = rfc3339(c.at);
  o["message"] = clip(c.message, 300);
  json::array files;
  for (std::size_t i = 0; i < c.files.size() && i < kMaxFilesPerCommit; ++i) files.push_back(file_json(c.files[i], patch_budget));
  o["files"] = std::move(files);
  if (c.files.size() > kMaxFilesPerCommit) o["files_total"] = c.files.size();
  return o;
}

std::string diff_answer(const ServiceSettings& service, const CodeChange& change) {
  json::object out;
  out["service"] = service.name;
  out["backend"] = change.backend;
  out["from"] = clip(change.base, 100);
  out["to"] = clip(change.head, 100);
  out["commits_total"] = change.commits.size();
  PatchBudget budget;
  json::array commits;
  // The newest commits are usually what a deploy changed last: keep them when capping.
  std::size_t first = change.commits.size() > kMaxCommits ? change.commits.size() - kMaxCommits : 0;
  std::size_t used = 0;
  for (std::size_t i = first; i < change.commits.size(); ++i) {
    if (!append_within(commits, commit_json(change.commits[i], budget), used)) break;
  }
  std::string cut;
  if (commits.size() < change.commits.size()) {
    cut = std::to_string(commits.size()) + " of " + std::to_string(change.commits.size()) + " commits shown" +
          (first > 0 ? " (the newest)" : "") + "; ask for a narrower range for the rest";
  }
  out["commits"] = std::move(commits);
  if (change.truncated) cut += std::string(cut.empty() ? "" : "; ") + "the backend capped commits or files";
  if (budget.cut) cut += std::string(cut.empty() ? "" : "; ") + "patches cut to fit";
  if (!cut.empty()) out["truncated"] = cut;
  if (!change.link.empty()) out["link"] = clip(change.link, 300);
  return to_compact_json(out);
}

awaitable<Result<std::string>> get_diff(ToolDeps deps, json::object args) {
  auto found = find_service(deps, args);
  if (!found) co_return found.error();
  const ServiceSettings& service = **found;
  auto source = deps.sources.diff_for(service);
  if (!source) co_return unavailable(service, "code", "repo.path (a local clone) or repo.github");
  DeployEvent range;
  range.service = service.name;
  range.previous_version = string_arg(args, "from");
  range.version = string_arg(args, "to");
  auto change = co_await source->compare(range);
  if (!change) co_return change.error();
  co_return diff_answer(service, *change);
}

}  // namespace

Result<void> add_deploy_tools(ToolRegistry& registry, const ToolDeps& deps) {
  ToolInfo list{"list_deploys",
                "Deploys of a service over the last N hours from its deploy sources (webhook, GitHub deployments, Argo "
                "CD), newest first, with the version and the previous version (for get_diff).",
                R"j({"type":"object","properties":{
"service":{"type":"string","minLength":1,"maxLength":200,"description":"a service name from list_services"},
"hours":{"type":"integer","minimum":1,"maximum":168,"description":"window ending now, in hours (default 24)"}},
"required":["service"],"additionalProperties":false})j"};
  if (auto r = add_tool(registry, deps, std::move(list), list_deploys); !r) return r;
  ToolInfo diff{"get_diff",
                "The commits between two revisions of a service's repository (from exclusive, to inclusive), oldest "
                "first, with their files and capped patches. Revisions: commit SHAs or tags, e.g. a deploy's "
                "previous_version and version.",
                R"j({"type":"object","properties":{
"service":{"type":"string","minLength":1,"maxLength":200,"description":"a service name from list_services"},
"from":{"type":"string","minLength":1,"maxLength":200,"description":"the older revision"},
"to":{"type":"string","minLength":1,"maxLength":200,"description":"the newer revision"}},
"required":["service","from","to"],"additionalProperties":false})j"};
  return add_tool(registry, deps, std::move(diff), get_diff);
}

}  // namespace alertbot::investigators::tools
