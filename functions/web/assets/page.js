// The page's elements, the state one visit keeps, and small helpers that build the DOM from data.
//
// Data from the server (customer names, invoice numbers, notes, the email itself) reaches the DOM only
// through textContent, DOM properties and the sandboxed iframe's srcdoc: never as markup of this page.

export const $ = (id) => document.getElementById(id);
export const el = {
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

export const state = {
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

// ---------------------------------------------------------------------------------------------------------
// Small formatting helpers (all return strings; the DOM gets them as text)

export const humanise = (id) => {
  const words = String(id ?? '').replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export const mailbox = (m) => (m.name ? `${m.name} <${m.email}>` : m.email);
export const mailboxes = (list) => (list && list.length ? list.map(mailbox).join(', ') : '—');

export function overdueWords(days) {
  if (days > 0) return `${days} ${days === 1 ? 'day' : 'days'} overdue`;
  if (days === 0) return 'due today';
  const ahead = -days;
  return `due in ${ahead} ${ahead === 1 ? 'day' : 'days'}`;
}

export function formatInstant(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** `document.createElement` with class, text and attributes; children appended in order. */
export function h(tag, props = {}, ...children) {
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

export const toneLabel = (tone) => h('span', { class: 'tone', dataset: { tone: tone || '' }, text: tone || 'no tone' });

export function showMessage(text, kind = 'info') {
  el.message.textContent = text;
  el.message.dataset.kind = kind;
  el.message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

export function showMessageWithList(text, items, kind) {
  showMessage(text, kind);
  const list = h('ul', { class: 'message-list' });
  for (const item of items) list.append(h('li', { text: item }));
  el.message.append(list);
}
