// The approval page. Every preview is rendered here by the WASM build of kindly-render, the same code the
// senders run, so what staff read is the message's exact bytes and Approve names the hash of those bytes.
// The server re-renders natively and accepts the approval only if its hash is equal.
//
// Data from the server (customer names, invoice numbers, notes, the email itself) reaches the DOM only
// through textContent, DOM properties and the sandboxed iframe's srcdoc: never as markup of this page.
//
// This module signs in and starts the page. The others each hold one concern, and import only the ones
// before them: page (elements, state, helpers), api, preview, list, draft, actions, failed.

import { hostedToken, signInConfig, signOut, startSignIn } from './sign-in.js';
import { $, el, showMessage, state } from './page.js';
import { api, auth, describeError, showSignedOut } from './api.js';
import { onNoteInput } from './preview.js';
import { filtersFromAddress, loadDrafts, syncAddress } from './list.js';
import { clearPreview, select } from './draft.js';
import { approve, approveAll, onKey, skip, snooze } from './actions.js';
import { loadFailed, resolveFailed } from './failed.js';

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
