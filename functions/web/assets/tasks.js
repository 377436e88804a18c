// The tasks inbox: customers' answers waiting for a decision, the policy's manual tasks, failed sends and
// messages that bounced, oldest first, each with one-key actions — j/k move, c confirm (or, for a bounce,
// write to the address typed), r reject (with the reason typed), d done — and who did what, when. Every value reaches the DOM as text.

import { $, formatInstant, h, humanise } from './page.js';
import { api, describeError, download } from './api.js';
import { showTimeline } from './timeline.js';

const t = {
  summary: $('tasks-summary'),
  list: $('task-list'),
  done: $('task-done'),
  count: $('tasks-count'),
  card: $('task-card'),
  customer: $('task-customer'),
  topic: $('task-topic'),
  text: $('task-text'),
  facts: $('task-facts'),
  doneBy: $('task-done-by'),
  reason: $('task-reason'),
  actions: $('task-actions'),
  message: $('task-message'),
};

const tasks = { open: [], done: [], current: null, busy: false };

/** What each decision is called on its button, and the key that does it. */
const LABELS = {
  confirm_payment: ['Confirm payment', 'c'],
  reject_payment: ['Reject: not received', 'r'],
  uphold_dispute: ['Uphold the dispute', 'c'],
  reject_dispute: ['Reject the dispute', 'r'],
  confirm_contact: ['Confirm the contact', 'c'],
  reject_contact: ['Keep our contacts', 'r'],
  done: ['Done', 'd'],
  went_out: ['It went out', 'c'],
  not_sent: ['It did not go out', 'r'],
  fix_contact: ['Write to the address typed', 'c'],
  write_off: ['Write off (reason typed)', 'w'],
  hand_over: ['Hand over (agency typed)', 'h'],
  agree_plan: ['Agree the plan', 'p'],
  decline_plan: ['Decline the plan (why typed)', 'x'],
  keep_chasing: ['Keep chasing until the day typed', 'u'],
};
const NEEDS_REASON = new Set(['reject_payment', 'reject_dispute', 'reject_contact', 'write_off']);
/** The ladder's last step: what is typed is a reason for the record, never read by the customer. */
const LAST_STEP = new Set(['write_off', 'hand_over', 'decline_plan']);
/** A plan's terms as typed for the last step: `3 monthly from 2027-01-05`. */
const PLAN_TERMS = /^(\d{1,3})\s+(weekly|fortnightly|monthly)\s+from\s+(\d{4}-\d{2}-\d{2})$/i;

/** The ladder's last step agreed as a plan: made with the terms typed, over the task's invoices still owed. */
async function agreePlan(task, typed) {
  const terms = PLAN_TERMS.exec(typed);
  if (!terms) {
    say('Type the plan as: 3 monthly from 2027-01-05 (weekly, fortnightly or monthly), then press Enter.', 'error');
    t.reason.dataset.decision = 'agree_plan';
    t.reason.focus();
    return null;
  }
  const plan = await api(`/api/customers/${encodeURIComponent(task.customer.id)}/plans`, {
    method: 'POST',
    body: { instalments: Number(terms[1]), every: terms[2].toLowerCase(), first: terms[3], task: task.id },
  });
  return { done: { outcome: 'plan agreed', by: plan.made_by, at: plan.made_at, note: plan.summary } };
}

