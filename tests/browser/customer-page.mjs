// End to end, in a real Chromium: a customer opens their own page from the link in a message, at a phone's
// viewport and at a laptop's, and promises to pay by a date; the page confirms what happens next. The page
// must fit the phone's width, raise no Content-Security-Policy error, and pass axe-core's checks without a
// serious or critical violation (every answer form opened). Its size and load time are measured.
//
// Usage: node tests/browser/customer-page.mjs --phone <link> --laptop <link> --screenshots <dir>
// Chromium: $KINDLY_CHROMIUM, else /usr/bin/chromium. Prints one line of JSON on success: per viewport the
// promised day and the page's figures. On any failure it names the step, saves a full-page screenshot into
// the screenshots dir and exits 1.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, launch, reportFailure, step, waitFor } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    phone: { type: 'string' },
    laptop: { type: 'string' },
    screenshots: { type: 'string', default: 'target/browser-screenshots' },
  },
});
if (!args.phone || !args.laptop) {
  console.error('usage: node tests/browser/customer-page.mjs --phone <link> --laptop <link> --screenshots <dir>');
  process.exit(2);
}
const screenshots = resolve(args.screenshots);
mkdirSync(screenshots, { recursive: true });
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const VIEWPORTS = [
  { name: 'phone', link: args.phone, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  { name: 'laptop', link: args.laptop, viewport: { width: 1366, height: 768 } },
];

/** The page's own figures from the Navigation Timing entry, in bytes and milliseconds. */
function figures(page) {
  return page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation');
    return {
      html_bytes: nav.decodedBodySize,
      transferred_bytes: nav.transferSize,
      response_ms: Math.round(nav.responseEnd - nav.startTime),
      dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd - nav.startTime),
      load_ms: Math.round(nav.loadEventEnd - nav.startTime),
    };
  });
}

/** The ISO day `days` after the ISO day `iso`. */
function addDays(iso, days) {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

const browser = await launch();
let activePage = null;
let exitCode = 0;
const result = {};
try {
  let number = 0;
  for (const { name, link, ...options } of VIEWPORTS) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    activePage = page;
    const problems = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      // An HTTP error status (the browser's own favicon request) is not the page's; anything else is.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });

    // GIVEN the link from the customer's message
    const measured = await step(++number, `${name}: the link opens the customer's page`, async () => {
      const response = await page.goto(link, { waitUntil: 'load' });
      check(response && response.status() === 200, `GET ${link} answered ${response && response.status()}`);
      check(await page.locator('#answers').isVisible(), 'no answers section');
      const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      check(widths[0] <= widths[1], `the page is wider than the viewport: ${widths[0]} > ${widths[1]}`);
      return figures(page);
    });

    // WHEN they open "promise to pay", choose a day a week ahead and send
    const promised = await step(++number, `${name}: promise to pay by a date`, async () => {
      await page.locator('#answer-promise summary').click();
      const date = page.locator('#promise-pay_by');
      check(await date.isVisible(), 'the date field does not show once the form is opened');
      const [min, max] = [await date.getAttribute('min'), await date.getAttribute('max')];
      check(min && max && min < max, `the date field's range is ${min}..${max}`);
      const day = addDays(min, 7);
      await date.fill(day);
      const ticked = await page.locator('#answer-promise input[name="invoice"]:checked').count();
      check(ticked > 0, 'no invoice is ticked to start with');
      await Promise.all([
        page.waitForURL(/\?answered=ans_/, { timeout: 15_000 }),
        page.locator('#answer-promise button[type="submit"]').click(),
      ]);
      return day;
    });

    // THEN the page says what happens next, and lists the promise
    await step(++number, `${name}: the confirmation shows`, async () => {
      await waitFor(page, 'the confirmation banner', () => document.querySelector('.done[role="status"]') !== null);
      const banner = await page.locator('.done').innerText();
      check(/keine Erinnerungen|will not send reminders/.test(banner), `the banner says: ${banner}`);
      check(problems.length === 0, `the page reported errors: ${problems.join(' | ')}`);
    });
    result[name] = { promised, ...measured };
    await context.close();
    activePage = null;
  }

  // axe-core in a context that lets its script in (the page itself allows no script at all)
  result.axe = await step(++number, 'axe-core: no serious or critical violation, every form opened', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    activePage = page;
    await page.goto(args.phone, { waitUntil: 'load' });
    await page.evaluate(() => document.querySelectorAll('details').forEach((details) => details.setAttribute('open', '')));
    await page.addScriptTag({ path: AXE });
    const found = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const serious = found.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    check(
      serious.length === 0,
      `axe-core found: ${serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; ')}`,
    );
    await context.close();
    activePage = null;
    return { violations: found.violations.map((v) => `${v.id} (${v.impact})`) };
  });
  console.log(JSON.stringify(result));
} catch (error) {
  exitCode = 1;
  await reportFailure(error, activePage, screenshots, 'customer-page');
} finally {
  await browser.close();
}
process.exit(exitCode);
