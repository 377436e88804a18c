// A customer's timeline: messages, answers, tasks, payments and notes, newest first, so whoever phones
// the customer knows where things stand. Every value reaches the DOM as text.

import { $, formatInstant, h, humanise } from './page.js';
import { api, describeError } from './api.js';

const list = $('timeline');
const title = $('timeline-title');
const planForm = $('plan-form');
const planMessage = $('plan-message');
let shownFor = null;

function entryItem(entry) {
  const facts = [
    formatInstant(entry.at),
    entry.by && `by ${entry.by}`,
    (entry.invoices ?? []).join(', '),
  ].filter(Boolean);
  return h(
    'li',
    { class: 'timeline-entry', dataset: { kind: entry.kind, id: entry.id } },
    h('span', { class: 'timeline-kind', text: humanise(entry.kind) }),
    h('strong', { class: 'timeline-title-text', text: humanise(entry.title) }),
    entry.state ? h('span', { class: 'status', dataset: { status: entry.state }, text: humanise(entry.state) }) : null,
    h('span', { class: 'timeline-text', text: entry.text }),
    h('span', { class: 'timeline-facts muted', text: facts.join(' · ') }),
  );
}

/** Show `customerId`'s timeline (again, when `force`: after a change). */
export async function showTimeline(customerId, { force = false } = {}) {
  if (!customerId) {
    shownFor = null;
    title.textContent = 'Timeline';
    list.replaceChildren();
    planForm.hidden = true;
    return;
  }
  if (shownFor === customerId && !force) return;
  if (shownFor !== customerId) planMessage.textContent = '';
  shownFor = customerId;
  planForm.hidden = false;
  try {
    const answer = await api(`/api/customers/${encodeURIComponent(customerId)}/timeline`);
    if (shownFor !== customerId) return;
    title.textContent = `Timeline of ${answer.customer?.name ?? customerId}`;
    const entries = answer.entries ?? [];
    list.replaceChildren(
      ...(entries.length ? entries.map(entryItem) : [h('li', { class: 'muted', text: 'Nothing has happened yet.' })]),
    );
  } catch (error) {
    title.textContent = 'Timeline';
    list.replaceChildren(h('li', { class: 'message', dataset: { kind: 'error' }, text: describeError(error, 'Loading the timeline') }));
  }
}

/** Agree a payment plan over everything the shown customer owes, with the terms in the form. */
async function agreePlan(event) {
  event.preventDefault();
  const customer = shownFor;
  if (!customer) return;
  const body = {
    instalments: Number($('plan-count').value),
    every: $('plan-every').value,
    first: $('plan-first').value,
  };
  planMessage.dataset.kind = 'info';
  planMessage.textContent = 'Recording…';
  try {
    const plan = await api(`/api/customers/${encodeURIComponent(customer)}/plans`, { method: 'POST', body });
    planMessage.dataset.kind = 'ok';
    planMessage.textContent = `Plan agreed: ${plan.summary} over ${plan.invoices.join(', ')}.`;
    await showTimeline(customer, { force: true });
  } catch (error) {
    planMessage.dataset.kind = 'error';
    planMessage.textContent = describeError(error, 'Agreeing the plan');
  }
}

planForm.addEventListener('submit', agreePlan);
