// The full report page in a real browser: opens URL in Debian's chromium (headless, through
// playwright-core; no browser download), fails on any console error, page error, failed request or
// CSP violation, checks that the key elements are there and visible, and saves a full-page
// screenshot to PNG. Usage: node report_page_check.mjs URL PNG   (CHROMIUM overrides
// /usr/bin/chromium). Exit 0 when every check passed, 1 otherwise (each failure printed).
import { chromium } from 'playwright-core';

const [url, png] = process.argv.slice(2);
if (!url || !png) {
  console.error('usage: node report_page_check.mjs URL PNG');
  process.exit(2);
}

const failures = [];
const fail = (what) => {
  failures.push(what);
  console.error(`report_page_check: FAIL: ${what}`);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // Runs as root in CI, where chromium's sandbox cannot start.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') fail(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  page.on('requestfailed', (r) => fail(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  const response = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  if (!response || response.status() !== 200) fail(`status ${response?.status()}`);
  const csp = response?.headers()['content-security-policy'] ?? '';
  if (!csp.includes("default-src 'none'")) fail(`content-security-policy is '${csp}'`);

  const expect = async (selector, what, min = 1) => {
    const n = await page.locator(selector).count();
    if (n < min) {
      fail(`${what}: ${selector} found ${n} times, want at least ${min}`);
      return;
    }
    if (!(await page.locator(selector).first().isVisible())) fail(`${what}: ${selector} is not visible`);
  };
  await expect('#alert-name', 'the header');
  await expect('#summary', 'the summary');
  await expect('#causes .cause', 'the causes');
  await expect('#causes .ev a[href^="#finding-"]', 'evidence linked to findings');
  await expect('#timeline svg circle', 'the timeline');
  await expect('#charts svg.chart polyline', 'a chart per series', 2);
  await expect('#trace-diff table tr', 'the trace differential table', 2);
  await expect('#icicle svg rect', 'the differential icicle', 2);
  await expect('#diff .commit.suspect', 'the suspect commit');
  await expect('#diff pre.hunk.highlight', 'a highlighted hunk');
  await expect('#sources table tr', 'the sources', 2);
  await expect('#timings', 'the timings');

  // Evidence links land on their finding.
  const href = await page.locator('#causes .ev a').first().getAttribute('href');
  if (href && (await page.locator(href).count()) !== 1) fail(`evidence link ${href} has no target`);
  // Nothing overflows the page sideways (a long query or SHA left unwrapped).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) fail(`the page scrolls sideways by ${overflow}px`);

  await page.screenshot({ path: png, fullPage: true });
  console.log(`report_page_check: screenshot ${png}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`report_page_check: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('report_page_check: PASS');
