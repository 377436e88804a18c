// What the browser scripts share: the system's Chromium, and numbered steps whose failures say what was
// expected, what was found and, for a wait, where the page was.

import { mkdirSync } from 'node:fs';
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

/**
 * The page's script errors and console errors, collected as they happen (a failed load is left out: the
 * scripts cause expected refusals, and check what the page says of them).
 */
export function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  return errors;
}

/**
 * Runs `body(page, pageErrors)` on a fresh laptop-sized page in headless Chromium, then exits the process:
 * 0 when the body finished, 1 after [`reportFailure`] saved `<screenshots>/<name>-<step>.png`.
 */
export async function runOnPage(name, screenshots, body) {
  mkdirSync(screenshots, { recursive: true });
  const browser = await launch();
  let page = null;
  let exitCode = 0;
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    page = await context.newPage();
    await body(page, collectErrors(page));
  } catch (error) {
    exitCode = 1;
    await reportFailure(error, page, screenshots, name);
  } finally {
    await browser.close();
  }
  process.exit(exitCode);
}
