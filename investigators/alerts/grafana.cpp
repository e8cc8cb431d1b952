#include "investigators/alerts/grafana.hpp"

#include <boost/json.hpp>
#include <algorithm>

#include "investigators/alerts/alert_json.hpp"
#include "investigators/alerts/alert_limits.hpp"
#include "investigators/alerts/alertmanager_webhook.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;
using namespace alerts;

// silenceURL, dashboardURL, panelURL and values of one webhook item.
Result<void> grafana_item_extras(const Fields& item, Alert& a, std::vector<std::string>& warnings) {
  auto silence = item.string("silenceURL");
  auto dashboard = item.string("dashboardURL");
  auto panel = item.string("panelURL");
  auto values = item.object("values");
  if (!silence) return silence.error();
  if (!dashboard) return dashboard.error();
  if (!panel) return panel.error();
  if (!values) return values.error();
  // Grafana's silence page, not Alertmanager's #/silences (the shared reader built that one).
  a.links.silence = capped(*silence, item.at("silenceURL"), warnings);
  if (!dashboard->empty()) a.links.dashboard = capped(*dashboard, item.at("dashboardURL"), warnings);
  else if (!panel->empty()) a.links.dashboard = capped(*panel, item.at("panelURL"), warnings);
  if (*values && !(*values)->empty()) {
    std::string text;
    for (const auto& [k, v] : **values) {
      if (!v.is_null() && !v.is_number()) {
        return field_error(item.format(), path_key(item.at("values"), k), "expected a number, got " + describe_value(v));
      }
      if (text.size() > kMaxValueBytes) break;
      text += (text.empty() ? "" : ", ") + std::string(k) + "=" + (v.is_null() ? "null" : scalar_text(v));
    }
    EntryCaps caps(item.at("annotations"));
    if (!a.annotations.count("values")) caps.put(a.annotations, "values", text, warnings);
    caps.finish(warnings);
  }
  return {};
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Builds the alerts of a default.message text, one per "Value:"/"Labels:" block.
class TextReader {
 public:
  TextReader(AlertStatus status, Time posted_at, std::vector<std::string>& warnings)
      : status_(status), posted_at_(posted_at), warnings_(warnings) {}

  void line(std::string_view raw) {
    std::string_view t = trim(raw);
    std::string_view bare = t;
    while (!bare.empty() && bare.front() == '*') bare.remove_prefix(1);
    while (!bare.empty() && bare.back() == '*') bare.remove_suffix(1);
    if (bare == "Firing" || bare == "Resolved") {
      flush();
      status_ = bare == "Firing" ? AlertStatus::Firing : AlertStatus::Resolved;
      mode_ = Mode::None;
    } else if (starts_with(t, "Value:")) {
      start();
      annotations_->put(current_->annotations, "values", trim(t.substr(6)), warnings_);
    } else if (t == "Labels:") {
      if (!current_ || !current_->labels.empty()) start();
      mode_ = Mode::Labels;
    } else if (t == "Annotations:") {
      if (!current_) start();
      mode_ = Mode::Annotations;
    } else if (starts_with(t, "- ") && mode_ != Mode::None && t.find(" = ") != std::string_view::npos) {
      auto eq = t.find(" = ");
      std::string_view key = trim(t.substr(2, eq - 2));
      std::string_view value = trim(t.substr(eq + 3));
      if (mode_ == Mode::Labels) labels_->put(current_->labels, key, value, warnings_);
      else annotations_->put(current_->annotations, key, value, warnings_);
    } else if (current_) {
      link(t);
    }
  }

  // The alerts read; `over` counts blocks past kMaxAlertsPerPayload.
  std::vector<Alert> finish(std::size_t& over) {
    flush();
    over = over_;
    return std::move(done_);
  }

 private:
  enum class Mode { None, Labels, Annotations };

  void start() {
    flush();
    current_.emplace();
    current_->status = status_;
    current_->starts_at = posted_at_;
    current_->source = "grafana-slack";
    labels_.emplace("text labels");
    annotations_.emplace("text annotations");
    mode_ = Mode::None;
  }

  void flush() {
    if (!current_) return;
    labels_->finish(warnings_);
    annotations_->finish(warnings_);
    if (done_.size() < kMaxAlertsPerPayload) done_.push_back(std::move(*current_));
    else ++over_;
    current_.reset();
  }

  void link(std::string_view t) {
    auto colon = t.find(": ");
    if (colon == std::string_view::npos) return;
    std::string_view key = t.substr(0, colon);
    std::string value = capped(trim(t.substr(colon + 2)), "text " + std::string(cut_utf8(key, 20)), warnings_);
    if (key == "Source") current_->links.generator = value;
    else if (key == "Silence") current_->links.silence = value;
    else if (key == "Dashboard" || (key == "Panel" && current_->links.dashboard.empty())) current_->links.dashboard = value;
    else return;
    mode_ = Mode::None;
  }

  AlertStatus status_;
  Time posted_at_;
  std::vector<std::string>& warnings_;
  Mode mode_ = Mode::None;
  std::optional<Alert> current_;
  std::optional<EntryCaps> labels_;
  std::optional<EntryCaps> annotations_;
  std::vector<Alert> done_;
  std::size_t over_ = 0;
};

// The one alert a title gives when the text has no alert blocks (a custom template).
Alert alert_from_title(const AlertTitle& title, const std::string& text, Time at, const AlertContext& ctx) {
  Alert a;
  a.source = "grafana-slack";
  a.status = title.status;
  a.count = std::max(1, title.firing);
  a.starts_at = at;
  a.summary = text;
  a.name = title.group_values.front();
  a.labels.emplace("alertname", a.name);
  for (const auto& v : title.other_values) {
    if (a.service.empty() && std::find(ctx.services.begin(), ctx.services.end(), v) != ctx.services.end()) a.service = v;
  }
  for (std::size_t i = 1; i < title.group_values.size() && a.service.empty(); ++i) {
    const auto& v = title.group_values[i];
    if (std::find(ctx.services.begin(), ctx.services.end(), v) != ctx.services.end()) a.service = v;
  }
  return a;
}

}  // namespace

