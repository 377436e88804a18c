// The reasons report: why customers pay late, per month, as a chart (the server's SVG, shown as an image)
// and as tables. Every value reaches the DOM as text; the chart is an image, so it runs nothing.

import { $, h } from './page.js';
import { api, chartAddress, describeError } from './api.js';

const months = $('reasons-months');
const chart = $('reasons-chart');
const monthsBody = $('reasons-months-body');
const customersBody = $('reasons-customers');
const message = $('reasons-message');

const sum = (values) => Object.values(values ?? {}).reduce((total, count) => total + count, 0);

function monthRow(month) {
  const disputes = Object.entries(month.disputes ?? {})
    .filter(([, count]) => count > 0)
    .map(([category, count]) => `${category.replaceAll('_', ' ')} ${count}`)
    .join(', ');
  const cells = [
    month.already_paid, sum(month.disputes), month.promise, month.promises_kept, month.promises_broken,
    month.wrong_person, month.confirm_receipt, month.median_days_to_first_answer ?? '—',
  ];
  const row = h('tr', {}, h('th', { scope: 'row', text: month.month }));
  cells.forEach((value, index) => {
    row.append(h('td', { class: 'num', title: index === 1 && disputes ? disputes : null, text: String(value) }));
  });
  return row;
}

async function loadChart(count) {
  chart.src = await chartAddress(`/api/reports/reasons.svg?months=${encodeURIComponent(count)}`);
}

export async function loadReasons() {
  const count = months.value || '6';
  message.textContent = '';
  try {
    const [report] = await Promise.all([api(`/api/reports/reasons?months=${encodeURIComponent(count)}`), loadChart(count)]);
    monthsBody.replaceChildren(...(report.months ?? []).map(monthRow));
    const customers = report.customers ?? [];
    customersBody.replaceChildren(
      ...(customers.length
        ? customers.map((c) =>
            h('tr', {}, h('th', { scope: 'row', text: c.customer?.name ?? '' }),
              h('td', { class: 'num', text: String(c.kept) }), h('td', { class: 'num', text: String(c.broken) }),
              h('td', { class: 'num', text: String(c.open) })),
          )
        : [h('tr', {}, h('td', { colspan: '4', class: 'muted', text: 'No promises in this period.' }))]),
    );
  } catch (error) {
    message.textContent = describeError(error, 'Loading the report');
    message.dataset.kind = 'error';
  }
}

export function watchReasons() {
  months.addEventListener('change', loadReasons);
}
