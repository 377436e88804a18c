// What staff do with drafts: approve, skip, snooze, approve all, and the keys for them.

import { el, showMessage, showMessageWithList, state } from './page.js';
import { api, ApiError, describeError } from './api.js';
import { browserHash, canAct, hashesOf, noteValue, showComparison, updateButtons } from './preview.js';
import { itemFor, loadDrafts } from './list.js';
import { clearPreview, select } from './draft.js';

async function act(label, path, body, done) {
  const current = state.current;
  if (!current?.detail || state.busy) return;
  state.busy = true;
  updateButtons();
  showMessage(`${label}…`, 'info');
  try {
    const answer = await api(`/api/drafts/${encodeURIComponent(current.id)}/${path}`, { method: 'POST', body });
    state.notes.delete(current.id);
    state.busy = false;
    await moveOn(current.id);
    showMessage(done(answer), 'ok');
  } catch (error) {
    state.busy = false;
    const gone = error instanceof ApiError && (error.status === 404 || (error.status === 409 && !error.body.current_hash));
    if (error instanceof ApiError && error.status === 409 && error.body.current_hash) {
      hashesOf(current.id).set(current.context.personal_note ?? '', error.body.current_hash);
      if (state.current === current) showComparison(error.body.current_hash);
    }
    showMessage(describeError(error, label), 'error');
    updateButtons();
    // Someone else dealt with it (or it was replaced): show the list as it is now.
    if (gone) await reloadKeepingMessage(current.id);
  }
}

/** Reload the list after a refusal; stay on the draft if it is still there, else move on. */
async function reloadKeepingMessage(id) {
  const text = el.message.textContent;
  const kind = el.message.dataset.kind;
  try {
    const before = state.drafts.map((d) => d.id);
    const after = await loadDrafts();
    if (!after.some((d) => d.id === id)) {
      const ids = new Set(after.map((d) => d.id));
      const next = before.slice(before.indexOf(id) + 1).find((other) => ids.has(other)) ?? after[0]?.id;
      if (next) await select(next);
      else clearPreview();
    }
  } catch {
    // The refusal shown is what matters; a failed reload leaves the list as it was.
  }
  if (el.message.textContent !== text) showMessage(text, kind);
}

export function approve() {
  if (!canAct() || el.approve.disabled) return;
  const { context, detail } = state.current;
  const name = detail.draft?.customer?.name ?? state.current.id;
  act('Approving', 'approve', { content_hash: browserHash(state.current), personal_note: context.personal_note ?? null }, (answer) =>
    `Approved the reminder to ${name}${answer?.approved_by ? ` as ${answer.approved_by}` : ''}.`,
  );
}

export function skip() {
  if (el.skip.disabled) return;
  const reason = el.skipReason.value.trim();
  const name = state.current.detail.draft?.customer?.name ?? state.current.id;
  act('Skipping', 'skip', { reason: reason === '' ? null : reason }, () => `Skipped the reminder to ${name}.`);
}

export function snooze() {
  if (el.snooze.disabled) return;
  const until = el.snoozeDate.value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(until)) {
    showMessage('Choose the date to snooze until first.', 'error');
    el.snoozeDate.focus();
    return;
  }
  const name = state.current.detail.draft?.customer?.name ?? state.current.id;
  act('Snoozing', 'snooze', { until, reason: null }, () => {
    el.snoozeDate.value = '';
    return `Snoozed the reminder to ${name} until ${until}.`;
  });
}

/** After an action: reload the list and select the draft that followed the one acted on. */
async function moveOn(doneId) {
  const before = state.drafts.map((d) => d.id);
  const onList = Boolean(document.activeElement?.closest?.('#drafts'));
  const after = await loadDrafts();
  const ids = new Set(after.map((d) => d.id));
  const next = before.slice(before.indexOf(doneId) + 1).find((id) => ids.has(id) && id !== doneId)
    ?? after.find((d) => d.id !== doneId)?.id;
  if (next) await select(next, { focus: onList });
  else clearPreview();
}

export async function approveAll() {
  if (state.busy || state.drafts.length === 0) return;
  const drafts = state.drafts.slice();
  const withNotes = drafts.filter((d) => noteValue(state.notes.get(d.id) ?? '') !== null);
  if (withNotes.length) {
    showMessage(
      `“Approve all” approves drafts as they are, without notes. Approve ${withNotes
        .map((d) => d.customer?.name ?? d.id)
        .join(', ')} on its own, or clear the note, first.`,
      'error',
    );
    return;
  }
  state.busy = true;
  updateButtons();
  try {
    // Exactly what the list showed: a draft that changed since it was listed is refused, and then nothing
    // is approved.
    const items = drafts.map((d) => ({ id: d.id, content_hash: d.content_hash }));
    showMessage(`Approving ${items.length} drafts…`, 'info');
    const answer = await api('/api/drafts/approve-all', { method: 'POST', body: { items } });
    state.busy = false;
    const approved = answer?.approved ?? items.map((i) => i.id);
    const after = await loadDrafts();
    if (after.length) await select(after[0].id);
    else clearPreview();
    showMessage(`Approved ${approved.length} ${approved.length === 1 ? 'draft' : 'drafts'}.`, 'ok');
  } catch (error) {
    state.busy = false;
    updateButtons();
    if (error instanceof ApiError && Array.isArray(error.body.stale) && error.body.stale.length) {
      const names = new Map(drafts.map((d) => [d.id, d.customer?.name ?? d.id]));
      const lines = error.body.stale.map((s) => `${names.get(s.id) ?? s.id}: ${s.reason}`);
      const text = error.message.includes('nothing was approved') ? error.message : `Nothing was approved: ${error.message}`;
      await reloadKeepingMessage(state.current?.id);
      showMessageWithList(`${text.charAt(0).toUpperCase()}${text.slice(1)}.`, lines, 'error');
    } else {
      showMessage(describeError(error, 'Approving all'), 'error');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Keyboard

function moveSelection(step) {
  if (state.drafts.length === 0) return;
  const index = state.drafts.findIndex((d) => d.id === state.current?.id);
  const target = index === -1 ? 0 : Math.min(state.drafts.length - 1, Math.max(0, index + step));
  if (state.drafts[target].id !== state.current?.id || index === -1) {
    select(state.drafts[target].id, { focus: true });
  } else {
    itemFor(state.drafts[target].id)?.focus();
  }
}

export function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || state.signedOut) return;
  const target = event.target;
  const typing = target instanceof HTMLElement && target.matches('input, textarea, select, [contenteditable]');
  if (typing) {
    if (event.key === 'Escape' && target === el.note) {
      event.preventDefault();
      (itemFor(state.current?.id) ?? el.approve).focus();
    }
    return;
  }
  switch (event.key) {
    case 'j':
    case 'ArrowDown':
      event.preventDefault();
      moveSelection(1);
      break;
    case 'k':
    case 'ArrowUp':
      event.preventDefault();
      moveSelection(-1);
      break;
    case 'a':
      event.preventDefault();
      approve();
      break;
    case 's':
      event.preventDefault();
      skip();
      break;
    case 'n':
      if (!el.note.disabled) {
        event.preventDefault();
        el.note.focus();
      }
      break;
    default:
  }
}
