// Fuzz target "alerts": every alert format parse_alerts() reads (detected, and each one forced),
// Alertmanager's Slack message parser, and the pieces alert parsers share on raw text: every
// timestamp shape, the "[FIRING:n] ..." title, Slack text decoding and format names.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/alerts/alert_time.hpp"
#include "investigators/alerts/alertmanager_slack.hpp"
#include "investigators/alerts/parse_alert.hpp"
#include "investigators/alerts/slack_message.hpp"
#include "net/time_format.hpp"
#include "tests/fuzz/fuzz_cases.hpp"

namespace alertbot::fuzz {
namespace {

using namespace investigators;

const AlertContext& context() {
  static const AlertContext ctx{Time(std::chrono::seconds(1714000000)), {"checkout", "payments", "search-api"}};
  return ctx;
}

template <AlertFormat F>
void parse_as(std::string_view s) {
  (void)parse_alerts(s, F, context());
}

void alertmanager_slack(std::string_view s) {
  (void)parse_alertmanager_slack(s, context().received_at, context().services);
}

void times(std::string_view s) {
  (void)alerts::parse_rfc3339_time(s);
  (void)alerts::parse_any_time(s);
  for (auto unit : {alerts::EpochUnit::Seconds, alerts::EpochUnit::Millis, alerts::EpochUnit::Micros,
                    alerts::EpochUnit::Nanos}) {
    (void)alerts::parse_epoch(s, unit);
  }
  (void)parse_rfc3339(s);
  (void)parse_slack_ts(s);
  // The same text as a JSON number, when it is one: every double a payload can hold.
  double d = 0;
  if (s.size() == sizeof d) {
    std::memcpy(&d, s.data(), sizeof d);
    (void)alerts::epoch_from_number(d, alerts::guess_epoch_unit(std::fabs(d)));
  }
}

void slack_text(std::string_view s) {
  (void)alerts::parse_alert_title(s);
  (void)alerts::slack_plain(s);
  (void)alerts::slack_urls(s);
  (void)alerts::split_words(s);
  (void)alert_format_from_string(s);
}

constexpr FuzzCase kCases[] = {
    {'a', parse_as<AlertFormat::Auto>},
    {'w', parse_as<AlertFormat::AlertmanagerWebhook>},
    {'s', parse_as<AlertFormat::AlertmanagerSlack>},
    {'g', parse_as<AlertFormat::GrafanaWebhook>},
    {'G', parse_as<AlertFormat::GrafanaSlack>},
    {'d', parse_as<AlertFormat::Datadog>},
    {'p', parse_as<AlertFormat::PagerDuty>},
    {'j', parse_as<AlertFormat::Generic>},
    {'x', parse_as<AlertFormat::Text>},
    {'m', alertmanager_slack},
    {'t', times},
    {'l', slack_text},
};

}  // namespace
}  // namespace alertbot::fuzz

ALERTBOT_FUZZ_TARGET(kCases)
