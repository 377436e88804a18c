// The receivables reports: DSO and CEI per currency and month (the server's chart, shown as an image, and
// a table), aging by customer whose rows open onto the customer's invoices, the money expected over the
// next 30 days, and what was written off or handed over. Every value reaches the DOM as text.

import { $, h } from './page.js';
import { api, chartAddress, describeError } from './api.js';

const months = $('reports-months');
const chart = $('reports-chart');
const message = $('reports-message');

/** An amount in its currency, exactly as the server sent it: `500.00 USD`. */
const money = (amount, currency) => `${amount} ${currency}`;

const num = (text) => h('td', { class: 'num', text });

function receivablesRows(report) {
  const rows = [];
  for (const { currency, months: list } of report.currencies ?? []) {
    for (const m of list) {
      rows.push(h('tr', { dataset: { currency, month: m.month } },
        h('th', { scope: 'row', text: currency }), h('td', { text: m.month }),
        num(money(m.begin, currency)), num(money(m.sales, currency)), num(money(m.receivable, currency)),
        num(money(m.not_yet_due, currency)),
        h('td', { class: 'num dso', text: `${m.dso_at_least ? '≥ ' : ''}${m.dso}` }),
        h('td', { class: 'num cei', text: m.cei === null ? '—' : `${m.cei}%` })));
    }
  }
  if (!rows.length) rows.push(h('tr', {}, h('td', { colspan: '8', class: 'muted', text: 'No invoices in this period.' })));
  $('reports-receivables').replaceChildren(...rows);
  const undated = $('reports-undated');
  undated.hidden = !report.undated;
  undated.textContent = report.undated
    ? `${report.undated} invoice(s) were paid before kindly dated payments: their payments count as made all along.`
    : '';
}

/** A customer's row, with a button that shows or hides the invoice rows behind it. */
function agingRows(report) {
  const buckets = report.buckets ?? [];
  $('reports-aging-head').replaceChildren(h('tr', {},
    h('th', { scope: 'col', text: 'Customer / invoice' }), h('th', { scope: 'col', text: 'Currency' }),
    ...buckets.map((bucket) => h('th', { scope: 'col', class: 'num', text: bucket })),
    h('th', { scope: 'col', class: 'num', text: 'Total' })));
  const rows = [];
  (report.customers ?? []).forEach((row, index) => {
    const key = `aging-${index}`;
    const toggle = h('button', {
      type: 'button', class: 'aging-toggle', 'aria-expanded': 'false', 'aria-controls': key, text: row.customer?.name ?? '',
    });
    rows.push(h('tr', { class: 'aging-customer', dataset: { customer: row.customer?.id ?? '', currency: row.currency } },
      h('th', { scope: 'row' }, toggle), h('td', { text: row.currency }),
      ...row.buckets.map((amount) => num(money(amount, row.currency))), num(money(row.total, row.currency))));
    const invoices = row.invoices.map((invoice) => {
      const when = invoice.days_overdue > 0 ? `${invoice.days_overdue} days overdue` : `due ${invoice.due_date}`;
      return h('tr', { class: 'aging-invoice', dataset: { group: key, invoice: invoice.id }, hidden: true },
        h('th', { scope: 'row', text: `${invoice.number} (${when})` }), h('td', { text: invoice.status.replaceAll('_', ' ') }),
        ...buckets.map((_, bucket) => num(bucket === invoice.bucket ? money(invoice.balance, row.currency) : '')),
        h('td'));
    });
    if (invoices.length) invoices[0].id = key;
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      for (const invoice of invoices) invoice.hidden = !open;
    });
    rows.push(...invoices);
  });
  if (!rows.length) rows.push(h('tr', {}, h('td', { colspan: String(buckets.length + 3), class: 'muted', text: 'Nothing is owed.' })));
  $('reports-aging').replaceChildren(...rows);
  const given = (report.given_up_invoices ?? []).map((g) => h('tr', { dataset: { invoice: g.id } },
    h('th', { scope: 'row', text: g.number }), h('td', { text: g.customer?.name ?? '' }),
    h('td', { text: g.outcome.replaceAll('_', ' ') }), num(money(g.balance, g.currency)),
    h('td', { text: g.by ?? 'accounting system' }), h('td', { text: g.at ? g.at.slice(0, 10) : '—' }),
    h('td', { text: g.reason ?? '—' })));
  $('reports-given-up').replaceChildren(...(given.length ? given
    : [h('tr', {}, h('td', { colspan: '7', class: 'muted', text: 'Nothing was written off or handed over.' }))]));
}

function receiptsRows(report) {
  const rows = (report.expected ?? []).map((item) => {
    const from = item.source === 'instalment' ? `instalment ${item.instalment} of ${item.source_id}` : `promise ${item.source_id}`;
    return h('tr', {}, h('th', { scope: 'row', text: item.day }), h('td', { text: item.customer?.name ?? '' }),
      num(money(item.amount, item.currency)), h('td', { text: from }), h('td', { text: item.invoices.join(', ') }));
  });
  $('reports-receipts').replaceChildren(...(rows.length ? rows
    : [h('tr', {}, h('td', { colspan: '5', class: 'muted', text: `Nothing is expected from ${report.from} to ${report.to}.` }))]));
  const totals = (report.totals ?? []).map((total) => money(total.amount, total.currency));
  $('reports-receipts-total').textContent = totals.length ? `In all, to ${report.to}: ${totals.join(', ')}` : '';
}

export async function loadReports() {
  const count = encodeURIComponent(months.value || '6');
  message.textContent = '';
  try {
    const [receivables, aging, receipts, image] = await Promise.all([
      api(`/api/reports/receivables?months=${count}`),
      api('/api/reports/aging'),
      api('/api/reports/receipts'),
      chartAddress(`/api/reports/receivables.svg?months=${count}`),
    ]);
    $('reports-today').textContent = `as of ${receivables.today}`;
    chart.src = image;
    receivablesRows(receivables);
    agingRows(aging);
    receiptsRows(receipts);
  } catch (error) {
    message.textContent = describeError(error, 'Loading the reports');
    message.dataset.kind = 'error';
  }
}

export function watchReports() {
  months.addEventListener('change', loadReports);
}
