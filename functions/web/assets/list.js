// The list of drafts waiting for approval, grouped by customer, and its filters.

import { el, h, humanise, overdueWords, state, toneLabel } from './page.js';
import { api } from './api.js';

function filterValues() {
  return {
    stage: el.filters.stage.value,
    customer: el.filters.customer.value,
    currency: el.filters.currency.value,
  };
}

function remember(kind, value, label) {
  if (value) state.options[kind].set(value, label ?? value);
}

function fillFilters(answer) {
  for (const stage of answer.stages ?? []) remember('stage', stage, humanise(stage));
  for (const customer of answer.customers ?? []) remember('customer', customer.id, customer.name);
  for (const currency of answer.currencies ?? []) remember('currency', currency);
  for (const [kind, menu] of Object.entries(el.filters)) {
    const chosen = menu.value;
    const all = menu.options[0];
    const entries = [...state.options[kind]].sort((a, b) => a[1].localeCompare(b[1]));
    menu.replaceChildren(all, ...entries.map(([value, label]) => h('option', { value, text: label })));
    menu.value = chosen;
  }
}

/** The chosen filters as a query string, `''` when none is chosen. */
function filterQuery() {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filterValues())) if (value) params.set(key, value);
  return params.toString();
}

/** Put the filters in the page's address, so a reload keeps them. */
export function syncAddress() {
  const query = filterQuery();
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
}

export function filtersFromAddress() {
  const params = new URLSearchParams(location.search);
  for (const [key, menu] of Object.entries(el.filters)) {
    const value = params.get(key);
    if (value) {
      remember(key, value, key === 'stage' ? humanise(value) : value);
      menu.append(h('option', { value, text: state.options[key].get(value) }));
      menu.value = value;
    }
  }
}

export async function loadDrafts() {
  const query = filterQuery();
  const answer = await api(`/api/drafts${query ? `?${query}` : ''}`);
  fillFilters(answer);
  const groups = groupByCustomer(answer.drafts ?? []);
  state.drafts = groups.flatMap((group) => group.drafts);
  drawList(groups);
  return state.drafts;
}

/** Drafts of one customer together, customers in the order the server lists them. */
function groupByCustomer(drafts) {
  const groups = new Map();
  for (const draft of drafts) {
    const key = draft.customer?.id ?? '';
    if (!groups.has(key)) groups.set(key, { name: draft.customer?.name ?? draft.customer?.id ?? '', drafts: [] });
    groups.get(key).drafts.push(draft);
  }
  return [...groups.values()];
}

/** The list, one section per customer; `groups` holds the same drafts as `state.drafts`. */
function drawList(groups) {
  const drafts = state.drafts;
  const customers = groups.length;
  el.summary.textContent = drafts.length
    ? `${drafts.length} ${drafts.length === 1 ? 'draft' : 'drafts'} from ${customers} ${customers === 1 ? 'customer' : 'customers'}`
    : 'No drafts in this view.';
  el.approveAll.textContent = drafts.length ? `Approve all ${drafts.length} shown` : 'Approve all shown';
  el.approveAll.disabled = state.busy || drafts.length === 0;
  el.drafts.replaceChildren(
    ...groups.map((g) =>
      h(
        'section',
        { class: 'group', 'aria-label': g.name },
        h('h2', { class: 'group-name', text: g.name }),
        ...g.drafts.map(draftItem),
      ),
    ),
  );
  markSelected();
}

function draftItem(draft) {
  const invoices = h('span', { class: 'lines' });
  for (const invoice of draft.invoices ?? []) {
    invoices.append(
      h(
        'span',
        { class: 'line' },
        h(
          'span',
          { class: 'line-row' },
          h('span', { class: 'line-number', text: invoice.number }),
          h(
            'span',
            { class: 'num' },
            h('span', { class: 'line-balance', text: invoice.balance }),
            h('span', { class: 'line-total', text: ` of ${invoice.total}` }),
          ),
        ),
        h(
          'span',
          { class: 'line-row' },
          h('span', { class: 'line-due', text: `due ${invoice.due_date}` }),
          h('span', { class: 'line-overdue', dataset: { late: String(invoice.days_overdue > 0) }, text: overdueWords(invoice.days_overdue) }),
        ),
      ),
    );
  }
  return h(
    'button',
    { type: 'button', class: 'draft', dataset: { id: draft.id }, 'aria-pressed': 'false' },
    h(
      'span',
      { class: 'draft-head' },
      h('span', { class: 'draft-stage' }, h('span', { text: humanise(draft.stage_id) }), ' ', toneLabel(draft.tone)),
      h('span', { class: 'num draft-totals' }, ...(draft.totals ?? []).map((total) => h('span', { text: total }))),
    ),
    invoices,
  );
}

export function markSelected() {
  const id = state.current?.id;
  for (const item of el.drafts.querySelectorAll('.draft')) {
    const selected = item.dataset.id === id;
    item.setAttribute('aria-pressed', String(selected));
    item.classList.toggle('selected', selected);
  }
}

export function itemFor(id) {
  return [...el.drafts.querySelectorAll('.draft')].find((item) => item.dataset.id === id) ?? null;
}
