#include "bot/report_page.hpp"

#include <boost/json.hpp>

#include "bot/report_page_html.hpp"

namespace alertbot::bot {
namespace {

using namespace page;

// The stylesheet: inline, so the page needs nothing but itself (CSP style-src 'unsafe-inline').
constexpr std::string_view kStyle = R"css(
body{font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
main{max-width:1080px;margin:0 auto;padding:16px 24px 48px}
header{background:#1d2330;color:#fff;padding:16px 24px}
header h1{margin:0 0 6px;font-size:22px;word-break:break-word}
.meta span{display:inline-block;margin-right:14px;opacity:.9}
.badge{padding:1px 8px;border-radius:10px;background:#555;color:#fff;font-size:12px}
.sev-critical,.sev-page,.sev-error,.st-firing{background:#c62828}.sev-warning{background:#ef6c00}.st-resolved{background:#2e7d32}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:16px 0;padding:12px 18px}
h2{font-size:17px;margin:4px 0 10px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e6e8ec;padding:4px 6px;text-align:left;vertical-align:top;word-break:break-word}
td.n,th.n{text-align:right;white-space:nowrap}
.conf{display:inline-block;width:90px;height:8px;background:#e6e8ec;border-radius:4px;vertical-align:middle}
.conf i{display:block;height:8px;background:#c62828;border-radius:4px}
.cause{border-left:4px solid #c62828;padding:4px 10px;margin:8px 0}.cause.lead{border-color:#90a4ae}
.ev a,.ev span{margin-right:6px}
.fix{background:#fff8e1;padding:4px 8px;border-radius:4px}
.grew{color:#c62828}.shrank{color:#1565c0}
.finding{padding:6px 0;border-bottom:1px solid #eef0f3}.finding:target{background:#fff8e1}
.fid{font-family:monospace;font-weight:bold;margin-right:6px}
svg text{font:11px "DejaVu Sans",sans-serif}
.chart{display:block;margin:6px 0 14px;width:100%;height:auto}
.commit{border:1px solid #e6e8ec;border-radius:4px;margin:8px 0;padding:6px 10px}.commit.suspect{border-color:#c62828;border-width:2px}
.file{font-family:monospace;font-weight:bold;margin-top:6px}
pre.hunk{margin:4px 0;padding:4px 6px;background:#fafbfc;border:1px solid #eef0f3;overflow-x:auto;font-size:12px;white-space:pre}
pre.hunk.highlight{background:#fff3e0;border:2px solid #ef6c00}
.hl-key{border:2px solid #ef6c00;background:#fff3e0;padding:0 3px}
.add{color:#1b5e20}.del{color:#b71c1c}.at{color:#6a1b9a}
.st-ok{color:#2e7d32}.st-error,.st-timeout{color:#c62828}.st-skipped{color:#78909c}
.muted{color:#6b7280}
)css";

std::string badge(const std::string& cls, const std::string& text) {
  std::string c;
  for (char ch : cls) c += std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch))) : '-';
  return "<span class=\"badge " + c + "\">" + esc(text) + "</span>";
}

std::string render_header(const json::object& r) {
  const json::object* alert = obj_at(&r, "alert");
  std::string name = str_at(alert, "name");
  std::string service = str_at(&r, "service");
  if (service.empty()) service = str_at(alert, "service");
  std::string title = name.empty() ? "Investigation of " + (service.empty() ? std::string("(no service)") : service) : name;
  std::string out = "<header id=\"header\"><h1 id=\"alert-name\">" + esc(title) + "</h1><div class=\"meta\">";
  if (!service.empty()) out += "<span>service <b id=\"service\">" + esc(service) + "</b></span>";
  if (auto sev = str_at(alert, "severity"); !sev.empty()) out += "<span>severity " + badge("sev-" + sev, sev) + "</span>";
  if (auto st = str_at(alert, "status"); !st.empty()) out += "<span>status " + badge("st-" + st, st) + "</span>";
  if (auto id = str_at(&r, "id"); !id.empty() && id != "0") out += "<span>investigation #" + esc(id) + "</span>";
  if (auto end = str_at(obj_at(&r, "window"), "end"); !end.empty()) out += "<span>as of " + esc(fmt_time(end)) + "</span>";
  const json::object* links = obj_at(alert, "links");
  for (const char* k : {"dashboard", "runbook", "generator", "silence"}) {
    if (auto u = safe_url(str_at(links, k)); !u.empty()) out += "<span>" + link(u, k) + "</span>";
  }
  return out + "</div></header>";
}

// "m1" -> a link to the finding's anchor when the finding exists, plain text otherwise.
std::string evidence_ref(const json::object& r, const std::string& id) {
  if (const json::array* fs = arr_at(&r, "findings")) {
    for (const auto& f : *fs) {
      if (str_at(f.if_object(), "id") == id) return "<a href=\"#" + anchor(id) + "\">" + esc(id) + "</a>";
    }
  }
  return "<span>" + esc(id) + "</span>";
}

std::string render_cause(const json::object& r, const json::object& c, bool lead) {
  std::string out = std::string("<div class=\"cause") + (lead ? " lead" : "") + "\">";
  out += "<div><b>" + esc(str_at(&c, "rank")) + ". " + esc(str_at(&c, "title")) + "</b></div>";
  if (auto conf = num_at(&c, "confidence")) {
    const double p = std::clamp(*conf, 0.0, 1.0);
    out += "<div>confidence <span class=\"conf\"><i style=\"width:" + std::to_string(static_cast<int>(p * 100)) +
           "%\"></i></span> " + fmt_pct(p) + "</div>";
  }
  const json::object* s = obj_at(&c, "suspect");
  if (!str_at(s, "kind").empty()) {
    out += "<div>suspect: " + esc(str_at(s, "kind")) + " <b>" + esc(str_at(s, "title")) + "</b> <code>" + esc(str_at(s, "ref")) + "</code></div>";
  }
  if (const json::array* ev = arr_at(&c, "evidence"); ev && !ev->empty()) {
    out += "<div class=\"ev\">evidence: ";
    for (const auto& e : *ev) {
      if (e.is_string()) out += evidence_ref(r, std::string(e.get_string()));
    }
    out += "</div>";
  }
  if (auto ex = str_at(&c, "explanation"); !ex.empty()) out += "<p>" + esc(ex) + "</p>";
  if (auto fix = str_at(&c, "fix"); !fix.empty()) out += "<div class=\"fix\">Proposed fix: " + esc(fix) + "</div>";
  return out + "</div>";
}

std::string render_summary(const json::object& r) {
  std::string out = "<section id=\"summary\"><h2>Summary</h2>";
  if (auto s = str_at(&r, "summary"); !s.empty()) out += "<p>" + esc(s) + "</p>";
  const json::array* causes = arr_at(&r, "causes");
  if (field(&r, "abstained") && field(&r, "abstained")->is_bool() && field(&r, "abstained")->get_bool()) {
    out += "<p><b>No cause cleared the confidence bar.</b> " + esc(str_at(&r, "abstain_reason")) + "</p>";
  } else if (causes && !causes->empty()) {
    out += "<p>Most likely: <b>" + esc(str_at(as_obj(&causes->front()), "title")) + "</b></p>";
  }
  if (auto onset = str_at(&r, "onset"); !onset.empty()) out += "<p>Onset: " + esc(fmt_time(onset)) + "</p>";
  return out + "</section>";
}

std::string render_causes(const json::object& r) {
  std::string out;
  for (const char* key : {"causes", "leads"}) {
    const json::array* list = arr_at(&r, key);
    if (!list || list->empty()) continue;
    const bool lead = std::string_view(key) == "leads";
    out += std::string("<h2>") + (lead ? "Leads under the confidence bar" : "Causes") + "</h2>";
    for (const auto& c : *list) {
      if (const json::object* o = c.if_object()) out += render_cause(r, *o, lead);
    }
  }
  if (out.empty()) return "";
  return "<section id=\"causes\">" + out + "</section>";
}

std::string render_findings(const json::object& r) {
  const json::array* fs = arr_at(&r, "findings");
  if (!fs || fs->empty()) return "";
  std::string out = "<section id=\"findings\"><h2>Findings</h2>";
  for (const auto& v : *fs) {
    const json::object* f = v.if_object();
    if (!f) continue;
    const std::string id = str_at(f, "id");
    out += "<div class=\"finding\" id=\"" + anchor(id) + "\"><span class=\"fid\">" + esc(id) + "</span>" +
           "<span class=\"muted\">" + esc(str_at(f, "kind")) + " &middot; " + esc(str_at(f, "source")) + "</span><div>" +
           esc(str_at(f, "summary")) + "</div><div class=\"muted\">" + esc(str_at(f, "detail")) + "</div>";
    if (const json::array* links = arr_at(f, "links")) {
      for (const auto& l : *links) {
        if (l.is_string() && !safe_url(l.get_string()).empty()) out += "<div>" + link(l.get_string(), "open") + "</div>";
      }
    }
    out += "</div>";
  }
  return out + "</section>";
}

std::string render_sources(const json::object& r) {
  const json::array* ss = arr_at(&r, "sources");
  if (!ss || ss->empty()) return "";
  std::string out = "<section id=\"sources\"><h2>Sources</h2><table><tr><th>source</th><th>status</th><th class=\"n\">duration</th><th>detail</th></tr>";
  for (const auto& v : *ss) {
    const json::object* s = v.if_object();
    if (!s) continue;
    const std::string status = str_at(s, "status");
    std::string detail = str_at(s, "error");
    if (detail.empty()) detail = str_at(s, "detail");
    auto ms = num_at(s, "duration_ms");
    std::string cls = status == "ok" || status == "error" || status == "timeout" || status == "skipped" ? "st-" + status : "";
    out += "<tr><td>" + esc(str_at(s, "name")) + "</td><td class=\"" + cls + "\">" + esc(status) + "</td><td class=\"n\">" +
           (ms ? fmt_ms(*ms) : "") + "</td><td>" + esc(detail) + "</td></tr>";
  }
  out += "</table>";
  if (const json::array* notes = arr_at(&r, "notes"); notes && !notes->empty()) {
    out += "<ul id=\"notes\">";
    for (const auto& n : *notes) {
      if (n.is_string()) out += "<li>" + esc(n.get_string()) + "</li>";
    }
    out += "</ul>";
  }
  return out + "</section>";
}

std::string render_timings(const json::object& r) {
  const json::object* t = obj_at(&r, "timings");
  const json::object* llm = obj_at(&r, "llm");
  if (!t && !llm) return "";
  std::string out = "<section id=\"timings\"><h2>Timings and cost</h2><table>";
  const std::pair<const char*, const char*> rows[] = {{"total_ms", "alert to report"}, {"first_finding_ms", "first finding"},
                                                      {"sources_ms", "sources"},       {"analysis_ms", "analysis"},
                                                      {"llm_ms", "LLM step"}};
  for (const auto& [k, label] : rows) {
    if (auto v = num_at(t, k)) out += std::string("<tr><td>") + label + "</td><td class=\"n\">" + fmt_ms(*v) + "</td></tr>";
  }
  if (llm) {
    const bool used = field(llm, "used") && field(llm, "used")->is_bool() && field(llm, "used")->get_bool();
    std::string model = str_at(llm, "provider") + (str_at(llm, "model").empty() ? "" : " " + str_at(llm, "model"));
    out += "<tr><td>LLM model</td><td class=\"n\">" + esc(model) + (used ? "" : " (not used)") + "</td></tr>";
    if (auto reason = str_at(llm, "fallback_reason"); !reason.empty()) out += "<tr><td>LLM fallback</td><td>" + esc(reason) + "</td></tr>";
    auto calls = num_at(llm, "calls");
    auto in = num_at(llm, "prompt_tokens"), outt = num_at(llm, "completion_tokens");
    if (calls) out += "<tr><td>LLM calls</td><td class=\"n\">" + fmt(*calls) + "</td></tr>";
    if (in || outt) out += "<tr><td>tokens in / out</td><td class=\"n\">" + fmt(in.value_or(0)) + " / " + fmt(outt.value_or(0)) + "</td></tr>";
    if (auto cost = num_at(llm, "cost_usd")) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "$%.4f", *cost);
      out += std::string("<tr><td>LLM cost</td><td class=\"n\" id=\"llm-cost\">") + buf + "</td></tr>";
    }
  }
  return out + "</table></section>";
}

std::string document(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
         "content=\"width=device-width,initial-scale=1\"><meta name=\"referrer\" content=\"no-referrer\"><title>" +
         esc(title) + "</title><style>" + std::string(kStyle) + "</style></head><body>" + body + "</body></html>\n";
}

}  // namespace

std::string render_report_page(std::string_view report_json) {
  boost::system::error_code ec;
  json::value v = json::parse(report_json, ec);
  if (ec || !v.is_object()) {
    return document("Report unreadable", "<main><section id=\"unreadable\"><h2>This report is unreadable</h2><p>The stored "
                                         "report could not be read as a report. The investigation's thread in Slack "
                                         "still has its summary.</p></section></main>");
  }
  const json::object& r = v.get_object();
  std::string title = str_at(obj_at(&r, "alert"), "name");
  if (title.empty()) title = "Investigation of " + str_at(&r, "service");
  std::string body = render_header(r) + "<main>";
  body += render_summary(r);
  body += render_causes(r);
  body += render_timeline(r);
  body += render_charts(r);
  body += render_trace_diff(r);
  body += render_icicle(r);
  body += render_suspect_diff(r);
  body += render_findings(r);
  body += render_sources(r);
  body += render_timings(r);
  return document(title + " - alertbot report", body + "</main>");
}

}  // namespace alertbot::bot
