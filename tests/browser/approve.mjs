// End to end, in a real Chromium: the approval page refuses strangers, signs in with the one-time link,
// shows a draft exactly as the server renders it, keeps a typed note escaped and identical on both sides,
// refuses an approval with a wrong hash, and approves it; then resolves the failed reminder the database holds.
//
// Usage: node tests/browser/approve.mjs --base http://127.0.0.1:PORT --login <login URL> --screenshots <dir>
// Chromium: $KINDLY_CHROMIUM, else /usr/bin/chromium. Prints one line of JSON on success; on any failure it
// names the step, saves a full-page screenshot into the screenshots dir and exits 1.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WAIT_MS, check, collectErrors, launch, reportFailure, step, waitFor } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    login: { type: 'string' },
    screenshots: { type: 'string', default: 'target/browser-screenshots' },
  },
});
if (!args.login) {
  console.error('usage: node tests/browser/approve.mjs --base http://127.0.0.1:PORT --login <login URL> --screenshots <dir>');
  process.exit(2);
}
const base = (args.base ?? new URL(args.login).origin).replace(/\/+$/, '');
const screenshots = resolve(args.screenshots);
mkdirSync(screenshots, { recursive: true });

const NOTE = 'Thanks for the call on Tuesday – <b>not bold</b> & co.';

let activePage = null;

/** A same-origin JSON request made by the page itself, with its cookie and headers. */
function pageFetch(page, path, init = {}) {
  return page.evaluate(
    async ({ path, init }) => {
      const response = await fetch(path, { credentials: 'same-origin', ...init });
      const text = await response.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON: the text says what it is.
      }
      return { status: response.status, json, text: text.slice(0, 500) };
    },
    { path, init },
  );
}

const browser = await launch();

