// compute_digest: the numbers of a week from the store's rows (definitions in digest.hpp).
#include "bot/digest.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

namespace alertbot::bot {
namespace {

using namespace std::chrono;
using store::DigestAlert;
using store::DigestInvestigation;

std::string local_text(TimeZone::Seconds local) {
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss hms(local - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
  return buf;
}

DigestWindow window_between(TimeZone::Seconds from_local, TimeZone::Seconds to_local, const TimeZone& zone,
                            std::string week) {
  DigestWindow w;
  w.week = std::move(week);
  w.from = zone.to_utc(from_local);
  w.to = zone.to_utc(to_local);
  w.timezone = zone.name();
  w.from_local = local_text(from_local);
  w.to_local = local_text(to_local);
  return w;
}

// An alert instance: its fingerprint, or its name and service when it has none.
std::string instance_of(const DigestAlert& a) {
  return a.fingerprint.empty() ? "name:" + a.name + "\x1f" + a.service : a.fingerprint;
}

std::optional<std::int64_t> median(std::vector<std::int64_t> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

std::int64_t millis(store::Time::duration d) { return duration_cast<milliseconds>(d).count(); }

// Most first, then by name, service, fingerprint; at most kDigestTopN.
void rank(std::vector<NoisyAlert>& list) {
  std::sort(list.begin(), list.end(), [](const NoisyAlert& a, const NoisyAlert& b) {
    return std::tie(b.count, a.name, a.service, a.fingerprint) < std::tie(a.count, b.name, b.service, b.fingerprint);
  });
  if (list.size() > kDigestTopN) list.resize(kDigestTopN);
}

struct Episode {
  const DigestAlert* first;  // the first firing notification of the episode
};

// Firing episodes in order of arrival, keyed by (instance, starts_at).
std::vector<Episode> episodes_of(const std::vector<DigestAlert>& alerts) {
  std::set<std::pair<std::string, store::Time>> seen;
  std::vector<Episode> out;
  for (const auto& a : alerts) {
    if (a.status != "firing") continue;
    if (seen.insert({instance_of(a), a.starts_at}).second) out.push_back({&a});
  }
  return out;
}

void count_alerts(const std::vector<Episode>& episodes, Digest& d) {
  std::map<std::pair<std::string, std::string>, std::int64_t> by_service;
  for (const auto& e : episodes) ++by_service[{e.first->service, e.first->severity}];
  d.alerts = static_cast<std::int64_t>(episodes.size());
  for (const auto& [key, n] : by_service) d.by_service.push_back({key.first, key.second, n});
  std::stable_sort(d.by_service.begin(), d.by_service.end(),
                   [](const auto& a, const auto& b) { return a.alerts > b.alerts; });
}

void find_noisiest(const std::vector<Episode>& episodes, const std::set<std::string>& acted_groups, Digest& d) {
  std::map<std::pair<std::string, std::string>, std::int64_t> fired;    // (name, service)
  std::map<std::pair<std::string, std::string>, std::int64_t> ignored;  // (name, service), not acted on
  std::map<std::pair<std::string, std::string>, bool> acted;
  std::map<std::string, std::pair<const DigestAlert*, std::int64_t>> per_instance;
  for (const auto& e : episodes) {
    const auto key = std::make_pair(e.first->name, e.first->service);
    ++fired[key];
    if (acted_groups.count(e.first->group_key) > 0) acted[key] = true;
    auto& inst = per_instance[instance_of(*e.first)];
    if (inst.first == nullptr) inst.first = e.first;
    ++inst.second;
  }
  for (const auto& [key, n] : fired) {
    NoisyAlert a{key.first, key.second, "", n, ""};
    if (n >= kNoisyFires) {
      a.suggestion = "fired " + std::to_string(n) + " times: raise its threshold or lengthen its `for:` duration";
    }
    d.most_fired.push_back(a);
    if (!acted[key] && n >= kIgnoredFires) {
      d.never_acted_on.push_back({key.first, key.second, "", n,
                                  "fired " + std::to_string(n) +
                                      " times and nobody acted on it: lower its severity, route it elsewhere or delete it"});
    }
  }
  for (const auto& [instance, info] : per_instance) {
    const std::int64_t flaps = info.second - 1;
    if (flaps < kFlappingFlaps) continue;
    d.flapping.push_back({info.first->name, info.first->service, info.first->fingerprint, flaps,
                          "resolved and fired again " + std::to_string(flaps) +
                              " times: add a `for:` duration or `keep_firing_for` so it stops flapping"});
  }
  rank(d.most_fired);
  rank(d.flapping);
  rank(d.never_acted_on);
}

// Groups whose alerts someone acted on: an investigation of the group got feedback or was asked for.
std::set<std::string> acted_groups(const store::DigestData& data) {
  std::set<store::Id> with_feedback;
  for (const auto& f : data.feedback) with_feedback.insert(f.investigation_id);
  std::set<std::string> out;
  for (const auto& i : data.investigations) {
    if (i.group_key.empty()) continue;
    if (with_feedback.count(i.id) > 0 || i.trigger == "command" || i.trigger == "mention") out.insert(i.group_key);
  }
  return out;
}

// The alert name of an investigation: its search document's, else the first alert of its group.
std::string alert_name_of(const DigestInvestigation& i, const std::vector<DigestAlert>& alerts) {
  if (!i.alert_name.empty() || i.group_key.empty()) return i.alert_name;
  for (const auto& a : alerts) {
    if (a.group_key == i.group_key) return a.name;
  }
  return {};
}

void count_investigations(const store::DigestData& data, Digest& d) {
  std::vector<std::int64_t> first_reply, report;
  for (const auto& i : data.investigations) {
    ++d.investigations;
    d.llm.calls += i.llm.calls;
    d.llm.prompt_tokens += i.llm.prompt_tokens;
    d.llm.completion_tokens += i.llm.completion_tokens;
    d.llm.cost_usd += i.llm.cost_usd;
    d.llm.latency_ms += i.llm.latency_ms;
    if (i.first_reply_at) first_reply.push_back(millis(*i.first_reply_at - i.created_at));
    if (i.status == store::InvestigationStatus::Failed) ++d.investigations_failed;
    if (i.status != store::InvestigationStatus::Done) continue;
    ++d.investigations_done;
    if (i.finished_at) report.push_back(millis(*i.finished_at - i.created_at));
    if (i.suspect_kind == "deploy" || i.suspect_kind == "commit") {
      d.regressions.push_back(
          {i.id, i.service, alert_name_of(i, data.alerts), i.top_cause, i.suspect_kind, i.suspect_ref, i.created_at});
    }
  }
  d.first_reply_samples = static_cast<std::int64_t>(first_reply.size());
  d.report_samples = static_cast<std::int64_t>(report.size());
  d.median_first_reply_ms = median(std::move(first_reply));
  d.median_report_ms = median(std::move(report));
}

void count_feedback(const std::vector<store::DigestFeedback>& feedback, Digest& d) {
  std::map<std::pair<store::Id, std::string>, std::string> latest;  // rows come oldest first
  for (const auto& f : feedback) latest[{f.investigation_id, f.user}] = f.verdict;
  for (const auto& [key, verdict] : latest) {
    if (verdict == "helpful") ++d.helpful;
    if (verdict == "wrong") ++d.wrong;
  }
  if (d.helpful + d.wrong > 0) d.helpfulness_rate = static_cast<double>(d.helpful) / static_cast<double>(d.helpful + d.wrong);
}

}  // namespace

DigestWindow week_window(const IsoWeek& week, const TimeZone& zone) {
  const TimeZone::Seconds monday{duration_cast<seconds>(week.monday().time_since_epoch())};
  return window_between(monday, monday + days(7), zone, week.str());
}

DigestWindow days_window(store::Time end, const TimeZone& zone, std::string week) {
  const TimeZone::Seconds end_local = zone.to_local(floor<seconds>(end));
  DigestWindow w = window_between(end_local - days(7), end_local, zone, std::move(week));
  w.to = end;  // exact, even when `end` has a fraction of a second
  return w;
}

Digest compute_digest(const store::DigestData& data, DigestWindow window) {
  Digest d;
  d.window = std::move(window);
  d.notifications = static_cast<std::int64_t>(data.alerts.size());
  const auto episodes = episodes_of(data.alerts);
  count_alerts(episodes, d);
  find_noisiest(episodes, acted_groups(data), d);
  count_investigations(data, d);
  count_feedback(data.feedback, d);
  return d;
}

}  // namespace alertbot::bot