bool looks_like_grafana_webhook(const json::object& root) {
  auto* alerts = root.if_contains("alerts");
  if (!alerts || !alerts->is_array()) return false;
  auto* version = root.if_contains("version");
  if (version && version->is_string() && version->get_string() == "1") return true;
  return !version && (root.contains("orgId") || root.contains("state"));
}

Result<AlertBatch> read_grafana_webhook(const json::object& root, const AlertContext& ctx) {
  Fields top(root, "grafana", "");
  auto version = top.string("version");
  auto title = top.string("title");
  auto org = top.integer("orgId");
  auto state = top.string("state");
  auto message = top.string("message");
  if (!version) return version.error();
  if (!title) return title.error();
  if (!org) return org.error();
  if (!state) return state.error();
  if (!message) return message.error();
  EnvelopeKind kind{"grafana", "grafana", AlertFormat::GrafanaWebhook};
  auto batch = read_am_envelope(root, kind, ctx, grafana_item_extras);
  if (!batch) return batch;
  if (*version != "1") {
    warn(batch->warnings, "version: expected \"1\", got \"" + std::string(cut_utf8(*version, 20)) + "\"");
  }
  std::string summary = capped(*title, "title", batch->warnings);
  for (auto& a : batch->alerts) {
    if (!summary.empty() && first_annotation(a, {"summary", "description", "message"}).empty()) a.summary = summary;
  }
  return batch;
}

Result<AlertBatch> parse_grafana_webhook(std::string_view body, const AlertContext& ctx) {
  auto root = parse_json_payload(body, "grafana");
  if (!root) return root.error();
  if (!root->is_object()) return field_error("grafana", "body", "expected a JSON object, got " + describe_value(*root));
  return read_grafana_webhook(root->get_object(), ctx);
}

bool looks_like_grafana_slack(const SlackMessage& m) {
  if (to_lower(m.username).find("grafana") != std::string::npos) return true;
  if (m.color == "d63232" || m.color == "36a64f") return true;
  std::string_view text = m.attachment_text.empty() ? std::string_view(m.text) : std::string_view(m.attachment_text);
  bool marker = text.find("**Firing**") != std::string_view::npos || text.find("**Resolved**") != std::string_view::npos;
  return marker && text.find(" = ") != std::string_view::npos && parse_alert_title(slack_title(m)).has_value();
}

Result<AlertBatch> read_grafana_slack(const SlackMessage& m, const AlertContext& ctx) {
  AlertBatch batch;
  batch.format = AlertFormat::GrafanaSlack;
  std::string title = capped(slack_title(m), "attachments[0].title", batch.warnings);
  auto parsed = parse_alert_title(title);
  if (!parsed) {
    if (!looks_like_grafana_slack(m)) return fail(Errc::NotFound, "not a Grafana message");
    return field_error("grafana-slack", "attachments[0].title",
                       "cannot read '" + std::string(cut_utf8(title, 120)) + "' (expected \"[FIRING:n] <labels>\")");
  }
  if (parsed->group_values.empty()) {
    return field_error("grafana-slack", "attachments[0].title", "no alert name in '" + std::string(cut_utf8(title, 120)) + "'");
  }
  std::string identity;
  for (const auto& v : parsed->group_values) identity += v + " ";
  batch.group_key = "grafana-slack:" + identity;
  Time at = m.posted_at.value_or(ctx.received_at);
  const std::string& raw = !m.attachment_text.empty() ? m.attachment_text : !m.text.empty() ? m.text : m.blocks_text;
  std::string text = slack_plain(raw);
  TextReader reader(parsed->status, at, batch.warnings);
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    reader.line(std::string_view(text).substr(start, end - start));
    start = end + 1;
  }
  std::size_t over = 0;
  batch.alerts = reader.finish(over);
  if (over > 0) {
    batch.truncated = static_cast<int>(over);
    warn(batch.warnings, "text: " + std::to_string(over) + " alerts over the cap of " +
                             std::to_string(kMaxAlertsPerPayload) + " dropped");
  }
  if (batch.alerts.empty()) batch.alerts.push_back(alert_from_title(*parsed, title, at, ctx));
  for (auto& a : batch.alerts) {
    if (a.name.empty() && !a.labels.count("alertname")) a.name = parsed->group_values.front();
    finish_alert(a, "text", batch.warnings);
    if (a.summary == a.name) a.summary = title;
    if (a.fingerprint.empty()) a.fingerprint = label_fingerprint(a.name, a.labels);
    a.group_key = batch.group_key;
    a.links.source = capped(m.title_link, "attachments[0].title_link", batch.warnings);
  }
  return batch;
}

}  // namespace alertbot::investigators
