// The selected draft: loading it, drawing its facts and history, and clearing the pane when none is left.

import { $, el, formatInstant, h, humanise, overdueWords, showMessage, state, toneLabel } from './page.js';
import { api, describeError } from './api.js';
import {
  compareWithServer,
  drawEnvelope,
  drawPreview,
  hashesOf,
  noteValue,
  renderCurrent,
  setBadge,
  updateButtons,
  warmUpRenderer,
  wasmReady,
} from './preview.js';
import { itemFor, markSelected } from './list.js';

export function clearPreview() {
  state.current = null;
  el.workspace.dataset.empty = String(state.drafts.length === 0);
  for (const node of [el.subject, el.from, el.to, el.cc, el.text, el.factsCustomer, el.factsStage, el.factsTotals]) {
    node.textContent = '';
  }
  el.frame.srcdoc = '';
  el.factsInvoices.replaceChildren();
  el.earlier.replaceChildren();
  el.history.replaceChildren();
  el.note.value = '';
  el.note.disabled = true;
  setBadge('idle', 'No draft selected.');
  updateButtons();
}

export async function select(id, { focus = false } = {}) {
  const seq = ++state.selectSeq;
  clearTimeout(state.checkTimer);
  state.checkSeq++;
  if (focus) {
    const item = itemFor(id);
    item?.focus();
    item?.scrollIntoView({ block: 'nearest' });
  }
  const previous = state.current;
  state.current = { id, loading: true };
  markSelected();
  updateButtons();
  if (!previous || previous.id !== id) setBadge('checking', 'Loading the draft…');

  let detail;
  try {
    [detail] = await Promise.all([api(`/api/drafts/${encodeURIComponent(id)}`), wasmReady]);
  } catch (error) {
    if (seq !== state.selectSeq) return;
    state.current = { id, failed: true };
    setBadge('error', 'The draft could not be loaded.');
    showMessage(describeError(error, 'Loading the draft'), 'error');
    updateButtons();
    return;
  }
  if (seq !== state.selectSeq) return;

  // A fresh draft has no note; one typed earlier in this visit is kept until the draft is dealt with.
  const note = state.notes.get(id) ?? detail.context?.personal_note ?? '';
  el.workspace.dataset.empty = 'false';
  const current = {
    id,
    detail,
    context: { ...detail.context, personal_note: noteValue(note) },
    preview: null,
    rendered: null,
    renderError: null,
  };
  state.previous?.preview?.free();
  state.current = current;
  state.previous = current;
  if (detail.content_hash) hashesOf(id).set(noteValue(detail.context?.personal_note ?? '') ?? '', detail.content_hash);

  drawFacts(detail);
  drawEnvelope(current.context);
  el.note.disabled = false;
  el.note.value = note;
  el.skipReason.value = '';
  renderCurrent();
  drawPreview();
  if (window.kindlyTimings.firstPreviewMs === null && current.rendered) {
    window.kindlyTimings.firstPreviewMs = performance.now();
    warmUpRenderer(JSON.stringify(detail.context));
  }
  compareWithServer();
  updateButtons();
}

function drawFacts(detail) {
  const draft = detail.draft ?? {};
  el.factsCustomer.textContent = draft.customer?.name ?? '';
  $('facts-timeline').href = `#timeline=${encodeURIComponent(draft.customer?.id ?? '')}`;
  el.factsStage.replaceChildren(
    h('span', { class: 'facts-stage-name', text: humanise(draft.stage_id) }),
    ' ',
    toneLabel(draft.tone),
    draft.planned_for ? h('span', { class: 'muted', text: ` planned for ${draft.planned_for}` }) : null,
  );
  el.factsInvoices.replaceChildren(
    ...(draft.invoices ?? []).map((invoice) =>
      h(
        'li',
        { class: 'invoice' },
        h('span', { class: 'invoice-number', text: invoice.number }),
        h('span', { class: 'num invoice-balance', text: invoice.balance }),
        h('span', { class: 'muted', text: `Total ${invoice.total} · due ${invoice.due_date}` }),
        h('span', { class: 'num invoice-overdue', dataset: { late: String(invoice.days_overdue > 0) }, text: overdueWords(invoice.days_overdue) }),
      ),
    ),
  );
  el.factsTotals.replaceChildren(...(draft.totals ?? []).map((total) => h('span', { text: total })));
  // A thank-you is about invoices already paid: what remains is nothing owed, not a balance to chase.
  el.factsTotalsLabel.textContent = draft.stage_id === 'thank_you' ? 'Balance after payment' : 'Balance due';

  const earlier = detail.earlier ?? [];
  el.earlier.replaceChildren(
    ...(earlier.length
      ? earlier.map((r) =>
          h(
            'tr',
            {},
            h(
              'td',
              {},
              h('span', { text: humanise(r.stage_id) }),
              r.note ? h('span', { class: 'earlier-note', text: r.note }) : null,
            ),
            h('td', {}, h('span', { class: 'status', dataset: { status: r.status ?? '' }, text: humanise(r.status) })),
            h('td', { class: 'date', text: r.planned_for ?? '' }),
            h('td', { class: 'date', text: r.sent_on ?? '—' }),
          ),
        )
      : [h('tr', {}, h('td', { colspan: '4', class: 'muted', text: 'None: this is the first reminder.' }))]),
  );

  const history = detail.history ?? [];
  el.history.replaceChildren(
    ...(history.length
      ? history.map((entry) =>
          h(
            'li',
            {},
            h('time', { datetime: entry.at, text: formatInstant(entry.at) }),
            h('span', { class: 'history-move', text: `${humanise(entry.from ?? '')} → ${humanise(entry.to ?? '')}` }),
            h('span', { class: 'muted', text: entry.by ? ` by ${entry.by}` : '' }),
            entry.note ? h('span', { class: 'history-note', text: entry.note }) : null,
          ),
        )
      : [h('li', { class: 'muted', text: 'No history yet.' })]),
  );
}
