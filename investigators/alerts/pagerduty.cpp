#include "investigators/alerts/pagerduty.hpp"

#include <boost/json.hpp>

#include "investigators/alerts/alert_json.hpp"
#include "investigators/alerts/alert_limits.hpp"
#include "investigators/alerts/alertmanager_webhook.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;
using namespace alerts;

// The "summary" of a reference object such as data.service or data.priority ("" when absent).
Result<std::string> reference_summary(const Fields& f, std::string_view key) {
  auto ref = f.object(key);
  if (!ref) return ref.error();
  if (!*ref) return std::string();
  auto s = Fields(**ref, f.format(), f.at(key)).string("summary");
  if (!s) return s.error();
  return std::string(*s);
}

Result<Alert> read_incident(const Fields& ev, const Fields& data, std::string_view event_type, const AlertContext& ctx,
                            std::vector<std::string>& warnings) {
  auto id = data.required_string("id");
  auto title = data.required_string("title");
  auto status = data.string("status");
  auto url = data.string("html_url");
  auto urgency = data.string("urgency");
  auto number = data.scalar("number");
  if (!id) return id.error();
  if (!title) return title.error();
  if (!status) return status.error();
  if (!url) return url.error();
  if (!urgency) return urgency.error();
  if (!number) return number.error();
  auto service = reference_summary(data, "service");
  if (!service) return service.error();
  auto priority = reference_summary(data, "priority");
  if (!priority) return priority.error();
  auto occurred = read_time(ev, "occurred_at");
  if (!occurred) return occurred.error();
  auto created = read_time(data, "created_at");
  if (!created) return created.error();
  Alert a;
  a.source = "pagerduty";
  a.name = capped(*title, data.at("title"), warnings);
  bool resolved = event_type == "incident.resolved" || *status == "resolved";
  a.status = resolved ? AlertStatus::Resolved : AlertStatus::Firing;
  std::string pd_status = !status->empty() ? std::string(*status)
                          : event_type == "incident.acknowledged" ? "acknowledged"
                          : resolved ? "resolved" : "triggered";
  EntryCaps caps(data.at("labels"));
  caps.put(a.labels, "alertname", a.name, warnings);
  caps.put(a.labels, "pd_status", pd_status, warnings);
  caps.put(a.labels, "event_type", event_type, warnings);
  if (!service->empty()) caps.put(a.labels, "service", *service, warnings);
  if (!urgency->empty()) caps.put(a.labels, "urgency", *urgency, warnings);
  if (!priority->empty()) caps.put(a.labels, "priority", *priority, warnings);
  if (!number->empty()) caps.put(a.labels, "incident_number", *number, warnings);
  caps.finish(warnings);
  a.severity = !priority->empty() ? to_lower(cut_utf8(*priority, 64)) : to_lower(cut_utf8(*urgency, 64));
  a.starts_at = created->value_or(occurred->value_or(ctx.received_at));
  if (resolved) a.ends_at = occurred->value_or(ctx.received_at);
  a.fingerprint = capped(*id, data.at("id"), warnings);
  a.group_key = "pagerduty:" + a.fingerprint;
  a.links.source = capped(*url, data.at("html_url"), warnings);
  a.summary = a.name;
  return a;
}

}  // namespace

bool looks_like_pagerduty_webhook(const json::object& root) {
  auto* ev = root.if_contains("event");
  return ev && ev->is_object() && ev->get_object().contains("event_type");
}

Result<AlertBatch> read_pagerduty_webhook(const json::object& root, const AlertContext& ctx) {
  Fields top(root, "pagerduty", "");
  auto event = top.object("event");
  if (!event) return event.error();
  if (!*event) return top.error("event", "missing");
  Fields ev(**event, "pagerduty", "event");
  auto event_type = ev.required_string("event_type");
  auto resource_type = ev.string("resource_type");
  if (!event_type) return event_type.error();
  if (!resource_type) return resource_type.error();
  auto data = ev.object("data");
  if (!data) return data.error();
  std::string type(cut_utf8(*event_type, 80));
  std::string data_type;
  if (*data) {
    auto t = Fields(**data, "pagerduty", "event.data").string("type");
    if (!t) return t.error();
    data_type = std::string(*t);
  }
  bool incident = type.rfind("incident.", 0) == 0 && (resource_type->empty() || *resource_type == "incident") &&
                  (data_type.empty() || data_type == "incident");
  if (!incident) return fail(Errc::NotFound, "pagerduty: " + type + ": not an incident event: ignored");
  if (!*data) return ev.error("data", "missing");
  AlertBatch batch;
  batch.format = AlertFormat::PagerDuty;
  auto a = read_incident(ev, Fields(**data, "pagerduty", "event.data"), type, ctx, batch.warnings);
  if (!a) return a.error();
  batch.group_key = a->group_key;
  batch.alerts.push_back(std::move(*a));
  return batch;
}

Result<AlertBatch> parse_pagerduty_webhook(std::string_view body, const AlertContext& ctx) {
  auto root = parse_json_payload(body, "pagerduty");
  if (!root) return root.error();
  if (!root->is_object()) return field_error("pagerduty", "body", "expected a JSON object, got " + describe_value(*root));
  return read_pagerduty_webhook(root->get_object(), ctx);
}

}  // namespace alertbot::investigators
