#include "investigators/alerts/parse_alert.hpp"

#include <boost/json.hpp>
#include <array>
#include <cctype>

#include "investigators/alerts/alert_json.hpp"
#include "investigators/alerts/alert_limits.hpp"
#include "investigators/alerts/alert_lists.hpp"
#include "investigators/alerts/alertmanager_slack.hpp"
#include "investigators/alerts/alertmanager_webhook.hpp"
#include "investigators/alerts/datadog.hpp"
#include "investigators/alerts/free_text.hpp"
#include "investigators/alerts/generic.hpp"
#include "investigators/alerts/grafana.hpp"
#include "investigators/alerts/pagerduty.hpp"
#include "investigators/alerts/slack_message.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;
using namespace alerts;

struct FormatName {
  AlertFormat format;
  const char* name;
};
constexpr std::array<FormatName, 9> kNames = {{{AlertFormat::Auto, "auto"},
                                               {AlertFormat::AlertmanagerWebhook, "alertmanager"},
                                               {AlertFormat::AlertmanagerSlack, "alertmanager-slack"},
                                               {AlertFormat::GrafanaWebhook, "grafana"},
                                               {AlertFormat::GrafanaSlack, "grafana-slack"},
                                               {AlertFormat::Datadog, "datadog"},
                                               {AlertFormat::PagerDuty, "pagerduty"},
                                               {AlertFormat::Generic, "generic"},
                                               {AlertFormat::Text, "text"}}};

bool looks_like_json(std::string_view body) {
  for (char c : body) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    return c == '{' || c == '[';
  }
  return false;
}

Error not_object(AlertFormat f, const json::value& root) {
  return field_error(to_string(f), "body", "expected a JSON object, got " + describe_value(root));
}

Result<AlertBatch> am_slack_batch(const SlackMessage& m, const AlertContext& ctx) {
  AlertBatch batch;
  batch.format = AlertFormat::AlertmanagerSlack;
  auto a = alertmanager_slack_alert(m, m.posted_at.value_or(ctx.received_at), ctx.services, batch.warnings);
  if (!a) return a.error();
  batch.group_key = a->group_key;
  batch.alerts.push_back(std::move(*a));
  return batch;
}

// A Slack message: Grafana's, Alertmanager's or Datadog's; anyone else's is NotFound.
Result<AlertBatch> read_slack(const SlackMessage& m, const AlertContext& ctx) {
  if (looks_like_grafana_slack(m)) return read_grafana_slack(m, ctx);
  if (looks_like_alertmanager_slack(m)) return am_slack_batch(m, ctx);
  if (looks_like_datadog_slack(m)) return read_datadog_slack(m, ctx);
  std::string who = m.username.empty() ? "an unknown sender" : "\"" + std::string(cut_utf8(m.username, 40)) + "\"";
  return fail(Errc::NotFound, "a Slack message from " + who + " that is not an alert from Alertmanager, Grafana or Datadog");
}

Result<AlertBatch> detect_and_read(const json::value& root, const AlertContext& ctx) {
  if (root.is_array()) {
    if (looks_like_alertmanager_api_list(root.get_array())) return read_alertmanager_api_list(root.get_array(), ctx);
    if (looks_like_generic_webhook(root)) return read_generic_webhook(root, ctx);
    return fail(Errc::NotFound, "alert payload: a JSON array of no known alert shape");
  }
  if (!root.is_object()) return fail(Errc::NotFound, "alert payload: JSON " + describe_value(root) + " is not an alert");
  const auto& o = root.get_object();
  if (looks_like_pagerduty_webhook(o)) return read_pagerduty_webhook(o, ctx);
  if (looks_like_grafana_webhook(o)) return read_grafana_webhook(o, ctx);
  if (looks_like_alertmanager_webhook(o)) return read_alertmanager_webhook(o, ctx);
  if (looks_like_datadog_webhook(o)) return read_datadog_webhook(o, ctx);
  if (looks_like_prometheus_alerts(o)) return read_prometheus_alerts(o, ctx);
  if (looks_like_generic_webhook(root)) return read_generic_webhook(root, ctx);
  if (auto m = read_slack_message(o)) return read_slack(*m, ctx);
  return fail(Errc::NotFound,
              "alert payload: JSON of no known alert shape (expected an Alertmanager, Grafana, Datadog, PagerDuty "
              "or generic webhook, or a Slack message)");
}

