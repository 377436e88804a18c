// End to end, in a real Chromium: customers choose a payment plan on their own page. One (English) asks for
// three monthly instalments, within the policy's limits: the page says it is agreed and lists the
// instalments. Another (German) asks for twenty weekly ones, beyond the limits: the page says the team
// will decide, and shows the plan as asked for. No Content-Security-Policy error, no script.
//
// Usage: node tests/browser/payment-plan.mjs --within <link> --outside <link> --screenshots <dir>
// Prints one line of JSON on success: each plan's first date and the rows the page listed. On any failure
// it names the step, saves a full-page screenshot into the screenshots dir and exits 1.

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, launch, reportFailure, step, waitFor } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    within: { type: 'string' },
    outside: { type: 'string' },
    screenshots: { type: 'string', default: 'target/browser-screenshots' },
  },
});
if (!args.within || !args.outside) {
  console.error('usage: node tests/browser/payment-plan.mjs --within <link> --outside <link> --screenshots <dir>');
  process.exit(2);
}
const screenshots = resolve(args.screenshots);
mkdirSync(screenshots, { recursive: true });

function addDays(iso, days) {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

const CASES = [
  { name: 'within', link: args.within, count: '3', every: 'monthly', banner: /payment plan is agreed/, state: /Agreed/ },
  { name: 'outside', link: args.outside, count: '20', every: 'weekly', banner: /Vielen Dank für Ihre Anfrage/, state: /Angefragt/ },
];

const browser = await launch();
let activePage = null;
let exitCode = 0;
const result = {};
try {
  let number = 0;
  for (const { name, link, count, every, banner, state } of CASES) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    activePage = page;
    const problems = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });

    // GIVEN the customer's page, with no plan yet
    await step(++number, `${name}: the page offers a payment plan`, async () => {
      const response = await page.goto(link, { waitUntil: 'load' });
      check(response && response.status() === 200, `GET ${link} answered ${response && response.status()}`);
      check((await page.locator('#plans').count()) === 0, 'a plan shows before one was asked for');
      check((await page.locator('#answer-payment_plan').count()) === 1, 'no payment plan form');
    });

    // WHEN they choose the number of instalments, how often and the first date, and send
    const first = await step(++number, `${name}: ask for ${count} ${every} instalments`, async () => {
      await page.locator('#answer-payment_plan summary').click();
      await page.locator('#payment_plan-instalments').selectOption(count);
      await page.locator('#payment_plan-every').selectOption(every);
      const date = page.locator('#payment_plan-first');
      const min = await date.getAttribute('min');
      check(Boolean(min), 'the first date has no lower bound');
      const day = addDays(min, 7);
      await date.fill(day);
      const ticked = await page.locator('#answer-payment_plan input[name="invoice"]:checked').count();
      check(ticked > 0, 'no invoice is ticked to start with');
      await Promise.all([
        page.waitForURL(/\?plan=plan_/, { timeout: 15_000 }),
        page.locator('#answer-payment_plan button[type="submit"]').click(),
      ]);
      return day;
    });

    // THEN the page says what happens next and lists the instalments
    const rows = await step(++number, `${name}: the page confirms and shows the plan`, async () => {
      await waitFor(page, 'the confirmation banner', () => document.querySelector('.done[role="status"]') !== null);
      const said = await page.locator('.done').innerText();
      check(banner.test(said), `the banner says: ${said}`);
      const plan = await page.locator('#plans').innerText();
      check(state.test(plan), `the plan's state reads: ${plan}`);
      const listed = await page.locator('#plans tbody tr').count();
      check(listed === Number(count), `${listed} instalments listed, not ${count}`);
      check(problems.length === 0, `the page reported errors: ${problems.join(' | ')}`);
      return listed;
    });
    result[name] = { first, rows };
    await context.close();
    activePage = null;
  }
  console.log(JSON.stringify(result));
} catch (error) {
  exitCode = 1;
  await reportFailure(error, activePage, screenshots, 'payment-plan');
} finally {
  await browser.close();
}
process.exit(exitCode);
