// The browser's part of the customer stories (functions/local/tests/browser_stories.rs), one act per run:
//
//   answer  A customer opens their page from the link in a message, at a phone's viewport or a laptop's,
//           opens one answer form, fills it in and sends it; the page confirms what happens next.
//   decide  Staff sign in at a laptop's viewport, select the answer in the tasks inbox and settle it with
//           its one key (c confirms or upholds, r rejects and asks for the reason, typed then Enter).
//
// Usage:
//   node tests/browser/stories.mjs answer --link <link> --kind <kind> --viewport phone|laptop
//        [--fields <JSON>] --screenshots <dir>
//   node tests/browser/stories.mjs decide --login <login URL> --answer <ans_…> --decision <decision>
//        [--reason <text>] --screenshots <dir>
// --fields maps a form field's name to its value; "+N" in a date field means N days after the field's first
// allowed day. Chromium: $KINDLY_CHROMIUM, else /usr/bin/chromium. Prints one line of JSON on success; on any
// failure it names the step, saves a full-page screenshot into the screenshots dir and exits 1.

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, launch, reportFailure, step, waitFor } from './harness.mjs';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    link: { type: 'string' },
    kind: { type: 'string' },
    viewport: { type: 'string', default: 'phone' },
    fields: { type: 'string', default: '{}' },
    login: { type: 'string' },
    answer: { type: 'string' },
    decision: { type: 'string' },
    reason: { type: 'string' },
    screenshots: { type: 'string', default: 'target/browser-screenshots' },
  },
});
const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  laptop: { viewport: { width: 1366, height: 768 } },
};
const act = positionals[0];
const usage =
  'usage: node tests/browser/stories.mjs answer --link L --kind K --viewport phone|laptop [--fields JSON]\n' +
  '       node tests/browser/stories.mjs decide --login L --answer ID --decision D [--reason R]';
const answering = act === 'answer' && args.link && args.kind && args.viewport in VIEWPORTS;
if (!answering && !(act === 'decide' && args.login && args.answer && args.decision)) {
  console.error(usage);
  process.exit(2);
}
const screenshots = resolve(args.screenshots);
mkdirSync(screenshots, { recursive: true });

/** The key that does each decision in the tasks inbox. */
const KEYS = {
  confirm_payment: 'c',
  reject_payment: 'r',
  uphold_dispute: 'c',
  reject_dispute: 'r',
  confirm_contact: 'c',
  reject_contact: 'r',
};

/** The ISO day `days` after the ISO day `iso`. */
function addDays(iso, days) {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** Errors the page reports: uncaught exceptions and console errors other than failed resource loads. */
function watchErrors(page) {
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  return problems;
}

/** The customer answers on their page; returns the answer's id and the values sent. */
async function answer(page) {
  const problems = watchErrors(page);
  const form = `#answer-${args.kind}`;
  await step(1, `${args.viewport}: the link from the message opens the customer's page`, async () => {
    const response = await page.goto(args.link, { waitUntil: 'load' });
    check(response && response.status() === 200, `GET ${args.link} answered ${response && response.status()}`);
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    check(widths[0] <= widths[1], `the page is wider than the viewport: ${widths[0]} > ${widths[1]}`);
    check(await page.locator(form).count() === 1, `no form ${form} on the page`);
  });
  const sent = await step(2, `${args.viewport}: open "${args.kind}", fill it in and send`, async () => {
    await page.locator(`${form} summary`).click();
    const values = {};
    for (const [name, value] of Object.entries(JSON.parse(args.fields))) {
      const field = page.locator(`#${args.kind}-${name}`);
      check(await field.isVisible(), `the field ${name} does not show once the form is opened`);
      let typed = value;
      if (/^\+\d+$/.test(value)) {
        const min = await field.getAttribute('min');
        check(min, `the date field ${name} has no first allowed day`);
        typed = addDays(min, Number(value.slice(1)));
      }
      const tag = await field.evaluate((element) => element.tagName);
      if (tag === 'SELECT') await field.selectOption(typed);
      else await field.fill(typed);
      values[name] = typed;
    }
    const ticked = await page.locator(`${form} input[name="invoice"]:checked`).count();
    const invoices = await page.locator(`${form} input[name="invoice"]`).count();
    check(invoices === 0 || ticked > 0, 'no invoice is ticked to start with');
    await Promise.all([
      page.waitForURL(/\?answered=ans_/, { timeout: 15_000 }),
      page.locator(`${form} button[type="submit"]`).click(),
    ]);
    return values;
  });
  return step(3, `${args.viewport}: the page confirms and lists the answer`, async () => {
    await waitFor(page, 'the confirmation banner', () => document.querySelector('.done[role="status"]') !== null);
    const banner = await page.locator('.done').innerText();
    check(banner.trim().length > 0, 'the banner is empty');
    check(problems.length === 0, `the page reported errors: ${problems.join(' | ')}`);
    const id = new URL(page.url()).searchParams.get('answered');
    return { answer: id, sent, banner };
  });
}

/** Staff settle the answer from the tasks inbox with its key; returns what the inbox said. */
async function decide(page) {
  const problems = watchErrors(page);
  const item = `#task-list .task[data-id="${args.answer}"]`;
  await step(1, 'the login link signs in', async () => {
    const response = await page.goto(args.login);
    check(response?.ok(), `the login link ended at ${page.url()} with status ${response?.status()}`);
  });
  await step(2, 'the tasks inbox lists the answer; selecting it offers the decision', async () => {
    await page.click('a.view-tab[data-view="tasks"]');
    await waitFor(page, `the answer ${args.answer} in #task-list`, (selector) => document.querySelector(selector) !== null, item);
    await page.click(item);
    await waitFor(
      page,
      `the task selected, with a ${args.decision} button`,
      ([selector, decision]) =>
        document.querySelector(selector)?.dataset.selected === 'true' &&
        document.querySelector(`#task-actions button[data-decision="${decision}"]`) !== null,
      [item, args.decision],
    );
  });
  return step(3, `${KEYS[args.decision]} does ${args.decision}`, async () => {
    const key = KEYS[args.decision];
    check(key, `no key for ${args.decision}`);
    await page.keyboard.press(key);
    if (args.reason) {
      await waitFor(page, 'the reason field focused', () => document.activeElement?.id === 'task-reason');
      await page.keyboard.type(args.reason);
      await page.keyboard.press('Enter');
    }
    await waitFor(
      page,
      'the task under "Done lately"',
      (id) => document.querySelector(`#task-list .task[data-id="${id}"]`) === null &&
        document.querySelector(`#task-done .task[data-id="${id}"]`) !== null,
      args.answer,
    );
    check(problems.length === 0, `the page reported errors: ${problems.join(' | ')}`);
    return { decided: args.decision, said: await page.textContent('#task-message') };
  });
}

const browser = await launch();
let page = null;
let exitCode = 0;
try {
  const context = await browser.newContext(act === 'answer' ? VIEWPORTS[args.viewport] : VIEWPORTS.laptop);
  page = await context.newPage();
  const result = act === 'answer' ? await answer(page) : await decide(page);
  console.log(JSON.stringify(result));
} catch (error) {
  exitCode = 1;
  await reportFailure(error, page, screenshots, `story-${act}-${args.kind ?? args.decision}`);
} finally {
  await browser.close();
}
process.exit(exitCode);
