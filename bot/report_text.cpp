#include "bot/report_text.hpp"

#include <cmath>
#include <sstream>

#include "net/time_format.hpp"

namespace alertbot::bot {
namespace {

using namespace investigators;

std::string percent(double x) { return std::to_string(static_cast<int>(std::lround(x * 100))) + "%"; }

// Shared by both formats: `h` makes a heading, `b` bold text, `li` a list item.
struct Style {
  std::string (*h)(const std::string&);
  std::string (*b)(const std::string&);
  const char* li;
};

std::string render(const Report& r, const Style& st) {
  const auto& res = r.result;
  std::ostringstream out;
  std::string title = (res.alert ? res.alert->name + " on " : std::string("Investigation of ")) +
                      (res.service.empty() ? "an unknown service" : res.service);
  out << st.h(title) << "\n";
  if (res.alert) {
    out << res.alert->summary << " (" << to_string(res.alert->status)
        << (res.alert->severity.empty() ? "" : ", " + res.alert->severity) << ")\n";
  }
  out << "Window " << format_rfc3339(res.window_start, false) << " .. " << format_rfc3339(res.at, false) << "\n\n";
  if (res.causes.empty()) {
    out << st.b("No strong suspect.") << " "
        << (res.abstain_reason.empty() ? "Nothing moved significantly in the data that could be read." : res.abstain_reason)
        << "\n";
    for (const auto& l : res.leads) out << st.li << "weak lead (" << percent(l.confidence) << "): " << l.title << "\n";
  }
  for (std::size_t i = 0; i < res.causes.size(); ++i) {
    const auto& c = res.causes[i];
    out << st.b(i == 0 ? "Likely cause" : "Also possible") << " (" << percent(c.confidence) << "): " << c.title << "\n";
    if (c.suspect.kind != "unknown" && !c.suspect.ref.empty()) {
      out << "  suspect: " << c.suspect.kind << " " << c.suspect.ref << " (" << c.suspect.title << ")\n";
    }
    if (!c.fix.empty()) out << "  proposed fix: " << c.fix << "\n";
    out << "  evidence:";
    for (const auto& e : c.evidence) out << " " << e;
    out << "\n";
  }
  out << "\n" << st.h("Findings") << "\n";
  for (const auto& f : res.findings) {
    out << st.li << "[" << f.id << "] " << f.title << (f.link.empty() ? "" : "  " + f.link) << "\n";
  }
  if (res.findings.empty()) out << st.li << "none\n";
  out << "\n" << st.h("Sources") << "\n";
  for (const auto& s : res.sources) {
    out << st.li << s.source << ": " << to_string(s.status) << (s.message.empty() ? "" : " - " + s.message) << " ("
        << s.duration.count() << " ms)\n";
  }
  for (const auto& n : res.notes) out << st.li << "note: " << n << "\n";
  out << "\nTook " << r.total.count() << " ms (sources " << res.sources_ms.count() << " ms). LLM: "
      << (r.llm.used ? r.llm.provider + " " + r.llm.model : r.llm.fallback_reason.value_or("not used")) << "\n";
  return out.str();
}

std::string plain_heading(const std::string& s) { return "== " + s + " =="; }
std::string plain_bold(const std::string& s) { return s; }
std::string md_heading(const std::string& s) { return "### " + s; }
std::string md_bold(const std::string& s) { return "**" + s + "**"; }

}  // namespace

std::string report_text(const Report& report) { return render(report, Style{plain_heading, plain_bold, "  - "}); }
std::string report_markdown(const Report& report) { return render(report, Style{md_heading, md_bold, "- "}); }

}  // namespace alertbot::bot
