// Talking to the server: every call goes through `api`, which signs it and turns a refusal into an ApiError.

import { forgetToken } from './sign-in.js';
import { el, state } from './page.js';

/** How this page proves who is using it: the `kindly serve` cookie, or a Bearer token from the hosted sign-in. */
export const auth = { config: { mode: 'local' }, token: null };

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error || `The server answered ${status}.`);
    this.status = status;
    this.body = body || {};
  }
}

export async function api(path, { method = 'GET', body, signal } = {}) {
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

/** A chart from the server (an SVG at `path`, fetched with this page's credentials) as a data: address for an
 * image, so it shows as a picture and runs nothing. */
export async function chartAddress(path) {
  const headers = auth.token ? { Authorization: `Bearer ${auth.token}` } : {};
  const response = await fetch(path, { credentials: 'same-origin', headers });
  if (!response.ok) throw new Error(`The chart could not be loaded (${response.status}).`);
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await response.text())}`;
}

/** Fetch `path` (signed like every call) and save what it answers as the file `name`: a hand-over's dossier. */
export async function download(path, name) {
  const headers = auth.token ? { Authorization: `Bearer ${auth.token}` } : {};
  const response = await fetch(path, { credentials: 'same-origin', headers });
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    throw new ApiError(response.status, body);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A server error as one sentence for staff: what is wrong, and the field when one is to blame. */
export function describeError(error, action) {
  if (error instanceof ApiError) {
    const named = error.body.field && !error.message.includes(error.body.field);
    const field = named ? ` (field: ${error.body.field})` : '';
    const prefix = action ? `${action} failed: ` : '';
    if (error.status === 404) return `${prefix}it is no longer there (${error.message}).`;
    return `${prefix}${error.message}${field}`;
  }
  return `${action ? `${action} failed: ` : ''}${error.message}`;
}

/** Hide the workspace; `reason` replaces the local sign-in advice, and the hosted sign-in offers a button. */
export function showSignedOut(reason = null) {
  if (state.signedOut) return;
  state.signedOut = true;
  if (reason) el.signedOutReason.textContent = reason;
  el.signIn.hidden = auth.config.mode !== 'hosted';
  el.signedOut.hidden = false;
  el.workspace.hidden = true;
  el.approveAll.disabled = true;
  document.body.dataset.signedOut = 'true';
}