Result<AlertBatch> read_slack_as(const json::value& root, AlertFormat f, const AlertContext& ctx) {
  if (!root.is_object()) return not_object(f, root);
  auto m = read_slack_message(root.get_object());
  if (!m) return fail(Errc::NotFound, std::string(to_string(f)) + ": not a Slack message (no attachments, blocks or text)");
  if (f == AlertFormat::AlertmanagerSlack) return am_slack_batch(*m, ctx);
  return read_grafana_slack(*m, ctx);
}

Result<AlertBatch> read_as(const json::value& root, AlertFormat f, const AlertContext& ctx) {
  switch (f) {
    case AlertFormat::AlertmanagerWebhook:
      if (root.is_array()) return read_alertmanager_api_list(root.get_array(), ctx);
      if (!root.is_object()) return not_object(f, root);
      if (looks_like_prometheus_alerts(root.get_object())) return read_prometheus_alerts(root.get_object(), ctx);
      return read_alertmanager_webhook(root.get_object(), ctx);
    case AlertFormat::GrafanaWebhook:
      if (!root.is_object()) return not_object(f, root);
      return read_grafana_webhook(root.get_object(), ctx);
    case AlertFormat::AlertmanagerSlack:
    case AlertFormat::GrafanaSlack:
      return read_slack_as(root, f, ctx);
    case AlertFormat::Datadog: {
      if (!root.is_object()) return not_object(f, root);
      const auto& o = root.get_object();
      if (!o.contains("alert_id")) {
        if (auto m = read_slack_message(o); m && looks_like_datadog_slack(*m)) return read_datadog_slack(*m, ctx);
      }
      return read_datadog_webhook(o, ctx);
    }
    case AlertFormat::PagerDuty:
      if (!root.is_object()) return not_object(f, root);
      return read_pagerduty_webhook(root.get_object(), ctx);
    case AlertFormat::Generic:
      return read_generic_webhook(root, ctx);
    case AlertFormat::Auto:
    case AlertFormat::Text:
      break;
  }
  return detect_and_read(root, ctx);
}

// Text format over a JSON body: the Slack message's texts, or a "text" member; else the body.
std::string text_of(std::string_view body) {
  if (!looks_like_json(body)) return std::string(body);
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) return std::string(body);
  if (auto m = read_slack_message(root.get_object())) {
    std::string out;
    for (const std::string& s : {slack_title(*m), m->pretext, m->attachment_text, m->text, m->blocks_text}) {
      if (!s.empty()) out += slack_plain(s) + "\n";
    }
    return out;
  }
  auto* text = root.get_object().if_contains("text");
  return text && text->is_string() ? std::string(text->get_string()) : std::string(body);
}

}  // namespace

Result<AlertBatch> parse_alerts(std::string_view body, AlertFormat format, const AlertContext& ctx) {
  if (body.size() > kMaxBodyBytes) {
    return fail(Errc::TooLarge, std::string(to_string(format)) + ": body of " + std::to_string(body.size()) +
                                    " bytes is over the limit of " + std::to_string(kMaxBodyBytes));
  }
  if (format == AlertFormat::Text) return parse_free_text(text_of(body), ctx);
  if (format == AlertFormat::Auto && !looks_like_json(body)) return parse_free_text(body, ctx);
  auto root = parse_json_payload(body, format == AlertFormat::Auto ? "alert payload" : to_string(format));
  if (!root) return root.error();
  auto batch = read_as(*root, format, ctx);
  if (!batch) return batch;
  for (auto& a : batch->alerts) {
    if (a.group_key.empty()) a.group_key = batch->group_key;
  }
  return batch;
}

const char* to_string(AlertFormat f) {
  for (const auto& n : kNames) {
    if (n.format == f) return n.name;
  }
  return "unknown";
}

std::optional<AlertFormat> alert_format_from_string(std::string_view s) {
  std::string lower = to_lower(s);
  if (lower == "alertmanager-webhook") return AlertFormat::AlertmanagerWebhook;
  if (lower == "grafana-webhook") return AlertFormat::GrafanaWebhook;
  for (const auto& n : kNames) {
    if (lower == n.name) return n.format;
  }
  return std::nullopt;
}

}  // namespace alertbot::investigators
