// Failed reminders: each holds its customer until staff say whether it went out after all.

import { el, formatInstant, h, humanise, showMessage, state } from './page.js';
import { api, describeError } from './api.js';

export async function loadFailed() {
  const answer = await api('/api/failed');
  const failed = answer?.failed ?? [];
  el.failedList.replaceChildren(...failed.map(failedItem));
  el.failed.hidden = failed.length === 0;
  return failed;
}

function failedItem(reminder) {
  const name = reminder.customer?.name ?? reminder.customer?.id ?? '';
  const when = formatInstant(reminder.failed_at);
  const facts = [humanise(reminder.stage_id), (reminder.invoices ?? []).join(', '), when && `failed ${when}`];
  return h(
    'li',
    { class: 'failed-item', dataset: { id: reminder.id, name } },
    h('strong', { class: 'failed-customer', text: name }),
    h('span', { class: 'failed-facts', text: facts.filter(Boolean).join(' · ') }),
    h('span', { class: 'failed-reason', text: reminder.reason ?? 'No reason was recorded.' }),
    h(
      'span',
      { class: 'failed-actions' },
      h('button', { type: 'button', class: 'button', dataset: { wentOut: 'true' }, text: 'It went out' }),
      h('button', { type: 'button', class: 'button', dataset: { wentOut: 'false' }, text: 'It did not go out' }),
    ),
  );
}

export async function resolveFailed(item, wentOut) {
  const { id, name } = item.dataset;
  for (const button of item.querySelectorAll('button')) button.disabled = true;
  showMessage('Recording…', 'info');
  try {
    await api(`/api/reminders/${encodeURIComponent(id)}/resolve`, { method: 'POST', body: { went_out: wentOut, note: null } });
    showMessage(
      wentOut
        ? `Recorded the reminder to ${name} as sent; their reminders go on from there.`
        : `Recorded that the reminder to ${name} did not go out; the next pass plans it again.`,
      'ok',
    );
  } catch (error) {
    showMessage(describeError(error, 'Resolving'), 'error');
  }
  // Resolved here or elsewhere: show the failures as they are now.
  await loadFailed().catch((error) => {
    if (!state.signedOut) showMessage(describeError(error, 'Loading failed reminders'), 'error');
  });
}
