// Measures the approval page in a real Chromium: time to the first preview over five loads, and per note
// keystroke the WASM render alone and render plus DOM update (the page records both in window.kindlyTimings),
// then the same note renders back to back in the page (loopMs), as a native benchmark would time them.
//
// Usage: node tests/browser/page-timing.mjs --login <login URL> --text <note to type> [--keystrokes 40] [--loads 5]
// The note comes from functions/local/benches/page.rs, which renders the same note natively; past its end,
// typing starts again at its beginning.
// Chromium: $KINDLY_CHROMIUM, else /usr/bin/chromium. Prints one line of JSON. Changes nothing on the server:
// typing a note only renders and checks.

import { parseArgs } from 'node:util';
import { WAIT_MS, launch } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    login: { type: 'string' },
    text: { type: 'string' },
    keystrokes: { type: 'string', default: '40' },
    loads: { type: 'string', default: '5' },
  },
});
const keystrokes = Number.parseInt(args.keystrokes, 10);
const loads = Number.parseInt(args.loads, 10);
const TEXT = args.text ?? '';
if (!args.login || !(keystrokes >= 0) || !(loads >= 1) || (keystrokes > 0 && TEXT === '')) {
  console.error('usage: node tests/browser/page-timing.mjs --login <login URL> --text <note to type> [--keystrokes 40] [--loads 5]');
  process.exit(2);
}

const browser = await launch();

let exitCode = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const signedIn = await page.goto(args.login);
  if (!signedIn?.ok() || new URL(page.url()).pathname !== '/') {
    throw new Error(`the login link ended at ${page.url()} with status ${signedIn?.status()}`);
  }

  const firstPreviewMs = [];
  for (let i = 0; i < loads; i++) {
    if (i > 0) await page.reload();
    await page
      .waitForFunction(() => typeof window.kindlyTimings?.firstPreviewMs === 'number', null, { timeout: WAIT_MS, polling: 20 })
      .catch((error) => {
        throw new Error(`load ${i + 1}: no first preview within ${WAIT_MS} ms; is a draft waiting for approval? (${error.message.split('\n')[0]})`);
      });
    firstPreviewMs.push(await page.evaluate(() => window.kindlyTimings.firstPreviewMs));
  }

  const note = page.locator('#note');
  await note.click();
  for (let i = 0; i < keystrokes; i++) {
    await page.keyboard.type(TEXT[i % TEXT.length]);
  }
  const { renderMs, updateMs } = await page.evaluate(() => window.kindlyTimings);
  if (renderMs.length !== keystrokes) {
    throw new Error(`typed ${keystrokes} characters but the page recorded ${renderMs.length} renders`);
  }
  // The same renders back to back in the page (caches and compiled code hot), as a native benchmark runs.
  const loopMs = await page.evaluate(async (typed) => {
    const { Preview } = await import('/assets/kindly_render.js');
    const list = await (await fetch('/api/drafts')).json();
    const detail = await (await fetch(`/api/drafts/${encodeURIComponent(list.drafts[0].id)}`)).json();
    const preview = new Preview(JSON.stringify(detail.context));
    const times = [];
    for (let round = 0; round < 25; round++) {
      for (let i = 1; i <= typed.length; i++) {
        preview.setPersonalNote(typed.slice(0, i));
        const started = performance.now();
        preview.render();
        if (round > 4) times.push(performance.now() - started);
      }
    }
    preview.free();
    return times;
  }, [...Array(keystrokes)].map((_, i) => TEXT[i % TEXT.length]).join(''));
  console.log(JSON.stringify({ firstPreviewMs, renderMs, updateMs, loopMs }));
} catch (error) {
  exitCode = 1;
  console.error(`page-timing failed: ${error.message}`);
} finally {
  await browser.close();
}
process.exit(exitCode);

