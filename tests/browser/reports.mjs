// End to end, in a real Chromium: the reports view over the README's worked example. The DSO and CEI of
// January and February 2026 (which do not depend on today), the chart drawn as an image, aging by customer
// whose row opens onto its invoices, the receipts expected, and the write-off with who, when and why.
//
// Usage: node tests/browser/reports.mjs --base http://127.0.0.1:PORT --login <login URL> --screenshots <dir>
// Chromium: $KINDLY_CHROMIUM, else /usr/bin/chromium. Prints one line of JSON on success; on any failure it
// names the step, saves a full-page screenshot into the screenshots dir and exits 1.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, runOnPage, step, waitFor } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    login: { type: 'string' },
    screenshots: { type: 'string', default: 'target/browser-screenshots' },
  },
});
if (!args.login) {
  console.error('usage: node tests/browser/reports.mjs --base URL --login <login URL> --screenshots <dir>');
  process.exit(2);
}

/** The trimmed text of each cell of the receivables row for `currency` and `month`. */
const cellsOf = (page, currency, month) =>
  page.$$eval(`#reports-receivables tr[data-currency="${currency}"][data-month="${month}"] > *`, (cells) =>
    cells.map((cell) => cell.textContent.trim()));

await runOnPage('reports', resolve(args.screenshots), async (page, pageErrors) => {
  await step(1, 'the login link signs in', async () => {
    const response = await page.goto(args.login);
    check(response?.ok(), `the login link ended at ${page.url()} with status ${response?.status()}`);
  });

  await step(2, 'the reports view shows DSO and CEI over 24 months, with its chart', async () => {
    await page.click('a.view-tab[data-view="reports"]');
    await page.selectOption('#reports-months', '24');
    await waitFor(page, 'the February 2026 USD row', () =>
      document.querySelector('#reports-receivables tr[data-currency="USD"][data-month="2026-02"]') !== null);
    // February: owed 500.00 of which 200.00 not yet due; DSO 28 + 31 × 300/400 = 51.3; CEI 100 / 400 = 25%.
    const february = await cellsOf(page, 'USD', '2026-02');
    check(
      JSON.stringify(february) ===
        JSON.stringify(['USD', '2026-02', '400.00 USD', '200.00 USD', '500.00 USD', '200.00 USD', '51.3', '25.0%']),
      `February's USD row reads ${JSON.stringify(february)}`,
    );
    const january = await cellsOf(page, 'USD', '2026-01');
    check(january[6] === '31.0' && january[7] === '100.0%', `January's USD row reads ${JSON.stringify(january)}`);
    const eur = await cellsOf(page, 'EUR', '2026-02');
    check(eur[6] === '28.0' && eur[7] === '—', `February's EUR row reads ${JSON.stringify(eur)}`);
    await waitFor(page, 'the chart loaded as an image', () => {
      const chart = document.querySelector('#reports-chart');
      return chart?.complete && chart.naturalWidth > 0 && chart.src.startsWith('data:image/svg+xml');
    });
  });

  await step(3, "aging by customer opens onto the customer's invoices", async () => {
    const toggle = '#reports-aging tr.aging-customer[data-customer="A"] .aging-toggle';
    await waitFor(page, "customer A's row", (selector) => document.querySelector(selector) !== null, toggle);
    const total = await page.$eval('#reports-aging tr.aging-customer[data-customer="A"]', (row) => row.lastElementChild.textContent);
    check(total === '500.00 USD', `customer A's total reads ${total}`);
    check(await page.locator('#reports-aging tr.aging-invoice[data-invoice="B"]').isHidden(), 'the invoices start closed');
    await page.click(toggle);
    await waitFor(page, "A's invoices B and C shown, with their balances", () => {
      const shown = (id) => {
        const row = document.querySelector(`#reports-aging tr.aging-invoice[data-invoice="${id}"]`);
        return row && !row.hidden ? row.textContent : '';
      };
      return shown('B').includes('INV-B') && shown('B').includes('300.00 USD') && shown('C').includes('200.00 USD');
    });
    check(
      (await page.getAttribute(toggle, 'aria-expanded')) === 'true',
      'the toggle says it is open',
    );
    check(await page.locator('#reports-aging tr.aging-invoice[data-invoice="E"]').isHidden(), "E's invoice stays closed");
    await page.click(toggle);
    check(await page.locator('#reports-aging tr.aging-invoice[data-invoice="B"]').isHidden(), 'a second click closes them');
  });

  const receipts = await step(4, 'the receipts expected and the write-off', async () => {
    const text = await page.textContent('#reports-receipts');
    check(text.includes('750.00 EUR') && text.includes('Customer E'), `the receipts read ${JSON.stringify(text)}`);
    const written = await page.$$eval('#reports-given-up tr[data-invoice="W"] > *', (cells) => cells.map((cell) => cell.textContent));
    check(
      JSON.stringify(written) ===
        JSON.stringify(['INV-W', 'Customer A', 'written off', '80.00 USD', 'Riley', '2025-12-20', 'customer insolvent']),
      `the write-off reads ${JSON.stringify(written)}`,
    );
    return page.textContent('#reports-receipts-total');
  });

  await step(5, 'report', async () => {
    check(pageErrors.length === 0, `the page logged errors: ${pageErrors.join(' | ')}`);
    console.log(JSON.stringify({ receipts }));
  });
});
