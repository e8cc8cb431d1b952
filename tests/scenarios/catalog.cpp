// The ten incidents. Times are minutes before "now" (kNow). Services call each other as a small
// shop does: checkout -> orders, payments, inventory; catalog and pricing behind it.
#include "tests/scenarios/scenario.hpp"

namespace alertbot::scenarios {
namespace {

constexpr Minutes kDays2{2 * 24 * 60};

SpanShape db(const std::string& service, const std::string& table, double ms, int count = 1,
             const std::string& where = "id = ANY($1)") {
  return SpanShape{service, "SELECT " + table, ms, count, 0, "SELECT * FROM " + table + " WHERE " + where, "", "postgres", {}};
}

SpanShape call(const std::string& service, const std::string& op, double ms, std::vector<SpanShape> children = {}) {
  return SpanShape{service, op, ms, 1, 0, "", op.starts_with("GET ") || op.starts_with("POST ") ? op.substr(op.find(' ') + 1) : "",
                   "", std::move(children)};
}

std::vector<LogPattern> steady_logs(const std::string& app) {
  return {{"info", app + " request served in {n} ms", 120, 120}, {"info", "GET /healthz 200", 12, 12},
          {"warn", "slow request {id} took {n} ms", 2, 2}};
}

// 1. A deploy adds an N+1 query: product rows loaded one by one per order line.
Scenario n_plus_one() {
  Scenario s{"n_plus_one", "orders v1.8.0 loads each order line's product with its own query (1 -> 12 per request)"};
  ServiceSpec orders{"orders"};
  orders.series = {{"latency", 0.12, 0.45, 0.01, Minutes(18)}, {"errors", 0.001, 0.001, 0.0003}};
  orders.traces = TraceSpec{false,
                            call("orders", "GET /orders/{id}", 5, {db("orders", "order_items", 4, 1, "order_id = $1"),
                                                                    db("orders", "products", 5)}),
                            call("orders", "GET /orders/{id}", 5, {db("orders", "order_items", 4, 1, "order_id = $1"),
                                                                    db("orders", "products", 5, 12, "id = $1")}),
                            Minutes(18)};
  orders.logs = steady_logs("orders");
  orders.commits = {
      {"v1.7.0", "orders: list items with their products", "maria", kDays2,
       {{"orders/repo/items.go",
         "package repo\n\n// Items loads an order's lines and their products in two queries.\n"
         "func (r *Repo) Items(ctx context.Context, orderID int64) ([]Line, error) {\n"
         "\tlines, err := r.lines(ctx, orderID)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n"
         "\tproducts, err := r.db.Query(ctx, \"SELECT * FROM products WHERE id = ANY($1)\", productIDs(lines))\n"
         "\treturn attach(lines, products), err\n}\n"},
        {"orders/api/handler.go", "package api\n\nfunc (h *Handler) GetOrder(w http.ResponseWriter, r *http.Request) {}\n"},
        {"web/gift.go", "package web\n"},
        {"go.mod", "module github.com/acme/orders\n\nrequire go.uber.org/zap v1.26.0\n"}}},
      {"", "web: gift wrap option on the order page", "li", Minutes(40),
       {{"web/gift.go", "package web\n\n// GiftWrap renders the gift wrap checkbox.\nfunc GiftWrap() string { return \"<input type=checkbox name=gift>\" }\n"}}},
      {"bad", "orders: load product details per order line", "dana", Minutes(35),
       {{"orders/repo/items.go",
         "package repo\n\n// Items loads an order's lines, then each line's product.\n"
         "func (r *Repo) Items(ctx context.Context, orderID int64) ([]Line, error) {\n"
         "\tlines, err := r.lines(ctx, orderID)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n"
         "\tfor i := range lines {\n"
         "\t\trow := r.db.QueryRow(ctx, \"SELECT * FROM products WHERE id = $1\", lines[i].ProductID)\n"
         "\t\tif err := row.Scan(&lines[i].Product); err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t}\n"
         "\treturn lines, nil\n}\n"}}},
      {"v1.8.0", "deps: bump zap to 1.27", "renovate", Minutes(30),
       {{"go.mod", "module github.com/acme/orders\n\nrequire go.uber.org/zap v1.27.0\n"}}},
  };
  orders.deploys_via = DeployVia::GitHub;
  orders.deploys = {{"1001", "v1.7.0", "", kDays2 - Minutes(10)}, {"1002", "v1.8.0", "v1.7.0", Minutes(20), "dana"}};
  s.services = {orders};
  s.alert_name = "OrdersLatencyHigh";
  s.alert_service = "orders";
  s.alert_ago = Minutes(14);
  s.expected = {false, "commit", {"commit:orders@bad"}};
  return s;
}

// 2. A config-only change lowers the Stripe timeout; charges start timing out.
Scenario config_error_spike() {
  Scenario s{"config_error_spike", "payments config r42 lowers the Stripe client timeout from 2s to 200ms"};
  ServiceSpec payments{"payments"};
  payments.series = {{"errors", 0.002, 0.08, 0.001, Minutes(11)}, {"latency", 0.25, 0.22, 0.01}};
  payments.logs = steady_logs("payments");
  payments.logs.push_back({"error", "charge failed: stripe request timed out after 200ms (order {n})", 0, 40});
  payments.logs_change_ago = Minutes(11);
  payments.commits = {
      {"r41", "payments: stripe client with retries", "omar", kDays2,
       {{"config/payments.yaml", "stripe:\n  endpoint: https://api.stripe.com\n  timeout: 2s\n  retries: 2\n"},
        {"src/charge.go", "package payments\n\nfunc Charge(ctx context.Context, o Order) error { return stripe.Charge(ctx, o) }\n"}}},
      {"r42", "config: tune stripe client for lower tail latency", "kai", Minutes(15),
       {{"config/payments.yaml", "stripe:\n  endpoint: https://api.stripe.com\n  timeout: 200ms\n  retries: 2\n"}}},
  };
  payments.deploys_via = DeployVia::ArgoCd;
  payments.deploys = {{"41", "r41", "", kDays2 - Minutes(5)}, {"42", "r42", "r41", Minutes(12), "kai"}};
  s.services = {payments};
  s.alert_name = "PaymentsErrorRateHigh";
  s.alert_service = "payments";
  s.alert_ago = Minutes(8);
  s.expected = {false, "config", {"commit:payments@r42"}};
  return s;
}

SpanShape checkout_tree(double charge_ms) {
  return call("checkout", "POST /checkout", 8,
              {call("orders", "GET /orders/{id}", 6, {db("orders", "order_items", 3, 1, "order_id = $1")}),
               call("payments", "charge", charge_ms), call("inventory", "reserve", 10)});
}

// 3. The payment provider slows down; nothing was deployed.
Scenario slow_dependency() {
  Scenario s{"slow_dependency", "payments' charge call slows from 60 ms to 900 ms with no deploy anywhere"};
  ServiceSpec checkout{"checkout"};
  checkout.series = {{"latency", 0.35, 1.2, 0.02, Minutes(14)}, {"errors", 0.003, 0.003, 0.0005}};
  checkout.traces = TraceSpec{true, checkout_tree(60), checkout_tree(900), Minutes(14)};
  checkout.deploys_via = DeployVia::Webhook;
  checkout.deploys = {{"checkout-88", "v9.4.0", "v9.3.2", Minutes(3 * 24 * 60)}};
  s.services = {checkout};
  s.alert_name = "CheckoutLatencyHigh";
  s.alert_service = "checkout";
  s.alert_ago = Minutes(10);
  s.expected = {false, "dependency", {"payments"}};
  return s;
}

// 4. Two deploys ten minutes apart before the onset; the earlier one bypassed the product cache.
Scenario two_deploys() {
  Scenario s{"two_deploys_earlier_guilty",
             "catalog v5.2.0 bypasses its product cache; v5.2.1 ten minutes later only fixes an e-mail typo"};
  ServiceSpec catalog{"catalog"};
  catalog.series = {{"latency", 0.09, 0.32, 0.005, Minutes(17)}, {"errors", 0.001, 0.001, 0.0002}};
  auto cached = call("catalog", "GET /products/{id}", 3,
                     {SpanShape{"catalog", "GET product:{id}", 1, 1, 0, "", "", "redis", {}}});
  auto bypass = call("catalog", "GET /products/{id}", 3,
                     {SpanShape{"catalog", "GET product:{id}", 1, 1, 0, "", "", "redis", {}}, db("catalog", "products", 25, 1, "id = $1")});
  catalog.traces = TraceSpec{false, cached, bypass, Minutes(17)};
  catalog.commits = {
      {"v5.1.0", "catalog: product cache in redis", "ana", kDays2,
       {{"catalog/cache.go",
         "package catalog\n\n// Product reads through the redis cache.\nfunc (c *Cache) Product(ctx context.Context, id int64) (*Product, error) {\n"
         "\tif p, ok := c.redis.Get(ctx, key(id)); ok {\n\t\treturn p, nil\n\t}\n"
         "\treturn c.load(ctx, id)\n}\n"},
        {"templates/email.html", "<p>Thank you for your oder!</p>\n"}}},
      {"v5.2.0", "catalog: always read products from the database for fresher prices", "ben", Minutes(32),
       {{"catalog/cache.go",
         "package catalog\n\n// Product reads the product from the database (prices must be fresh).\n"
         "func (c *Cache) Product(ctx context.Context, id int64) (*Product, error) {\n"
         "\tif p, ok := c.redis.Get(ctx, key(id)); ok && !c.fresh {\n\t\treturn p, nil\n\t}\n"
         "\treturn c.db.QueryProduct(ctx, \"SELECT * FROM products WHERE id = $1\", id)\n}\n"}}},
      {"v5.2.1", "email: fix typo in order confirmation", "ben", Minutes(22),
       {{"templates/email.html", "<p>Thank you for your order!</p>\n"}}},
  };
  catalog.deploys_via = DeployVia::Webhook;
  catalog.deploys = {{"catalog-520", "v5.2.0", "v5.1.0", Minutes(30), "ben"}, {"catalog-521", "v5.2.1", "v5.2.0", Minutes(20), "ben"}};
  s.services = {catalog};
  s.alert_name = "CatalogLatencyHigh";
  s.alert_service = "catalog";
  s.alert_ago = Minutes(12);
  s.expected = {false, "commit", {"commit:catalog@v5.2.0"}};
  return s;
}

// 5. Traffic doubles; inventory runs out of CPU.
Scenario capacity() {
  Scenario s{"capacity", "traffic to inventory doubles; CPU saturates at 96% and latency follows"};
  ServiceSpec inventory{"inventory"};
  inventory.series = {{"latency", 0.05, 0.4, 0.004, Minutes(15)},
                      {"saturation", 0.55, 0.96, 0.01, Minutes(15)},
                      {"traffic", 200, 430, 5, Minutes(16)},
                      {"errors", 0.001, 0.001, 0.0002}};
  inventory.deploys_via = DeployVia::Webhook;
  s.services = {inventory};
  s.alert_name = "InventorySaturated";
  s.alert_service = "inventory";
  s.alert_ago = Minutes(10);
  s.expected = {false, "capacity", {"inventory"}};
  return s;
}

// 6. A threshold alert flaps on noise: nothing changed.
Scenario noisy() {
  Scenario s{"noisy_no_change", "search latency wanders around its usual level; an old deploy is the only change"};
  ServiceSpec search{"search"};
  search.series = {{"latency", 0.21, 0.21, 0.03}, {"errors", 0.004, 0.004, 0.001}};
  auto tree = call("search", "GET /search", 12, {db("search", "documents", 20, 1, "tsv @@ $1")});
  search.traces = TraceSpec{false, tree, tree, Minutes(10)};
  search.logs = steady_logs("search");
  search.logs_change_ago = Minutes(10);
  search.deploys_via = DeployVia::Webhook;
  search.deploys = {{"search-12", "v1.12.0", "v1.11.4", Minutes(55)}};
  s.services = {search};
  s.alert_name = "SearchLatencyAboveThreshold";
  s.alert_service = "search";
  s.alert_ago = Minutes(2);
  s.expected = {true, "", {}};
  return s;
}

// 7. Resolved: a bad deploy, then its rollback; the alert has recovered.
Scenario resolved() {
  Scenario s{"resolved_alert", "cart v3.1.0 raised latency for 30 minutes until v3.1.1 rolled it back"};
  ServiceSpec cart{"cart"};
  cart.series = {{"latency", 0.1, 0.6, 0.01, Minutes(42), Minutes(12)}, {"errors", 0.002, 0.002, 0.0004}};
  cart.deploys_via = DeployVia::Webhook;
  cart.deploys = {{"cart-318", "v3.1.0", "v3.0.9", Minutes(45), "eve"}, {"cart-319", "v3.1.1", "v3.1.0", Minutes(13), "eve"}};
  s.services = {cart};
  s.alert_name = "CartLatencyHigh";
  s.alert_service = "cart";
  s.alert_ago = Minutes(40);
  s.resolved_ago = Minutes(10);
  s.expected = {false, "deploy", {"deploy:cart-318"}};
  return s;
}

// 8. Only the logs show it: a new error after a deploy; metrics stay flat.
Scenario log_only() {
  Scenario s{"log_only_new_error", "ledger v0.9.1 starts rejecting refunds (a new error log line); metrics do not move"};
  ServiceSpec ledger{"ledger"};
  ledger.series = {{"latency", 0.04, 0.04, 0.002}, {"errors", 0.001, 0.001, 0.0003}};
  ledger.logs = steady_logs("ledger");
  ledger.logs.push_back({"error", "refund rejected by ledger: idempotency key {id} reused", 0, 30});
  ledger.logs_change_ago = Minutes(24);
  ledger.commits = {
      {"v0.9.0", "ledger: refunds", "ivy", kDays2,
       {{"ledger/client.go", "package ledger\n\nfunc (c *Client) Refund(ctx context.Context, r Refund) error { return c.post(ctx, \"/refunds\", r) }\n"},
        {"ledger/metrics.go", "package ledger\n"}}},
      {"v0.9.1", "ledger: retry refunds through the new ledger client", "ivy", Minutes(30),
       {{"ledger/client.go",
         "package ledger\n\nfunc (c *Client) Refund(ctx context.Context, r Refund) error {\n"
         "\tkey := r.IdempotencyKey()\n\tif err := c.v2.Post(ctx, \"/refunds\", key, r); err != nil {\n"
         "\t\tc.log.Errorf(\"refund rejected by ledger: idempotency key %s reused\", key)\n\t\treturn err\n\t}\n\treturn nil\n}\n"}}},
  };
  ledger.repo_via_github = true;
  ledger.deploys_via = DeployVia::GitHub;
  ledger.deploys = {{"2001", "v0.9.0", "", kDays2 - Minutes(20)}, {"2002", "v0.9.1", "v0.9.0", Minutes(25), "ivy"}};
  s.services = {ledger};
  s.alert_name = "LedgerRefundErrors";
  s.alert_service = "ledger";
  s.alert_ago = Minutes(20);
  s.expected = {false, "commit", {"commit:ledger@v0.9.1"}};
  return s;
}

// 9. Only the profiles show it: a CPU regression in tax rules.
Scenario cpu_profile_only() {
  Scenario s{"cpu_profile_only", "pricing v2.4.0 compiles a regex per line item; only the CPU profile shows it"};
  ServiceSpec pricing{"pricing"};
  pricing.series = {{"latency", 0.05, 0.05, 0.003}, {"errors", 0.001, 0.001, 0.0002}};
  const std::string base = "main;net/http.(*conn).serve;github.com/acme/pricing/api.Quote;";
  pricing.profile_before = {{base + "github.com/acme/pricing/discount.Apply", 50},
                            {base + "github.com/acme/pricing/tax.ApplyTaxRules", 30},
                            {"main;runtime.gcBgMarkWorker", 20},
                            {base + "encoding/json.Marshal", 25}};
  pricing.profile_after = pricing.profile_before;
  pricing.profile_after[base + "github.com/acme/pricing/tax.ApplyTaxRules;regexp.Compile"] = 380;
  pricing.profile_change_ago = Minutes(27);
  pricing.commits = {
      {"v2.3.2", "pricing: tax rules table", "noor", kDays2,
       {{"pricing/tax/tax.go",
         "package tax\n\nfunc ApplyTaxRules(lines []Line, rules []Rule) {\n\tfor i := range lines {\n"
         "\t\tlines[i].Tax = rules[lines[i].Region].Rate * lines[i].Amount\n\t}\n}\n"},
        {"README.md", "# pricing\n"}}},
      {"tax-regex", "tax: match regional rules with regular expressions", "noor", Minutes(33),
       {{"pricing/tax/tax.go",
         "package tax\n\nfunc ApplyTaxRules(lines []Line, rules []Rule) {\n\tfor i := range lines {\n"
         "\t\tfor _, r := range rules {\n\t\t\tre := regexp.MustCompile(r.RegionPattern)\n"
         "\t\t\tif re.MatchString(lines[i].Region) {\n\t\t\t\tlines[i].Tax = r.Rate * lines[i].Amount\n\t\t\t}\n\t\t}\n\t}\n}\n"}}},
      {"v2.4.0", "docs: describe regional tax rules", "noor", Minutes(31), {{"README.md", "# pricing\n\nRegional tax rules.\n"}}},
  };
  pricing.deploys_via = DeployVia::Webhook;
  pricing.deploys = {{"pricing-77", "v2.4.0", "v2.3.2", Minutes(28), "noor"}};
  s.services = {pricing};
  s.alert_name = "PricingCPUThrottling";
  s.alert_service = "pricing";
  s.alert_ago = Minutes(5);
  s.expected = {false, "commit", {"commit:pricing@tax-regex"}};
  return s;
}

// 10. A downstream service's deploy: checkout alerts, payments changed.
Scenario downstream_deploy() {
  Scenario s{"downstream_deploy", "payments r77 makes the fraud check synchronous; checkout's latency alert fires"};
  ServiceSpec checkout{"checkout"};
  checkout.series = {{"latency", 0.3, 0.95, 0.01, Minutes(12)}, {"errors", 0.002, 0.002, 0.0004}};
  checkout.traces = TraceSpec{false, checkout_tree(60), checkout_tree(700), Minutes(12)};
  checkout.deploys_via = DeployVia::Webhook;
  checkout.deploys = {{"checkout-90", "v9.5.0", "v9.4.0", Minutes(2 * 24 * 60)}};
  ServiceSpec payments{"payments"};
  payments.commits = {
      {"r76", "payments: async fraud check", "omar", kDays2,
       {{"payments/charge.go",
         "package payments\n\nfunc (s *Service) Charge(ctx context.Context, o Order) error {\n"
         "\tgo s.fraud.Check(context.Background(), o)\n\treturn s.stripe.Capture(ctx, o)\n}\n"}}},
      {"r77", "payments: run the fraud check before capture", "kai", Minutes(20),
       {{"payments/charge.go",
         "package payments\n\nfunc (s *Service) Charge(ctx context.Context, o Order) error {\n"
         "\tif err := s.fraud.Check(ctx, o); err != nil {\n\t\treturn err\n\t}\n\treturn s.stripe.Capture(ctx, o)\n}\n"}}},
  };
  payments.deploys_via = DeployVia::ArgoCd;
  payments.deploys = {{"76", "r76", "", kDays2 - Minutes(3)}, {"77", "r77", "r76", Minutes(14), "kai"}};
  s.services = {checkout, payments};
  s.alert_name = "CheckoutLatencyHigh";
  s.alert_service = "checkout";
  s.alert_ago = Minutes(8);
  s.expected = {false, "commit", {"commit:payments@r77"}};
  return s;
}

}  // namespace

std::vector<Scenario> catalog() {
  return {n_plus_one(), config_error_spike(), slow_dependency(), two_deploys(), capacity(),
          noisy(),      resolved(),           log_only(),        cpu_profile_only(), downstream_deploy()};
}

}  // namespace alertbot::scenarios
