// End to end, in a real Chromium: the ladder's last step in the tasks inbox. The decision task offers its
// outcomes; w without a reason asks for one and changes nothing; with the agency typed, "Hand over" hands
// the account over, the page saves the dossier, and the task shows who did it.
//
// Usage: node tests/browser/decision.mjs --base http://127.0.0.1:PORT --login <login URL> --task <rem_…>
//        --save <path of the dossier> --screenshots <dir>
// Chromium: $KINDLY_CHROMIUM, else /usr/bin/chromium. Prints one line of JSON on success; on any failure it
// names the step, saves a full-page screenshot into the screenshots dir and exits 1.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, runOnPage, step, waitFor } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    login: { type: 'string' },
    task: { type: 'string' },
    save: { type: 'string' },
    screenshots: { type: 'string', default: 'target/browser-screenshots' },
  },
});
if (!args.login || !args.task || !args.save) {
  console.error('usage: node tests/browser/decision.mjs --base URL --login <login URL> --task <rem_…> --save <path> --screenshots <dir>');
  process.exit(2);
}
const item = `#task-list .task[data-id="${args.task}"]`;

await runOnPage('decision', resolve(args.screenshots), async (page, pageErrors) => {
  await step(1, 'the login link signs in', async () => {
    const response = await page.goto(args.login);
    check(response?.ok(), `the login link ended at ${page.url()} with status ${response?.status()}`);
  });

  await step(2, 'the inbox lists the decision with its four outcomes', async () => {
    await page.click('a.view-tab[data-view="tasks"]');
    await waitFor(page, `the decision ${args.task} in #task-list`, (selector) => document.querySelector(selector) !== null, item);
    await page.click(item);
    await waitFor(
      page,
      'the task selected, with its four outcomes',
      (selector) =>
        document.querySelector(selector)?.dataset.selected === 'true' &&
        ['write_off', 'hand_over', 'agree_plan', 'keep_chasing'].every(
          (decision) => document.querySelector(`#task-actions button[data-decision="${decision}"]`) !== null,
        ),
      item,
    );
  });

  await step(3, 'w without a reason asks for one and changes nothing', async () => {
    await page.keyboard.press('w');
    await waitFor(page, 'the reason field focused and a message asking for it', () =>
      document.activeElement?.id === 'task-reason' && /reason/i.test(document.querySelector('#task-message')?.textContent ?? ''));
    await page.keyboard.press('Escape');
    check((await page.locator(item).count()) === 1, 'the task is still open');
  });

  const saved = await step(4, 'hand over with the agency typed: the dossier is saved, the task done', async () => {
    await page.fill('#task-reason', 'Acme Collections');
    const downloading = page.waitForEvent('download');
    await page.click('#task-actions button[data-decision="hand_over"]');
    const download = await downloading;
    check(/^dossier-.+\.zip$/.test(download.suggestedFilename()), `the file is ${download.suggestedFilename()}`);
    await download.saveAs(resolve(args.save));
    await waitFor(page, 'the decision left the open list', (selector) => document.querySelector(selector) === null, item);
    const said = await page.textContent('#task-message');
    check(/handed over: Acme Collections/.test(said), `the message says ${JSON.stringify(said)}`);
    return download.suggestedFilename();
  });

  await step(5, 'report', async () => {
    check(pageErrors.length === 0, `the page logged errors: ${pageErrors.join(' | ')}`);
    console.log(JSON.stringify({ handed_over: args.task, dossier: saved }));
  });
});