let exitCode = 0;
try {
  // GIVEN a browser that has never signed in
  await step(1, 'without signing in, the page and the API answer 401', async () => {
    const stranger = await browser.newContext();
    const page = await stranger.newPage();
    activePage = page;
    const response = await page.goto(`${base}/`);
    check(response, `no response for ${base}/`);
    check(response.status() === 401, `GET / without a session answered ${response.status()}, expected 401`);
    const api = await stranger.request.get(`${base}/api/drafts`, { failOnStatusCode: false, maxRedirects: 0 });
    check(api.status() === 401, `GET /api/drafts without a session answered ${api.status()}, expected 401`);
    await stranger.close();
    activePage = null;
  });

  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  activePage = page;
  // Uncaught exceptions and logged errors; an HTTP error status is the test's business (step 6 causes one).
  const pageErrors = collectErrors(page);

  // WHEN they open the one-time sign-in link
  const approver = await step(2, 'the login link signs in and the page shows the approver', async () => {
    const response = await page.goto(args.login);
    check(response, `no response for the login URL`);
    check(response.ok(), `the login link ended at ${page.url()} with status ${response.status()}`);
    check(new URL(page.url()).pathname === '/', `the login link ended at ${page.url()}, expected ${base}/`);
    const session = await pageFetch(page, '/api/session');
    check(session.status === 200, `GET /api/session after signing in answered ${session.status}: ${session.text}`);
    const approver = session.json?.approver;
    check(typeof approver === 'string' && approver.length > 0, `GET /api/session has no approver: ${session.text}`);
    await waitFor(page, `#signed-in-as to show "${approver}"`, (name) => document.querySelector('#signed-in-as')?.textContent === name, approver);
    return approver;
  });

  // THEN the drafts are listed and the first one is previewed as the server renders it
  const id = await step(3, 'the list shows drafts; the first one opens in the preview', async () => {
    await waitFor(page, 'at least one .draft in #drafts', () => document.querySelectorAll('#drafts .draft[data-id]').length > 0);
    const first = page.locator('#drafts .draft[data-id]').first();
    const id = await first.getAttribute('data-id');
    check(id && id.startsWith('rem_'), `the first draft's data-id is ${JSON.stringify(id)}, expected rem_…`);
    await first.click();
    await waitFor(
      page,
      `the preview of ${id} (subject, text part and HTML part)`,
      (id) =>
        document.querySelector('#drafts .draft.selected')?.dataset.id === id &&
        document.querySelector('#preview-subject')?.textContent !== '' &&
        document.querySelector('#preview-text')?.textContent !== '' &&
        (document.querySelector('#preview-frame')?.getAttribute('srcdoc') ?? '') !== '',
      id,
    );
    return id;
  });

  await step(4, 'the browser render equals the server render, and the badge says identical', async () => {
    const detail = await pageFetch(page, `/api/drafts/${encodeURIComponent(id)}`);
    check(detail.status === 200, `GET /api/drafts/${id} answered ${detail.status}: ${detail.text}`);
    const server = detail.json?.server_render;
    check(server && typeof server.text === 'string', `GET /api/drafts/${id} has no server_render {subject, text, html}`);
    const shown = await page.evaluate(() => ({
      subject: document.querySelector('#preview-subject').textContent,
      text: document.querySelector('#preview-text').textContent,
      html: document.querySelector('#preview-frame').getAttribute('srcdoc'),
    }));
    check(shown.subject === server.subject, `#preview-subject is ${JSON.stringify(shown.subject)}, the server renders ${JSON.stringify(server.subject)}`);
    check(shown.text === server.text, `#preview-text differs from the server's text part (first difference at character ${firstDifference(shown.text, server.text)})`);
    check(shown.html === server.html, `the iframe's srcdoc differs from the server's HTML part (first difference at character ${firstDifference(shown.html, server.html)})`);
    await waitFor(page, '#identical[data-identical="true"]', () => document.querySelector('#identical')?.dataset.identical === 'true');
  });

  // WHEN a personal note with markup-like text is typed
  await step(5, 'a typed note shows in both parts, escaped in the HTML, and stays identical', async () => {
    await page.locator('#note').click();
    await page.locator('#note').pressSequentially(NOTE);
    await waitFor(page, '#preview-text to contain the note', (note) => document.querySelector('#preview-text').textContent.includes(note), NOTE);
    const html = await page.evaluate(() => {
      const srcdoc = document.querySelector('#preview-frame').getAttribute('srcdoc');
      const doc = new DOMParser().parseFromString(srcdoc, 'text/html');
      return {
        text: doc.body.textContent.replace(/\s+/g, ' '),
        boldNote: [...doc.querySelectorAll('b')].some((b) => b.textContent.includes('not bold')),
        escaped: srcdoc.includes('&lt;b&gt;not bold&lt;/b&gt;'),
      };
    });
    check(html.text.includes(NOTE), `the HTML part's text does not contain the note ${JSON.stringify(NOTE)} literally`);
    check(!html.boldNote && html.escaped, 'the note\'s "<b>" reached the HTML part as markup, not as escaped text');
    const frameText = await page.frameLocator('#preview-frame').locator('body').textContent({ timeout: WAIT_MS });
    check(frameText.replace(/\s+/g, ' ').includes(NOTE), 'the document shown in the iframe does not contain the note literally');
    await waitFor(
      page,
      '#identical[data-identical="true"] after the server checked the note',
      () => document.querySelector('#identical')?.dataset.identical === 'true',
    );
    await page.screenshot({ path: join(screenshots, 'preview-with-note.png'), fullPage: true });
  });

  // WHEN an approval names content other than what would be sent
  const currentHash = await step(6, 'approving with a wrong hash is refused with the current hash, and changes nothing', async () => {
    const wrong = '0'.repeat(64);
    const refused = await pageFetch(page, `/api/drafts/${encodeURIComponent(id)}/approve`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ content_hash: wrong, personal_note: NOTE }),
    });
    check(refused.status === 409, `approving ${id} with a wrong hash answered ${refused.status}, expected 409: ${refused.text}`);
    const currentHash = refused.json?.current_hash;
    check(
      /^[0-9a-f]{64}$/.test(currentHash ?? '') && currentHash !== wrong,
      `the 409 does not name the server's current_hash: ${refused.text}`,
    );
    const detail = await pageFetch(page, `/api/drafts/${encodeURIComponent(id)}`);
    check(detail.status === 200, `GET /api/drafts/${id} after the refusal answered ${detail.status}: ${detail.text}`);
    check(
      detail.json?.draft?.status === 'pending_approval',
      `draft.status is ${JSON.stringify(detail.json?.draft?.status)} after a refused approval, expected "pending_approval"`,
    );
    check(detail.json?.context?.personal_note !== NOTE, 'the refused approval recorded the note on the draft');
    return currentHash;
  });

  // THEN approving records exactly that content
  await step(7, 'Approve succeeds and the draft is approved', async () => {
    const request = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/drafts/${id}/approve`), { timeout: WAIT_MS });
    const response = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/drafts/${id}/approve`), { timeout: WAIT_MS });
    await page.locator('#approve').click();
    const sent = await request;
    check(sent.headers()['content-type'] === 'application/json', `the approve POST's Content-Type is ${sent.headers()['content-type']}`);
    const body = sent.postDataJSON();
    check(body?.personal_note === NOTE, `the approve POST sent personal_note ${JSON.stringify(body?.personal_note)}, expected the note`);
    check(
      body?.content_hash === currentHash,
      `the approve POST sent content_hash ${JSON.stringify(body?.content_hash)}, the server's hash for the note is ${currentHash}`,
    );
    const answer = await response;
    check(answer.status() === 200, `POST …/approve answered ${answer.status()}: ${await answer.text()}`);
    await waitFor(page, '#message to report success', () => document.querySelector('#message')?.dataset.kind === 'ok');
    const detail = await pageFetch(page, `/api/drafts/${encodeURIComponent(id)}`);
    check(detail.status === 200, `GET /api/drafts/${id} after approving answered ${detail.status}: ${detail.text}`);
    check(detail.json?.draft?.status === 'approved', `draft.status is ${JSON.stringify(detail.json?.draft?.status)} after approving, expected "approved"`);
    check(
      detail.json?.context?.personal_note === NOTE,
      `the approved draft's context.personal_note is ${JSON.stringify(detail.json?.context?.personal_note)}, expected the note`,
    );
    await page.screenshot({ path: join(screenshots, 'after-approve.png'), fullPage: true });
  });

  // WHEN the accounting system changes a listed draft's invoice after the list was shown (its draft is drafted
  // again, with other content), THEN "Approve all" sends the hashes the list showed, is refused whole, and
  // approves nothing: an approval belongs to what was seen
  await step(8, 'Approve all sends the listed hashes and approves nothing when one changed', async () => {
    const listed = await pageFetch(page, '/api/drafts');
    check(listed.status === 200, `GET /api/drafts answered ${listed.status}: ${listed.text}`);
    const drafts = listed.json.drafts;
    check(drafts.length >= 2, `${drafts.length} drafts listed; the step needs two`);
    await waitFor(page, 'every listed draft in the list', (n) => document.querySelectorAll('#drafts .draft').length === n, drafts.length);
    const changed = drafts[drafts.length - 1];
    const history = await pageFetch(page, `/api/customers/${encodeURIComponent(changed.customer.id)}/history`);
    const invoice = history.json?.invoices?.find((i) => i.number === changed.invoices[0].number);
    check(invoice, `no invoice ${changed.invoices[0].number} in ${history.text}`);
    const keys = ['number', 'currency', 'total', 'paid', 'due_date', 'status'];
    const body = Object.fromEntries(keys.map((k) => [k, invoice[k]]));
    // A corrected issue date and a PO number: facts the message shows
    Object.assign(body, { customer_id: changed.customer.id, issue_date: invoice.due_date, po_number: 'PO-NEW-7' });
    const put = await pageFetch(page, `/api/invoices/${encodeURIComponent(invoice.id)}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    check(put.status === 200 && put.json?.voided?.includes(changed.id), `PUT the invoice answered ${put.status}: ${put.text}`);
    const request = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/drafts/approve-all'), { timeout: WAIT_MS });
    await page.locator('#approve-all').click();
    const sent = (await request).postDataJSON();
    const expected = drafts.map((d) => `${d.id}:${d.content_hash}`).join(',');
    const got = (sent?.items ?? []).map((i) => `${i.id}:${i.content_hash}`).join(',');
    check(got === expected, `approve-all sent ${got}, the list showed ${expected}`);
    await waitFor(page, '#message to report the refusal', () => document.querySelector('#message')?.dataset.kind === 'error');
    const message = await page.locator('#message').textContent();
    check(/nothing was approved/i.test(message), `the message says ${JSON.stringify(message)}`);
    for (const d of drafts) {
      const detail = await pageFetch(page, `/api/drafts/${encodeURIComponent(d.id)}`);
      check(detail.json?.draft?.status === 'pending_approval', `${d.id} is ${detail.json?.draft?.status} after a refused approve-all`);
    }
  });

  // GIVEN a reminder whose sending failed (the test's database holds one), WHEN staff say it did not go out,
  // THEN it is cancelled and no longer needs checking
  const resolved = await step(9, '"Needs checking" lists the failed reminder; "It did not go out" resolves it', async () => {
    const listed = await pageFetch(page, '/api/failed');
    check(listed.status === 200, `GET /api/failed answered ${listed.status}: ${listed.text}`);
    const failed = listed.json?.failed ?? [];
    check(failed.length === 1, `GET /api/failed lists ${failed.length} reminders, expected the one the test prepared: ${listed.text}`);
    const [reminder] = failed;
    const item = `#failed .failed-item[data-id="${reminder.id}"]`;
    await waitFor(page, `${item} in a shown "Needs checking" section`, (item) => !document.querySelector('#failed').hidden && document.querySelector(item) !== null, item);
    const shown = await page.evaluate((item) => ({
      customer: document.querySelector(`${item} .failed-customer`).textContent,
      reason: document.querySelector(`${item} .failed-reason`).textContent,
      markup: document.querySelector(`${item} .failed-reason`).children.length,
    }), item);
    check(shown.customer === reminder.customer.name, `the failed reminder shows customer ${JSON.stringify(shown.customer)}, expected ${JSON.stringify(reminder.customer.name)}`);
    check(shown.reason === reminder.reason && shown.markup === 0, `the failed reminder shows reason ${JSON.stringify(shown.reason)} (as text), expected ${JSON.stringify(reminder.reason)}`);
    await page.screenshot({ path: join(screenshots, 'needs-checking.png'), fullPage: true });
    const response = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/reminders/${reminder.id}/resolve`), { timeout: WAIT_MS });
    await page.locator(item).getByRole('button', { name: 'It did not go out' }).click();
    const answer = await response;
    check(answer.status() === 200, `POST …/resolve answered ${answer.status()}: ${await answer.text()}`);
    const sent = answer.request().postDataJSON();
    check(sent?.went_out === false, `the resolve POST sent ${JSON.stringify(sent)}, expected went_out false`);
    await waitFor(page, 'the "Needs checking" section to be hidden', () => document.querySelector('#failed').hidden && document.querySelectorAll('#failed .failed-item').length === 0);
    const after = await pageFetch(page, '/api/failed');
    check(after.status === 200 && after.json?.failed?.length === 0, `GET /api/failed after resolving: ${after.status} ${after.text}`);
    const history = await pageFetch(page, `/api/customers/${encodeURIComponent(reminder.customer.id)}/history`);
    const entry = history.json?.reminders?.find((r) => r.id === reminder.id);
    check(entry?.status === 'cancelled', `${reminder.id} is ${JSON.stringify(entry?.status)} after "It did not go out", expected "cancelled"`);
    return reminder.id;
  });

  await step(10, 'report', async () => {
    check(pageErrors.length === 0, `the page logged errors: ${pageErrors.join(' | ')}`);
    const timings = await page.evaluate(() => window.kindlyTimings);
    check(timings && typeof timings.firstPreviewMs === 'number', 'window.kindlyTimings.firstPreviewMs is not set');
    console.log(
      JSON.stringify({
        approved: id,
        resolved,
        approver,
        note: NOTE,
        firstPreviewMs: timings.firstPreviewMs,
        renderMs: timings.renderMs,
        updateMs: timings.updateMs,
      }),
    );
  });
} catch (error) {
  exitCode = 1;
  await reportFailure(error, activePage, screenshots, 'approve');
} finally {
  await browser.close();
}
process.exit(exitCode);

function firstDifference(a, b) {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return length;
}
