// The approval page. Every preview is rendered here by the WASM build of kindly-render, the same code the
// senders run, so what staff read is the message's exact bytes and Approve names the hash of those bytes.
// The server re-renders natively and accepts the approval only if its hash is equal.
//
// Data from the server (customer names, invoice numbers, notes, the email itself) reaches the DOM only
// through textContent, DOM properties and the sandboxed iframe's srcdoc: never as markup of this page.

import init, { render, Preview } from './kindly_render.js';
import { forgetToken, hostedToken, signInConfig, signOut, startSignIn } from './sign-in.js';

/** Read by tests/browser: when the first preview appeared, and what each note keystroke cost. */
window.kindlyTimings = { firstPreviewMs: null, renderMs: [], updateMs: [] };

const CHECK_DELAY_MS = 150;

const $ = (id) => document.getElementById(id);
const el = {
  workspace: $('workspace'),
  signedOut: $('signed-out'),
  signedOutReason: $('signed-out-reason'),
  signIn: $('sign-in'),
  signOut: $('sign-out'),
  signedInAs: $('signed-in-as'),
  filters: { stage: $('filter-stage'), customer: $('filter-customer'), currency: $('filter-currency') },
  approveAll: $('approve-all'),
  failed: $('failed'),
  failedList: $('failed-list'),
  summary: $('list-summary'),
  drafts: $('drafts'),
  subject: $('preview-subject'),
  from: $('preview-from'),
  to: $('preview-to'),
  cc: $('preview-cc'),
  frame: $('preview-frame'),
  text: $('preview-text'),
  factsCustomer: $('facts-customer'),
  factsStage: $('facts-stage'),
  factsInvoices: $('facts-invoices'),
  factsTotals: $('facts-totals'),
  factsTotalsLabel: $('facts-totals-label'),
  note: $('note'),
  identical: $('identical'),
  approve: $('approve'),
  skip: $('skip'),
  skipReason: $('skip-reason'),
  snoozeDate: $('snooze-date'),
  snooze: $('snooze'),
  message: $('message'),
  earlier: $('earlier'),
  history: $('history'),
};

const state = {
  /** The drafts shown, in display order (grouped by customer). */
  drafts: [],
  /** Filter options seen during this visit, so narrowing one filter never hides the others' choices. */
  options: { stage: new Map(), customer: new Map(), currency: new Map() },
  /** The selected draft: its detail from the server, the context being rendered and the browser's render. */
  current: null,
  /** Notes typed per draft id, kept while moving between drafts. */
  notes: new Map(),
  /** Server hashes per draft id and note (`''` for no note), from the detail and from checks. */
  serverHashes: new Map(),
  checkTimer: 0,
  checkSeq: 0,
  selectSeq: 0,
  busy: false,
  /** The draft shown last, whose wasm preview is freed when another is shown. */
  previous: null,
  signedOut: false,
};

// The module's address is given explicitly: the bindings the server embeds are generated without a default one.
const wasmReady = init({ module_or_path: new URL('./kindly_render_bg.wasm', import.meta.url) }).then(
  () => true,
  (error) => {
    showMessage(`The preview renderer could not be loaded (${error.message}). Nothing can be approved from this page.`, 'error');
    return false;
  },
);

/** How this page proves who is using it: the `kindly serve` cookie, or a Bearer token from the hosted sign-in. */
const auth = { config: { mode: 'local' }, token: null };

// ---------------------------------------------------------------------------------------------------------
// Talking to the server

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error || `The server answered ${status}.`);
    this.status = status;
    this.body = body || {};
  }
}

