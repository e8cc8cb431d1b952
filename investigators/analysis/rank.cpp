#include "investigators/analysis/rank.hpp"

#include <algorithm>
#include <cmath>

#include "investigators/analysis/finding_kinds.hpp"
#include "investigators/units.hpp"

namespace alertbot::investigators::analysis {
namespace {

// Weights of a deploy cause: proximity (already times the service weight), symptom, code.
constexpr double kProximityWeight = 0.35;
constexpr double kSymptomWeight = 0.25;
constexpr double kCodeWeight = 0.40;
constexpr double kUnknownCode = 0.3;       // no diff was read: neither for nor against
constexpr double kCodeImplicates = 0.5;    // a commit this relevant becomes the suspect
// A configuration-only commit that relates to the symptom at all names the change: a deploy that
// only changed configuration is that configuration change.
constexpr double kConfigImplicates = 0.3;
constexpr double kExplainedDamping = 0.6;  // a symptom cause that a deploy cause explains
constexpr double kMaxConfidence = 0.95;

std::string attr(const Finding& f, const char* key) {
  auto it = f.attributes.find(key);
  return it == f.attributes.end() ? std::string() : it->second;
}
double val(const Finding& f, const char* key) {
  auto it = f.values.find(key);
  return it == f.values.end() ? 0.0 : it->second;
}

// `needle` in `hay`, ignoring ASCII case.
bool lower_contains(std::string hay, std::string needle) {
  for (auto* s : {&hay, &needle}) {
    for (auto& ch : *s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return !needle.empty() && hay.find(needle) != std::string::npos;
}

bool is_symptom(const Finding& f) {
  const std::string& k = f.kind;
  if (k == kinds::kOnset) return attr(f, "direction") == "up" && attr(f, "metric") != "traffic";
  return k == kinds::kSaturation || k == kinds::kSpanLatency || k == kinds::kFanout || k == kinds::kNewCall ||
         k == kinds::kSpanErrors || k == kinds::kDependency || k == kinds::kLogPattern || k == kinds::kProfileFunction;
}

bool is_trace_kind(const std::string& k) {
  return k == kinds::kSpanLatency || k == kinds::kFanout || k == kinds::kNewCall || k == kinds::kSpanErrors ||
         k == kinds::kDependency;
}

struct Candidate {
  Cause cause;
  std::string service;  // whose problem it names
  bool from_deploy = false;
};

std::string short_sha(const std::string& sha) { return sha.substr(0, 7); }

// The strongest symptoms, at most `n`, optionally only those about `service`.
std::vector<const Finding*> top_symptoms(const std::vector<Finding>& fs, std::size_t n, const std::string& service = "") {
  std::vector<const Finding*> out;
  for (const auto& f : fs) {
    if (!is_symptom(f)) continue;
    if (!service.empty() && attr(f, "service") != service) continue;
    out.push_back(&f);
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding* a, const Finding* b) { return a->score > b->score; });
  if (out.size() > n) out.resize(n);
  return out;
}

// A sentence on what the code change did to the symptom, from the trace finding it matches.
std::string code_fix_hint(const std::vector<Finding>& fs, const Finding& commit) {
  const std::string matched = attr(commit, "matched");
  for (const auto& f : fs) {
    if (f.kind == kinds::kFanout && !attr(f, "operation").empty() &&
        lower_contains(matched, attr(f, "operation").substr(attr(f, "operation").find(' ') + 1))) {
      std::string what = attr(f, "db_statement").empty() ? attr(f, "operation") : attr(f, "db_statement");
      char buf[96];
      std::snprintf(buf, sizeof buf, " (%.0fx per request, was %.0fx)", val(f, "after_per_trace"), val(f, "before_per_trace"));
      return " The change issues " + what + " once per item" + buf + ": batch it into one call.";
    }
  }
  for (const auto& f : fs) {
    if (f.kind == kinds::kProfileFunction && !attr(f, "function").empty() && matched.find(attr(f, "function")) != std::string::npos) {
      return " It made " + attr(f, "function") + " use more CPU: profile and optimise it.";
    }
  }
  return "";
}

Candidate deploy_candidate(const Finding& d, const std::vector<Finding>& fs, const RankContext& ctx, double symptom) {
  Candidate c;
  c.from_deploy = true;
  c.service = attr(d, "service");
  const std::string id = attr(d, "deploy_id"), version = display_version(attr(d, "version")),
                    prev = display_version(attr(d, "previous_version"));
  const Finding* best_commit = nullptr;
  for (const auto& f : fs) {
    if (f.kind != kinds::kCommit || attr(f, "deploy_id") != id) continue;
    if (!attr(f, "service").empty() && !c.service.empty() && attr(f, "service") != c.service) continue;
    if (!best_commit || val(f, "relevance") > val(*best_commit, "relevance")) best_commit = &f;
  }
  const double code = best_commit ? val(*best_commit, "relevance")
                                  : (ctx.deploys_with_code.count(c.service + "/" + id) ? 0.0 : kUnknownCode);
  // A downstream deploy counts only when the traces point at that service.
  const bool downstream = attr(d, "downstream") == "true";
  const auto related = top_symptoms(fs, 2, downstream ? c.service : "");
  double strength = downstream ? (related.empty() ? 0.0 : related.front()->score) : symptom;
  c.cause.confidence = strength > 0 ? std::min(kMaxConfidence, kProximityWeight * d.score + kSymptomWeight * strength + kCodeWeight * code)
                                    : 0.15 * d.score;
  c.cause.evidence.push_back(d.id);
  if (best_commit && code >= 0.3) c.cause.evidence.push_back(best_commit->id);
  for (const Finding* s : related) c.cause.evidence.push_back(s->id);
  if (downstream) {
    for (const Finding* s : top_symptoms(fs, 1)) {
      if (std::find(c.cause.evidence.begin(), c.cause.evidence.end(), s->id) == c.cause.evidence.end()) c.cause.evidence.push_back(s->id);
    }
  }
  const long lead = std::lround(val(d, "minutes_before_onset"));
  const std::string when = lead >= 0 ? std::to_string(lead) + " min before the onset" : "at the onset";
  const std::string symptom_text = related.empty() ? std::string() : ": " + related.front()->title;
  const std::string rollback = prev.empty() ? "roll " + c.service + " back to the version before " + version
                                            : "roll " + c.service + " back to " + prev;
  const bool config_change = best_commit && attr(*best_commit, "config") == "true" && code >= kConfigImplicates;
  if (best_commit && (code >= kCodeImplicates || config_change)) {
    const std::string sha = attr(*best_commit, "sha");
    const bool config = attr(*best_commit, "config") == "true";
    c.cause.suspect = Suspect{config ? "config" : "commit", sha, short_sha(sha) + " " + attr(*best_commit, "subject")};
    c.cause.title = std::string(config ? "Config change " : "Commit ") + short_sha(sha) + " \"" + attr(*best_commit, "subject") +
                    "\" in deploy " + version + " of " + c.service + ", " + when + symptom_text;
    c.cause.fix = config ? "Revert the configuration change in " + attr(*best_commit, "files") + " (commit " + short_sha(sha) +
                               ") and redeploy, or " + rollback + "."
                         : "Revert commit " + short_sha(sha) + " and redeploy, or " + rollback + "." + code_fix_hint(fs, *best_commit);
  } else {
    c.cause.suspect = Suspect{"deploy", id, c.service + " " + version};
    c.cause.title = "Deploy " + version + " of " + c.service + ", " + when + symptom_text;
    std::string roll = rollback;
    roll[0] = 'R';
    c.cause.fix = roll + (prev.empty() ? "" : ", then review the changes " + prev + ".." + version) + ".";
  }
  return c;
}

Candidate span_candidate(const Finding& f) {
  Candidate c;
  c.service = attr(f, "service");
  const std::string op = attr(f, "operation");
  c.cause.suspect = Suspect{"span", c.service + ":" + op, c.service + " " + op};
  c.cause.confidence = std::min(kMaxConfidence, 0.25 + 0.45 * f.score);
  c.cause.evidence = {f.id};
  c.cause.title = f.title;
  if (f.kind == kinds::kFanout) {
    c.cause.fix = "Batch the calls to " + (attr(f, "db_statement").empty() ? op : attr(f, "db_statement")) +
                  ": it now runs once per item (N+1). Find the loop that issues it.";
  } else if (f.kind == kinds::kSpanErrors) {
    c.cause.fix = "Inspect the errors of " + c.service + " " + op + " (its spans' error messages and logs) and the inputs that changed.";
  } else if (f.kind == kinds::kNewCall) {
    c.cause.fix = "A new call to " + op + " appeared on the request path: make it asynchronous, cache it or remove it.";
  } else {
    c.cause.fix = "Look at " + c.service + " " + op + ": its own time grew; check its query plan, locks and inputs.";
  }
  return c;
}

Candidate dependency_candidate(const Finding& f, const std::string& service) {
  Candidate c;
  c.service = attr(f, "service");
  c.cause.suspect = Suspect{"dependency", c.service, c.service};
  c.cause.confidence = std::min(kMaxConfidence, 0.3 + 0.5 * f.score);
  c.cause.evidence = {f.id};
  c.cause.title = "Downstream " + c.service + " slowed down: " + f.title;
  c.cause.fix = c.service + " is slow, not " + service + ": check " + c.service +
                "'s health, saturation and own dependencies; bound calls to it with a timeout or circuit breaker.";
  return c;
}

std::optional<Candidate> capacity_candidate(const std::vector<Finding>& fs, const std::string& service) {
  const Finding* sat = nullptr;
  const Finding* traffic = nullptr;
  for (const auto& f : fs) {
    if (f.kind == kinds::kSaturation && (!sat || f.score > sat->score)) sat = &f;
    if (f.kind == kinds::kOnset && attr(f, "metric") == "traffic" && attr(f, "direction") == "up") traffic = &f;
  }
  if (!sat || sat->score <= 0) return std::nullopt;
  Candidate c;
  c.service = service;
  c.cause.suspect = Suspect{"capacity", service, service + " " + attr(*sat, "resource")};
  c.cause.confidence = std::min(kMaxConfidence, 0.3 + 0.4 * sat->score + (traffic ? 0.2 : 0.0));
  c.cause.evidence = {sat->id};
  if (traffic) c.cause.evidence.push_back(traffic->id);
  c.cause.title = service + " ran out of capacity: " + sat->title + (traffic ? "; " + traffic->title : "");
  c.cause.fix = "Scale " + service + " out (more replicas) or raise its " + attr(*sat, "resource") +
                " limits; then find what drives the load" + (traffic ? " (traffic rose)" : "") + ".";
  return c;
}

std::string abstain_text(const std::vector<Finding>& fs, const std::vector<Candidate>& all) {
  std::size_t metrics = 0, quiet = 0, deploys = 0;
  for (const auto& f : fs) {
    if (f.kind == kinds::kOnset || f.kind == kinds::kNoChange) ++metrics;
    if (f.kind == kinds::kNoChange) ++quiet;
    if (f.kind == kinds::kDeploy) ++deploys;
  }
  std::string s = "Checked " + std::to_string(metrics) + " metric series (" + std::to_string(quiet) +
                  " without a significant change) and " + std::to_string(deploys) + " deploys in the window";
  if (!all.empty()) s += "; the best lead stayed under the bar";
  return s + ".";
}

}  // namespace

Ranking rank_causes(const std::vector<Finding>& findings, const RankContext& context, const RankOptions& options) {
  const auto& fs = findings;
  const auto& ctx = context;
  const auto& opt = options;
  double symptom = 0;
  for (const auto& f : fs) {
    if (is_symptom(f)) symptom = std::max(symptom, f.score);
  }
  std::vector<Candidate> all;
  for (const auto& f : fs) {
    if (f.kind == kinds::kDeploy && f.score > 0) all.push_back(deploy_candidate(f, fs, ctx, symptom));
  }
  // The service's own strongest trace symptom, and each downstream service whose time grew.
  const Finding* own = nullptr;
  for (const auto& f : fs) {
    if (!is_trace_kind(f.kind) || f.kind == kinds::kDependency) continue;
    if (attr(f, "service") != ctx.service && !ctx.service.empty()) continue;
    if (!own || f.score > own->score) own = &f;
  }
  if (own) all.push_back(span_candidate(*own));
  for (const auto& f : fs) {
    if (f.kind == kinds::kDependency) all.push_back(dependency_candidate(f, ctx.service));
  }
  if (auto cap = capacity_candidate(fs, ctx.service)) all.push_back(std::move(*cap));

  // A symptom cause of a service whose deploy is itself a cause is explained by that deploy.
  for (auto& c : all) {
    if (c.from_deploy) continue;
    for (const auto& d : all) {
      if (d.from_deploy && d.service == c.service && d.cause.confidence >= opt.min_confidence) {
        c.cause.confidence *= kExplainedDamping;
        break;
      }
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    return a.cause.confidence > b.cause.confidence;
  });
  Ranking out;
  std::set<std::string> refs;
  for (auto& c : all) {
    if (!refs.insert(c.cause.suspect.kind + "/" + c.cause.suspect.ref).second) continue;
    auto& bucket = c.cause.confidence >= opt.min_confidence ? out.causes : out.leads;
    if (bucket.size() < opt.max_causes) bucket.push_back(std::move(c.cause));
  }
  if (out.causes.empty()) {
    out.abstained = true;
    out.abstain_reason = abstain_text(fs, all);
  }
  return out;
}

}  // namespace alertbot::investigators::analysis
