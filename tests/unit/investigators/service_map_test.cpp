#include <gtest/gtest.h>

#include "investigators/service_map.hpp"

namespace alertbot::investigators {
namespace {

std::vector<ServiceSettings> services() {
  ServiceSettings checkout;
  checkout.name = "checkout";
  checkout.match = {{"team", "shop"}, {"component", "api"}};
  ServiceSettings orders;
  orders.name = "orders";
  return {checkout, orders};
}

Alert with(std::map<std::string, std::string> labels) {
  Alert a;
  a.labels = std::move(labels);
  return a;
}

TEST(ServiceMap, MatchLabelsMustAllEqual) {
  EXPECT_EQ(map_service(with({{"team", "shop"}, {"component", "api"}, {"service", "orders"}}), services()), "checkout");
  EXPECT_EQ(map_service(with({{"team", "shop"}, {"component", "web"}}), services()), "");
}

TEST(ServiceMap, FallsBackToAConfiguredServiceNamedByServiceJobOrApp) {
  EXPECT_EQ(map_service(with({{"service", "orders"}}), services()), "orders");
  EXPECT_EQ(map_service(with({{"job", "orders"}}), services()), "orders");
  EXPECT_EQ(map_service(with({{"app", "orders"}, {"service", "unknown"}}), services()), "orders");
}

TEST(ServiceMap, AnUnconfiguredServiceIsStillNamed) {
  EXPECT_EQ(map_service(with({{"job", "node-exporter"}}), services()), "node-exporter");
  Alert guessed = with({});
  guessed.service = "search";
  EXPECT_EQ(map_service(guessed, services()), "search");
  EXPECT_EQ(map_service(with({{"severity", "page"}}), services()), "");
}

}  // namespace
}  // namespace alertbot::investigators