async function api(path, { method = 'GET', body, signal } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' }, signal };
  if (auth.token) init.headers.Authorization = `Bearer ${auth.token}`;
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { error: 'The server could not be reached. Check the connection and try again.' });
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { error: text.slice(0, 200) };
    }
  }
  if (response.status === 401) {
    forgetToken();
    showSignedOut(auth.config.mode === 'hosted' ? 'Your sign-in has ended. Sign in again to go on.' : null);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** A server error as one sentence for staff: what is wrong, and the field when one is to blame. */
function describeError(error, action) {
  if (error instanceof ApiError) {
    const named = error.body.field && !error.message.includes(error.body.field);
    const field = named ? ` (field: ${error.body.field})` : '';
    const prefix = action ? `${action} failed: ` : '';
    if (error.status === 404) return `${prefix}this draft no longer exists (${error.message}).`;
    return `${prefix}${error.message}${field}`;
  }
  return `${action ? `${action} failed: ` : ''}${error.message}`;
}

/** Hide the workspace; `reason` replaces the local sign-in advice, and the hosted sign-in offers a button. */
function showSignedOut(reason = null) {
  if (state.signedOut) return;
  state.signedOut = true;
  if (reason) el.signedOutReason.textContent = reason;
  el.signIn.hidden = auth.config.mode !== 'hosted';
  el.signedOut.hidden = false;
  el.workspace.hidden = true;
  el.approveAll.disabled = true;
  document.body.dataset.signedOut = 'true';
}

// ---------------------------------------------------------------------------------------------------------
// Small formatting helpers (all return strings; the DOM gets them as text)

const humanise = (id) => {
  const words = String(id ?? '').replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const mailbox = (m) => (m.name ? `${m.name} <${m.email}>` : m.email);
const mailboxes = (list) => (list && list.length ? list.map(mailbox).join(', ') : '—');

function overdueWords(days) {
  if (days > 0) return `${days} ${days === 1 ? 'day' : 'days'} overdue`;
  if (days === 0) return 'due today';
  const ahead = -days;
  return `due in ${ahead} ${ahead === 1 ? 'day' : 'days'}`;
}

function formatInstant(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** `document.createElement` with class, text and attributes; children appended in order. */
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const toneLabel = (tone) => h('span', { class: 'tone', dataset: { tone: tone || '' }, text: tone || 'no tone' });

function showMessage(text, kind = 'info') {
  el.message.textContent = text;
  el.message.dataset.kind = kind;
  el.message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

function showMessageWithList(text, items, kind) {
  showMessage(text, kind);
  const list = h('ul', { class: 'message-list' });
  for (const item of items) list.append(h('li', { text: item }));
  el.message.append(list);
}

// ---------------------------------------------------------------------------------------------------------
// The list

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
function syncAddress() {
  const query = filterQuery();
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
}

function filtersFromAddress() {
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

async function loadDrafts() {
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

function markSelected() {
  const id = state.current?.id;
  for (const item of el.drafts.querySelectorAll('.draft')) {
    const selected = item.dataset.id === id;
    item.setAttribute('aria-pressed', String(selected));
    item.classList.toggle('selected', selected);
  }
}

function itemFor(id) {
  return [...el.drafts.querySelectorAll('.draft')].find((item) => item.dataset.id === id) ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// The selected draft

function clearPreview() {
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

async function select(id, { focus = false } = {}) {
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

/** What the server stores for a note: the text as typed, or null when there is nothing but white space. */
const noteValue = (note) => (note.trim() === '' ? null : note);

function hashesOf(id) {
  if (!state.serverHashes.has(id)) state.serverHashes.set(id, new Map());
  return state.serverHashes.get(id);
}

/**
 * Render the current draft with its note. The draft's context is parsed into a wasm `Preview` once; each
 * render after that re-renders from it, and the content hash is computed only when it is compared or sent.
 */
function renderCurrent() {
  const current = state.current;
  try {
    current.preview ??= new Preview(JSON.stringify(current.detail.context));
    current.preview.setPersonalNote(current.context.personal_note);
    current.rendered = current.preview.render();
    current.renderError = null;
  } catch (error) {
    current.rendered = null;
    current.renderError = error;
  }
}

/** The browser's content hash of the current render (what approving sends). */
const browserHash = (current) => (current?.rendered ? current.preview.contentHash() : null);

/**
 * After the first preview, render it again a few hundred times while the browser is idle: the engine
 * compiles hot wasm code with its optimising tier only after it has run a while, and a note's keystrokes
 * should not be what pays for that.
 */
function warmUpRenderer(contextJson) {
  const preview = new Preview(contextJson);
  let left = 300;
  const step = (deadline) => {
    while (left > 0 && deadline.timeRemaining() > 2) {
      preview.setPersonalNote(left % 2 ? 'Warm-up' : null);
      preview.render();
      left -= 1;
    }
    if (left > 0) requestIdleCallback(step);
    else preview.free();
  };
  requestIdleCallback(step);
}

/** From, To and Cc: set when a draft is shown, since a note never changes them. */
function drawEnvelope(context) {
  el.from.textContent = context.from ? mailbox(context.from) : '—';
  el.to.textContent = mailboxes(context.to);
  el.cc.textContent = mailboxes(context.cc);
}

function drawPreview() {
  const { rendered, renderError } = state.current;
  if (rendered) {
    el.subject.textContent = rendered.subject;
    el.text.textContent = rendered.text;
    el.frame.srcdoc = rendered.html;
  } else {
    el.subject.textContent = '';
    el.text.textContent = `This draft cannot be rendered: ${renderError?.message ?? 'unknown error'}`;
    el.frame.srcdoc = '';
    setBadge('error', 'The browser could not render this draft, so it cannot be approved here.');
  }
}

function drawFacts(detail) {
  const draft = detail.draft ?? {};
  el.factsCustomer.textContent = draft.customer?.name ?? '';
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

// ---------------------------------------------------------------------------------------------------------
// The personal note and the identical badge

function onNoteInput() {
  const current = state.current;
  if (!current?.detail) return;
  const started = performance.now();
  const note = el.note.value;
  state.notes.set(current.id, note);
  current.context.personal_note = noteValue(note);

  const renderStart = performance.now();
  renderCurrent();
  const renderEnd = performance.now();
  drawPreview();
  compareWithServer();
  updateButtons();
  window.kindlyTimings.renderMs.push(renderEnd - renderStart);
  window.kindlyTimings.updateMs.push(performance.now() - started);
}

/**
 * Compare the browser's hash with the server's hash for the same note: at once when the server's hash for
 * that note is known already, else after a short pause in typing (one check per pause, stale answers dropped).
 * The caller updates the buttons after it; a later answer updates them itself.
 */
function compareWithServer() {
  clearTimeout(state.checkTimer);
  const seq = ++state.checkSeq;
  const current = state.current;
  if (!current?.rendered) return;
  const note = current.context.personal_note ?? '';
  const known = hashesOf(current.id).get(note);
  if (known !== undefined) {
    showComparison(known);
    return;
  }
  setBadge('checking', 'Checking with the server…');
  state.checkTimer = setTimeout(async () => {
    try {
      const answer = await api(`/api/drafts/${encodeURIComponent(current.id)}/check`, {
        method: 'POST',
        body: { personal_note: current.context.personal_note },
      });
      hashesOf(current.id).set(note, answer.content_hash);
      if (seq === state.checkSeq && state.current === current) {
        showComparison(answer.content_hash);
        updateButtons();
      }
    } catch (error) {
      if (seq === state.checkSeq && state.current === current) {
        setBadge('error', `Could not check with the server: ${describeError(error)}`);
        updateButtons();
      }
    }
  }, CHECK_DELAY_MS);
}

/** Set the badge from the server's hash; the caller updates the buttons, which follow the badge. */
function showComparison(serverHash) {
  if (serverHash === browserHash(state.current)) {
    setBadge('identical', 'Identical to what will be sent');
  } else {
    setBadge('differs', 'Differs from what the server would send: approval would be refused. Reload the page.');
  }
}

function setBadge(stateName, text) {
  el.identical.dataset.state = stateName;
  el.identical.dataset.identical = String(stateName === 'identical');
  el.identical.textContent = text;
}

// ---------------------------------------------------------------------------------------------------------
// Actions

function canAct() {
  const current = state.current;
  return Boolean(!state.busy && current?.detail && current.rendered);
}

function updateButtons() {
  const ready = canAct();
  el.approve.disabled = !ready || el.identical.dataset.state === 'differs';
  el.skip.disabled = !(state.current?.detail && !state.busy);
  el.snooze.disabled = el.skip.disabled;
  el.approveAll.disabled = state.busy || state.drafts.length === 0 || state.signedOut;
}

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

function approve() {
  if (!canAct() || el.approve.disabled) return;
  const { context, detail } = state.current;
  const name = detail.draft?.customer?.name ?? state.current.id;
  act('Approving', 'approve', { content_hash: browserHash(state.current), personal_note: context.personal_note ?? null }, (answer) =>
    `Approved the reminder to ${name}${answer?.approved_by ? ` as ${answer.approved_by}` : ''}.`,
  );
}

function skip() {
  if (el.skip.disabled) return;
  const reason = el.skipReason.value.trim();
  const name = state.current.detail.draft?.customer?.name ?? state.current.id;
  act('Skipping', 'skip', { reason: reason === '' ? null : reason }, () => `Skipped the reminder to ${name}.`);
}

function snooze() {
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

async function approveAll() {
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

function onKey(event) {
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

// ---------------------------------------------------------------------------------------------------------
// Start

// ---------------------------------------------------------------------------------------------------------
// Failed reminders: each holds its customer until staff say whether it went out after all

async function loadFailed() {
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

async function resolveFailed(item, wentOut) {
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

function tomorrow() {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function refresh() {
  try {
    const drafts = await loadDrafts();
    if (drafts.length) await select(drafts[0].id);
    else clearPreview();
  } catch (error) {
    if (!state.signedOut) {
      el.summary.textContent = 'The drafts could not be loaded.';
      showMessage(describeError(error, 'Loading drafts'), 'error');
    }
  }
}

/** Behind an authorizer: finish or start the hosted sign-in. False when the page must not go on (yet). */
async function signIn() {
  auth.config = await signInConfig();
  if (auth.config.mode !== 'hosted') return true;
  el.signIn.addEventListener('click', () => startSignIn(auth.config));
  el.signOut.addEventListener('click', () => signOut(auth.config));
  el.signOut.hidden = false;
  const { token, problem } = await hostedToken(auth.config);
  if (problem) {
    showSignedOut(problem);
    return false;
  }
  if (!token) {
    await startSignIn(auth.config);
    return false;
  }
  auth.token = token;
  return true;
}

async function start() {
  if (!(await signIn())) return;
  el.snoozeDate.min = tomorrow();
  el.note.disabled = true;
  filtersFromAddress();

  el.drafts.addEventListener('click', (event) => {
    const item = event.target.closest('.draft');
    if (item) select(item.dataset.id);
  });
  el.failedList.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-went-out]');
    if (button && !button.disabled) resolveFailed(button.closest('.failed-item'), button.dataset.wentOut === 'true');
  });
  for (const menu of Object.values(el.filters)) {
    menu.addEventListener('change', () => {
      syncAddress();
      refresh();
    });
  }
  el.note.addEventListener('input', onNoteInput);
  el.approve.addEventListener('click', approve);
  el.skip.addEventListener('click', skip);
  el.snooze.addEventListener('click', snooze);
  el.approveAll.addEventListener('click', approveAll);
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  document.addEventListener('keydown', onKey);

  const session = api('/api/session').then(
    (answer) => {
      el.signedInAs.textContent = answer?.approver ?? 'unknown';
    },
    (error) => {
      if (!state.signedOut) showMessage(describeError(error, 'Reading the session'), 'error');
    },
  );
  const failed = loadFailed().catch((error) => {
    if (!state.signedOut) showMessage(describeError(error, 'Loading failed reminders'), 'error');
  });
  await Promise.all([session, refresh(), failed]);
}

start();
