// End to end, in a real Chromium: the approval page behind an authorizer signs staff in at the hosted
// sign-in (code flow with PKCE), calls the API with the ID token, approves a draft, keeps the sign-in across
// a reload, refuses a sign-in answer it did not ask for, and signs in again once the token is refused.
//
// Usage: node tests/browser/hosted-sign-in.mjs --base http://127.0.0.1:PAGE --sign-in http://127.0.0.1:IDP
//        --screenshots <dir>
// Run by functions/local/tests/browser_hosted.rs, which starts the page and the stand-ins. Prints one line of
// JSON on success; on failure it names the step, saves a screenshot and exits 1.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WAIT_MS, check, currentStep, launch, step, waitFor } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    'sign-in': { type: 'string' },
    screenshots: { type: 'string', default: 'target/browser-screenshots' },
  },
});
if (!args.base || !args['sign-in']) {
  console.error('usage: node tests/browser/hosted-sign-in.mjs --base <page origin> --sign-in <sign-in origin> --screenshots <dir>');
  process.exit(2);
}
const base = args.base.replace(/\/+$/, '');
const signInOrigin = args['sign-in'].replace(/\/+$/, '');
const screenshots = resolve(args.screenshots);
mkdirSync(screenshots, { recursive: true });
const EMAIL = 'finance.lead@example.com';

const listed = () => document.querySelectorAll('#drafts .draft[data-id]').length > 0;

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
const page = await context.newPage();
const calls = { authorize: 0, token: 0, bearerApi: 0, plainApi: 0 };
page.on('request', (request) => {
  const url = new URL(request.url());
  if (url.origin === signInOrigin && url.pathname === '/oauth2/authorize') calls.authorize += 1;
  if (url.origin === signInOrigin && url.pathname === '/oauth2/token') calls.token += 1;
  if (url.origin === base && url.pathname.startsWith('/api/')) {
    if ((request.headers().authorization ?? '').startsWith('Bearer ')) calls.bearerApi += 1;
    else calls.plainApi += 1;
  }
});
const pageErrors = [];
page.on('pageerror', (error) => pageErrors.push(error.message));

let exitCode = 0;
try {
  // GIVEN a browser that never signed in, opening the page with a filter in its address
  await step(1, 'the page sends the browser to the hosted sign-in and comes back signed in', async () => {
    const response = await page.goto(`${base}/?currency=`);
    check(response, 'no response for the page');
    await waitFor(page, 'the drafts to be listed after signing in', listed);
    check(calls.authorize === 1, `the sign-in was asked ${calls.authorize} times, expected once`);
    check(calls.token === 1, `the token endpoint was called ${calls.token} times, expected once`);
    const address = new URL(page.url());
    check(address.origin === base && address.pathname === '/', `ended at ${page.url()}`);
    check(!address.searchParams.has('code') && !address.searchParams.has('state'), `the code stayed in the address: ${page.url()}`);
    check(address.searchParams.has('currency'), `the address lost its filter: ${page.url()}`);
    await waitFor(page, `#signed-in-as to show ${EMAIL}`, (email) => document.querySelector('#signed-in-as')?.textContent === email, EMAIL);
    check(calls.plainApi === 0 && calls.bearerApi > 0, `API calls without a Bearer token: ${calls.plainApi}, with: ${calls.bearerApi}`);
    check(await page.locator('#sign-out').isVisible(), 'no Sign out button');
  });

  // WHEN they approve a draft
  const id = await step(2, 'a draft is previewed identically and approved with the token', async () => {
    const first = page.locator('#drafts .draft[data-id]').first();
    const id = await first.getAttribute('data-id');
    await first.click();
    await waitFor(page, '#identical[data-identical="true"]', () => document.querySelector('#identical')?.dataset.identical === 'true');
    const approved = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith(`/api/drafts/${id}/approve`),
      { timeout: WAIT_MS },
    );
    await page.locator('#approve').click();
    const answer = await approved;
    check(answer.status() === 200, `POST …/approve answered ${answer.status()}: ${await answer.text()}`);
    check((answer.request().headers().authorization ?? '').startsWith('Bearer '), 'the approval was sent without the token');
    return id;
  });

  await step(3, 'a reload keeps the sign-in (no second trip to the sign-in)', async () => {
    await page.reload();
    await waitFor(page, 'the drafts after the reload', listed);
    check(calls.authorize === 1, `the reload went to the sign-in again (${calls.authorize} times in all)`);
  });

  // WHEN someone sends them a link carrying a sign-in answer their tab did not ask for
  await step(4, 'a forged sign-in answer is refused without asking for a token', async () => {
    const tokenCalls = calls.token;
    await page.goto(`${base}/?code=forged-code&state=forged-state`);
    await waitFor(page, '#signed-out with the reason', () => {
      const panel = document.querySelector('#signed-out');
      return panel && !panel.hidden && document.querySelector('#signed-out-reason').textContent.includes('does not belong');
    });
    check(calls.token === tokenCalls, 'the forged code was sent to the token endpoint');
    check(await page.locator('#sign-in').isVisible(), 'no Sign in button after the refusal');
    check(!new URL(page.url()).searchParams.has('code'), `the forged code stayed in the address: ${page.url()}`);
  });

  // WHEN the authorizer stops accepting the token (expired, revoked)
  await step(5, 'a refused token shows "signed out", and Sign in goes round again', async () => {
    await page.evaluate(() => {
      const key = 'kindly.sign-in.token';
      sessionStorage.setItem(key, JSON.stringify({ idToken: 'revoked', expiresAt: Date.now() + 3_600_000 }));
    });
    await page.goto(`${base}/`);
    await waitFor(page, '#signed-out after a 401', () => {
      const panel = document.querySelector('#signed-out');
      return panel && !panel.hidden && document.querySelector('#signed-out-reason').textContent.includes('has ended');
    });
    await page.locator('#sign-in').click();
    await waitFor(page, 'the drafts after signing in again', listed);
    check(calls.authorize === 2, `expected a second trip to the sign-in, counted ${calls.authorize}`);
  });

  check(pageErrors.length === 0, `the page threw: ${pageErrors.join(' | ')}`);
  console.log(JSON.stringify({ approved: id, calls }));
} catch (error) {
  exitCode = 1;
  console.error(`FAILED at step ${currentStep()}: ${error.message}`);
  try {
    await page.screenshot({ path: join(screenshots, 'hosted-sign-in-failure.png'), fullPage: true });
  } catch {
    // The page may be gone.
  }
} finally {
  await browser.close();
}
process.exit(exitCode);