function say(text, kind = 'info') {
  t.message.textContent = text;
  t.message.dataset.kind = kind;
  t.message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

function doneWords(done) {
  return done ? `${humanise(done.outcome)} by ${done.by}, ${formatInstant(done.at)}${done.note ? ` — ${done.note}` : ''}` : '';
}

function taskItem(task) {
  const facts = [humanise(task.topic), (task.invoices ?? []).join(', '), formatInstant(task.since)];
  return h(
    'li',
    { class: 'task', tabindex: '-1', dataset: { id: task.id, kind: task.kind, selected: String(task.id === tasks.current?.id) } },
    h('strong', { class: 'task-customer', text: task.customer?.name ?? '' }),
    h('span', { class: 'task-facts muted', text: facts.filter(Boolean).join(' · ') }),
    h('span', { class: 'task-said', text: task.text }),
    task.done ? h('span', { class: 'task-done-by', text: doneWords(task.done) }) : null,
  );
}

function render() {
  t.list.replaceChildren(...tasks.open.map(taskItem));
  t.done.replaceChildren(...tasks.done.map(taskItem));
  t.count.textContent = tasks.open.length ? String(tasks.open.length) : '';
  t.summary.textContent = tasks.open.length
    ? `${tasks.open.length} ${tasks.open.length === 1 ? 'task waits' : 'tasks wait'}, oldest first.`
    : 'Nothing waits for you.';
}

function showCard(task) {
  t.card.hidden = !task;
  if (!task) return;
  t.customer.textContent = task.customer?.name ?? '';
  t.topic.textContent = `${humanise(task.kind)} · ${humanise(task.topic)} · since ${formatInstant(task.since)}`;
  t.text.textContent = task.text;
  t.facts.textContent = (task.invoices ?? []).length ? `Invoices: ${task.invoices.join(', ')}` : '';
  t.doneBy.textContent = doneWords(task.done);
  t.actions.replaceChildren(
    ...(task.actions ?? []).map((action) => {
      const [label, key] = LABELS[action] ?? [humanise(action), ''];
      return h('button', { type: 'button', class: 'button', dataset: { decision: action } }, label, ' ', h('kbd', { text: key }));
    }),
  );
  t.reason.disabled = !(task.actions ?? []).length;
  // A bounced message's one field is the address to write to instead.
  const fixing = (task.actions ?? []).includes('fix_contact');
  t.reason.type = fixing ? 'email' : 'text';
  t.reason.placeholder = fixing
    ? 'The address to write to instead'
    : task.kind === 'decision'
      ? 'Why, the agency, the day to chase from, or a plan: 3 monthly from 2027-01-05'
      : 'Reason (needed to reject; the customer reads it)';
  document.querySelector('label[for="task-reason"]').textContent = fixing ? 'New address' : 'Reason';
}

function select(task) {
  tasks.current = task ?? null;
  for (const item of document.querySelectorAll('.task')) item.dataset.selected = String(item.dataset.id === task?.id);
  showCard(tasks.current);
  showTimeline(task?.customer?.id);
}

export async function loadTasks() {
  const answer = await api('/api/tasks');
  tasks.open = answer?.open ?? [];
  tasks.done = answer?.done ?? [];
  const keep = tasks.open.find((task) => task.id === tasks.current?.id);
  render();
  select(keep ?? tasks.open[0] ?? null);
  return tasks.open;
}

/** Do `decision` on the selected task, with the reason typed (asked for first when it needs one). */
export async function decide(decision) {
  const task = tasks.current;
  if (!task || tasks.busy || !(task.actions ?? []).includes(decision)) return;
  const reason = t.reason.value.trim();
  if ((NEEDS_REASON.has(decision) || decision === 'fix_contact' || decision === 'keep_chasing') && !reason) {
    say(
      decision === 'fix_contact'
        ? 'Type the address to write to instead first, then press Enter.'
        : decision === 'keep_chasing'
          ? 'Type the day to chase again from (YYYY-MM-DD) first, then press Enter.'
          : LAST_STEP.has(decision)
            ? 'Type the reason first (kept with the invoice), then press Enter.'
            : 'Type the reason first (the customer reads it), then press Enter.',
      'error',
    );
    t.reason.dataset.decision = decision;
    t.reason.focus();
    return;
  }
  tasks.busy = true;
  say('Recording…');
  try {
    if (decision === 'agree_plan' && task.kind === 'decision') {
      const agreed = await agreePlan(task, reason);
      if (!agreed) return;
      t.reason.value = '';
      delete t.reason.dataset.decision;
      tasks.current = tasks.open[tasks.open.indexOf(task) + 1] ?? null;
      await loadTasks();
      say(`${task.customer?.name ?? task.id}: plan agreed — ${agreed.done.note}.`, 'ok');
      await showTimeline(tasks.current?.customer?.id ?? task.customer?.id, { force: true });
      return;
    }
    const takesReason =
      NEEDS_REASON.has(decision) || LAST_STEP.has(decision) || ['uphold_dispute', 'went_out', 'not_sent'].includes(decision);
    const done = await api(`/api/tasks/${encodeURIComponent(task.id)}`, {
      method: 'POST',
      body: {
        decision,
        reason: takesReason && reason ? reason : null,
        email: decision === 'fix_contact' ? reason : null,
        until: decision === 'keep_chasing' ? reason : null,
      },
    });
    t.reason.value = '';
    delete t.reason.dataset.decision;
    const next = tasks.open[tasks.open.indexOf(task) + 1];
    tasks.current = next ?? null;
    await loadTasks();
    // A fixed contact cancels the message that bounced, which reads oddly as "Cancelled": say what it means.
    const said =
      decision === 'fix_contact' && done.done?.note
        ? `${done.done.note}; the message that did not arrive goes to the new address with the next send`
        : doneWords(done.done);
    say(`${task.customer?.name ?? task.id}: ${said}.`, 'ok');
    // A hand-over goes with its dossier: the zip the agency gets, saved at once.
    if (decision === 'hand_over' && task.customer?.id) {
      const customer = task.customer.id;
      await download(`/api/customers/${encodeURIComponent(customer)}/dossier`, `dossier-${customer}.zip`);
    }
    await showTimeline(tasks.current?.customer?.id ?? task.customer?.id, { force: true });
  } catch (error) {
    say(describeError(error, humanise(decision)), 'error');
  } finally {
    tasks.busy = false;
  }
}

function move(step) {
  const all = [...tasks.open, ...tasks.done];
  if (!all.length) return;
  const at = all.indexOf(tasks.current);
  const next = all[Math.min(all.length - 1, Math.max(0, at + step))];
  select(next);
  document.querySelector(`.task[data-selected="true"]`)?.scrollIntoView({ block: 'nearest' });
}

/** The decision of the selected task that `key` does (c, r, d), if any. */
function decisionFor(key) {
  return (tasks.current?.actions ?? []).find((action) => LABELS[action]?.[1] === key);
}

export function onTaskKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target === t.reason) {
    if (event.key === 'Escape') {
      event.preventDefault();
      t.reason.blur();
    } else if (event.key === 'Enter' && t.reason.dataset.decision) {
      event.preventDefault();
      decide(t.reason.dataset.decision);
    }
    return;
  }
  if (event.target instanceof HTMLElement && event.target.matches('input, textarea, select')) return;
  if (event.key === 'j' || event.key === 'ArrowDown') {
    event.preventDefault();
    move(1);
  } else if (event.key === 'k' || event.key === 'ArrowUp') {
    event.preventDefault();
    move(-1);
  } else {
    const decision = decisionFor(event.key);
    if (decision) {
      event.preventDefault();
      decide(decision);
    }
  }
}

export function watchTasks() {
  for (const list of [t.list, t.done]) {
    list.addEventListener('click', (event) => {
      const item = event.target.closest('.task');
      if (item) select([...tasks.open, ...tasks.done].find((task) => task.id === item.dataset.id));
    });
  }
  t.actions.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-decision]');
    if (button) decide(button.dataset.decision);
  });
}
