// End to end, in a real Chromium: the tasks inbox shows a customer's answer as a task; one key (c) with the
// task selected confirms the claimed payment, and the task then shows who did it; the customer's timeline
// shows the answer and its settlement; the reasons view draws its chart.
//
// Usage: node tests/browser/tasks.mjs --base http://127.0.0.1:PORT --login <login URL> --answer <ans_…>
//        --screenshots <dir>
// Chromium: $KINDLY_CHROMIUM, else /usr/bin/chromium. Prints one line of JSON on success; on any failure it
// names the step, saves a full-page screenshot into the screenshots dir and exits 1.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, runOnPage, step, waitFor } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    login: { type: 'string' },
    answer: { type: 'string' },
    screenshots: { type: 'string', default: 'target/browser-screenshots' },
  },
});
if (!args.login || !args.answer) {
  console.error('usage: node tests/browser/tasks.mjs --base URL --login <login URL> --answer <ans_…> --screenshots <dir>');
  process.exit(2);
}
const base = (args.base ?? new URL(args.login).origin).replace(/\/+$/, '');

await runOnPage('tasks', resolve(args.screenshots), async (page, pageErrors) => {
  // GIVEN staff signed in
  await step(1, 'the login link signs in', async () => {
    const response = await page.goto(args.login);
    check(response?.ok(), `the login link ended at ${page.url()} with status ${response?.status()}`);
  });

  // WHEN they open the tasks view THEN the answer is a task, selected, with its decisions
  const customer = await step(2, 'the inbox lists the answer as a task with its decisions', async () => {
    await page.click('a.view-tab[data-view="tasks"]');
    const item = `#task-list .task[data-id="${args.answer}"]`;
    await waitFor(page, `the answer ${args.answer} in #task-list`, (selector) => document.querySelector(selector) !== null, item);
    await page.click(item);
    await waitFor(
      page,
      'the task selected, with Confirm payment and Reject buttons',
      (selector) =>
        document.querySelector(selector)?.dataset.selected === 'true' &&
        document.querySelector('#task-actions button[data-decision="confirm_payment"]') !== null &&
        document.querySelector('#task-actions button[data-decision="reject_payment"]') !== null,
      item,
    );
    const text = await page.textContent('#task-text');
    check(text.includes('TX-4711'), `the task says ${JSON.stringify(text)}, expected the reference TX-4711`);
    return page.textContent('#task-customer');
  });

  await step(3, 'r without a reason asks for one and changes nothing', async () => {
    await page.keyboard.press('r');
    await waitFor(page, 'the reason field focused and a message asking for it', () =>
      document.activeElement?.id === 'task-reason' && /reason/i.test(document.querySelector('#task-message')?.textContent ?? ''));
    await page.keyboard.press('Escape');
    check(await page.locator(`#task-list .task[data-id="${args.answer}"]`).count() === 1, 'the task is still open');
  });

  // WHEN they press c
  await step(4, 'c confirms the payment; the task shows who did it and leaves the open list', async () => {
    await page.keyboard.press('c');
    await waitFor(
      page,
      'the task under "Done lately", confirmed by the signed-in person',
      (id) =>
        document.querySelector(`#task-list .task[data-id="${id}"]`) === null &&
        /confirmed by e2e-approver/i.test(document.querySelector(`#task-done .task[data-id="${id}"]`)?.textContent ?? ''),
      args.answer,
    );
    const said = await page.textContent('#task-message');
    check(/confirmed by e2e-approver/i.test(said), `the message says ${JSON.stringify(said)}`);
  });

  await step(5, "the customer's timeline shows the answer and its settlement", async () => {
    await page.click(`#task-done .task[data-id="${args.answer}"]`);
    await waitFor(
      page,
      'timeline entries for the answer: what they said, and settled',
      (id) => {
        const entries = [...document.querySelectorAll(`#timeline .timeline-entry[data-id="${id}"]`)];
        return entries.length === 2 && entries.some((entry) => /settled/i.test(entry.textContent) && /e2e-approver/.test(entry.textContent));
      },
      args.answer,
    );
    check(
      await page.locator('#timeline .timeline-entry[data-kind="payment"]').count() >= 1,
      'the timeline shows the payment (the thank-you queued)',
    );
  });

  await step(6, 'the reasons view draws its chart and counts the answer', async () => {
    await page.click('a.view-tab[data-view="reasons"]');
    await waitFor(page, 'the chart loaded as an image', () => {
      const chart = document.querySelector('#reasons-chart');
      return chart?.complete && chart.naturalWidth > 0 && chart.src.startsWith('data:image/svg+xml');
    });
    await waitFor(page, 'a month with one "already paid"', () =>
      [...document.querySelectorAll('#reasons-months-body tr')].some((row) => row.cells[1]?.textContent === '1'));
  });

  await step(7, 'report', async () => {
    check(pageErrors.length === 0, `the page logged errors: ${pageErrors.join(' | ')}`);
    console.log(JSON.stringify({ settled: args.answer, customer }));
  });
});
