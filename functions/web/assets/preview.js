// The preview: the WASM renderer draws the selected draft with its note, and the badge says whether the
// server's native render of the same note has the same hash (Approve is refused otherwise).

import init, { Preview } from './kindly_render.js';
import { el, mailbox, mailboxes, showMessage, state } from './page.js';
import { api, describeError } from './api.js';

/** Read by tests/browser: when the first preview appeared, and what each note keystroke cost. */
window.kindlyTimings = { firstPreviewMs: null, renderMs: [], updateMs: [] };

const CHECK_DELAY_MS = 150;

// The module's address is given explicitly: the bindings the server embeds are generated without a default one.
export const wasmReady = init({ module_or_path: new URL('./kindly_render_bg.wasm', import.meta.url) }).then(
  () => true,
  (error) => {
    showMessage(`The preview renderer could not be loaded (${error.message}). Nothing can be approved from this page.`, 'error');
    return false;
  },
);

/** What the server stores for a note: the text as typed, or null when there is nothing but white space. */
export const noteValue = (note) => (note.trim() === '' ? null : note);

export function hashesOf(id) {
  if (!state.serverHashes.has(id)) state.serverHashes.set(id, new Map());
  return state.serverHashes.get(id);
}

/**
 * Render the current draft with its note. The draft's context is parsed into a wasm `Preview` once; each
 * render after that re-renders from it, and the content hash is computed only when it is compared or sent.
 */
export function renderCurrent() {
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
export const browserHash = (current) => (current?.rendered ? current.preview.contentHash() : null);

/**
 * After the first preview, render it again a few hundred times while the browser is idle: the engine
 * compiles hot wasm code with its optimising tier only after it has run a while, and a note's keystrokes
 * should not be what pays for that.
 */
export function warmUpRenderer(contextJson) {
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
export function drawEnvelope(context) {
  el.from.textContent = context.from ? mailbox(context.from) : '—';
  el.to.textContent = mailboxes(context.to);
  el.cc.textContent = mailboxes(context.cc);
}

export function drawPreview() {
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

// ---------------------------------------------------------------------------------------------------------
// The personal note and the identical badge

export function onNoteInput() {
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
export function compareWithServer() {
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
export function showComparison(serverHash) {
  if (serverHash === browserHash(state.current)) {
    setBadge('identical', 'Identical to what will be sent');
  } else {
    setBadge('differs', 'Differs from what the server would send: approval would be refused. Reload the page.');
  }
}

export function setBadge(stateName, text) {
  el.identical.dataset.state = stateName;
  el.identical.dataset.identical = String(stateName === 'identical');
  el.identical.textContent = text;
}

// ---------------------------------------------------------------------------------------------------------
// Which buttons work now

export function canAct() {
  const current = state.current;
  return Boolean(!state.busy && current?.detail && current.rendered);
}

export function updateButtons() {
  const ready = canAct();
  el.approve.disabled = !ready || el.identical.dataset.state === 'differs';
  el.skip.disabled = !(state.current?.detail && !state.busy);
  el.snooze.disabled = el.skip.disabled;
  el.approveAll.disabled = state.busy || state.drafts.length === 0 || state.signedOut;
}
