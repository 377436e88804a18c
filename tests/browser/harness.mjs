// What the browser scripts share: the system's Chromium, and numbered steps whose failures say what was
// expected, what was found and, for a wait, where the page was.

import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** How long any one wait may take before the step fails. */
export const WAIT_MS = 15_000;

/** A failed expectation: its message is the whole story, no stack needed. */
export class StepFailure extends Error {}

/** Headless Chromium from $KINDLY_CHROMIUM, else /usr/bin/chromium. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.KINDLY_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
    headless: true,
  });
}

/** Fails the current step with a message that says what was expected and what was found. */
export function check(condition, message) {
  if (!condition) throw new StepFailure(message);
}

let current = 'start';

/** Runs one numbered step, announcing it on stderr so a failure can name it. */
export async function step(number, title, body) {
  current = `${number}. ${title}`;
  console.error(`step ${current}`);
  return body();
}

/** The step running now (or the last one started), as `N. title`. */
export function currentStep() {
  return current;
}

/** `page.waitForFunction` whose timeout says what it waited for and where the page was. */
export async function waitFor(page, what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: WAIT_MS, polling: 50 });
  } catch (error) {
    if (error.name === 'TimeoutError') throw new StepFailure(`timed out after ${WAIT_MS} ms waiting for ${what} (at ${page.url()})`);
    throw error;
  }
}

/**
 * Reports a failed run on stderr — the step, and the message (a stack only for an unexpected error) — and
 * saves a full-page screenshot of `page`, if there is one, as `<dir>/<name>-<step>.png`.
 */
export async function reportFailure(error, page, dir, name) {
  const why = error instanceof StepFailure ? error.message : error?.stack ?? String(error);
  console.error(`FAILED at step ${current}: ${why}`);
  if (!page) return;
  const path = join(dir, `${name}-${current.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '')}.png`);
  await page.screenshot({ path, fullPage: true }).then(
    () => console.error(`screenshot: ${path}`),
    (e) => console.error(`no screenshot: ${e.message}`),
  );
}
