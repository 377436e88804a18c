// The approval page. Every preview is rendered here by the WASM build of kindly-render, the same code the
// senders run, so what staff read is the message's exact bytes and Approve names the hash of those bytes.
// The server re-renders natively and accepts the approval only if its hash is equal.
//
// Data from the server (customer names, invoice numbers, notes, the email itself) reaches the DOM only
// through textContent, DOM properties and the sandboxed iframe's srcdoc: never as markup of this page.
//
// This module signs in and starts the page. The others each hold one concern, and import only the ones
// before them: page (elements, state, helpers), api, preview, list, draft, actions, failed, timeline, tasks,
// reasons, reports. The address's hash picks the view: #drafts, #tasks, #reasons, #reports, or
// #timeline=CUSTOMER.

import { hostedToken, signInConfig, signOut, startSignIn } from './sign-in.js';
import { $, el, showMessage, state } from './page.js';
import { api, auth, describeError, showSignedOut } from './api.js';
import { onNoteInput } from './preview.js';
import { filtersFromAddress, loadDrafts, syncAddress } from './list.js';
import { clearPreview, select } from './draft.js';
import { approve, approveAll, onKey, skip, snooze } from './actions.js';
import { loadFailed, resolveFailed } from './failed.js';
import { showTimeline } from './timeline.js';
import { loadTasks, onTaskKey, watchTasks } from './tasks.js';
import { loadReasons, watchReasons } from './reasons.js';
import { loadReports, watchReports } from './reports.js';

const VIEWS = ['drafts', 'tasks', 'reasons', 'reports'];
let view = 'drafts';

/** Show the view the address names (a customer's timeline is shown in the tasks view). */
function showView() {
  const hash = decodeURIComponent(location.hash.slice(1));
  const customer = hash.startsWith('timeline=') ? hash.slice('timeline='.length) : null;
  const wanted = customer ? 'tasks' : hash;
  view = VIEWS.includes(wanted) ? wanted : 'drafts';
  document.body.dataset.view = view;
  for (const tab of document.querySelectorAll('.view-tab')) {
    tab.setAttribute('aria-current', tab.dataset.view === view ? 'page' : 'false');
  }
  if (state.signedOut) return;
  el.workspace.hidden = view !== 'drafts';
  $('tasks-view').hidden = view !== 'tasks';
  $('reasons-view').hidden = view !== 'reasons';
  $('reports-view').hidden = view !== 'reports';
  const failed = (action) => (error) => {
    if (!state.signedOut) showMessage(describeError(error, action), 'error');
  };
  if (view === 'tasks') {
    loadTasks()
      .then(() => customer && showTimeline(customer, { force: true }))
      .catch(failed('Loading tasks'));
  }
  if (view === 'reasons') loadReasons();
  if (view === 'reports') loadReports();
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
  document.addEventListener('keydown', (event) => {
    if (state.signedOut) return;
    if (view === 'tasks') onTaskKey(event);
    else if (view === 'drafts') onKey(event);
  });
  watchTasks();
  watchReasons();
  watchReports();
  window.addEventListener('hashchange', showView);
  showView();

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
