// End to end, in a real Chromium: a message that bounced is a task in the staff page's inbox; its one field
// is labelled "New address"; an address that is not one is refused with a message naming the field, and
// the task stays open (also after a reload); a valid address and the key c fix the contact, and the page
// says who did it and what changed.
//
// Usage: node tests/browser/fix-contact.mjs --login <login URL> --task <rem_…> --old <the address that bounced>
//        --new <the address to write to> --screenshots <dir>
// Chromium: $KINDLY_CHROMIUM, else /usr/bin/chromium. Prints one line of JSON on success; on any failure it
// names the step, saves a full-page screenshot into the screenshots dir and exits 1.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, runOnPage, step, waitFor } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    login: { type: 'string' },
    task: { type: 'string' },
    old: { type: 'string' },
    new: { type: 'string' },
    screenshots: { type: 'string', default: 'target/browser-screenshots' },
  },
});
if (!args.login || !args.task || !args.old || !args.new) {
  console.error(
    'usage: node tests/browser/fix-contact.mjs --login <login URL> --task <rem_…> --old ADDRESS --new ADDRESS --screenshots <dir>',
  );
  process.exit(2);
}
const NOT_AN_ADDRESS = 'payables.brightwave.example';

await runOnPage('fix-contact', resolve(args.screenshots), async (page, pageErrors) => {
  const item = `#task-list .task[data-id="${args.task}"]`;
  const field = page.getByLabel('New address', { exact: true });

  /** Open the tasks view and select the bounced message's task. */
  async function openTheTask() {
    await page.click('a.view-tab[data-view="tasks"]');
    await waitFor(page, `the task ${args.task} in #task-list`, (selector) => document.querySelector(selector) !== null, item);
    await page.click(item);
    await waitFor(
      page,
      'the task selected, offering "Write to the address typed"',
      (selector) =>
        document.querySelector(selector)?.dataset.selected === 'true' &&
        document.querySelector('#task-actions button[data-decision="fix_contact"]') !== null,
      item,
    );
  }

  // GIVEN staff signed in
  await step(1, 'the login link signs in', async () => {
    const response = await page.goto(args.login);
    check(response?.ok(), `the login link ended at ${page.url()} with status ${response?.status()}`);
  });

  // WHEN they open the tasks view THEN the bounce is a task, with what the mail server said
  const customer = await step(2, 'the inbox lists the bounced message as an undelivered task', async () => {
    await openTheTask();
    const kind = await page.getAttribute(item, 'data-kind');
    check(kind === 'undelivered', `the task is of kind ${JSON.stringify(kind)}, expected "undelivered"`);
    const text = await page.textContent('#task-text');
    check(text.includes('550 5.1.1'), `the task says ${JSON.stringify(text)}, expected the server's 550 5.1.1`);
    return page.textContent('#task-customer');
  });

  await step(3, 'its one field is an email field labelled "New address" (another task\'s is "Reason")', async () => {
    const other = '#task-list .task:not([data-kind="undelivered"])';
    check((await page.locator(other).count()) >= 1, 'no other open task to compare the field with');
    await page.click(other);
    await waitFor(page, 'the field labelled "Reason" for another task', () =>
      document.querySelector('label[for="task-reason"]')?.textContent === 'Reason');
    check((await field.count()) === 0, 'the field is labelled "New address" for a task that is not a bounce');
    await page.click(item);
    await waitFor(page, 'the field labelled "New address" again', () =>
      document.querySelector('label[for="task-reason"]')?.textContent === 'New address');
    check((await field.count()) === 1, 'no field is labelled "New address"');
    check((await field.getAttribute('id')) === 'task-reason', 'the field labelled "New address" is not the task\'s field');
    check((await field.getAttribute('type')) === 'email', `the field's type is ${await field.getAttribute('type')}, expected email`);
    check(!(await field.isDisabled()), 'the field is disabled');
  });

  // WHEN they type something that is not an address and press c
  const refused = await step(4, 'an invalid address is refused with a message naming the field', async () => {
    await field.fill(NOT_AN_ADDRESS);
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    await waitFor(page, 'an error message in #task-message', () => {
      const message = document.querySelector('#task-message');
      return message?.dataset.kind === 'error' && message.getAttribute('role') === 'alert';
    });
    const said = await page.textContent('#task-message');
    check(/email/i.test(said) && said.includes('@'), `the message says ${JSON.stringify(said)}; expected it to name the email field and the missing @`);
    check((await field.inputValue()) === NOT_AN_ADDRESS, 'the typed address was cleared; it should stay to be corrected');
    check((await page.locator(item).count()) === 1, 'the task left the open list');
    return said;
  });

  await step(5, 'after a reload the task is still open, offering the same fix', async () => {
    await page.reload();
    await openTheTask();
    check((await field.inputValue()) === '', 'the field is not empty after a reload');
  });

  // WHEN they type the new address and press c
  const done = await step(6, 'a valid address and c fix the contact; the page says who did it', async () => {
    await field.fill(args.new);
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    await waitFor(
      page,
      'the task gone from the open list and a message saying the contact was fixed by the signed-in person',
      ({ selector, to }) => {
        const message = document.querySelector('#task-message');
        return (
          document.querySelector(selector) === null &&
          message?.dataset.kind === 'ok' &&
          message.textContent.includes('by e2e-approver') &&
          message.textContent.includes(to)
        );
      },
      { selector: item, to: args.new },
    );
    const said = await page.textContent('#task-message');
    check(said.includes(args.old), `the message says ${JSON.stringify(said)}; expected the old address ${args.old} too`);
    check(said.startsWith(customer), `the message says ${JSON.stringify(said)}; expected it to name ${customer}`);
    check((await page.locator(`.task[data-id="${args.task}"]`).count()) === 0, 'the task is still listed');
    return said;
  });

  await step(7, 'report', async () => {
    // (The refused address's 400 is not among them: step 4 checked what the page said of it.)
    check(pageErrors.length === 0, `the page logged errors: ${pageErrors.join(' | ')}`);
    console.log(JSON.stringify({ fixed: args.task, customer, refused, done }));
  });
});
