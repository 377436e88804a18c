// Signing in behind an authorizer: the hosted sign-in (Cognito's hosted UI) with OAuth 2's authorization-code
// flow and PKCE. The page trades the code for an ID token itself and sends it as a Bearer token; the
// authorizer in front of the API verifies it. The token lives in sessionStorage: it is gone with the tab, and
// the strict Content-Security-Policy keeps other scripts away from it. Locally (`kindly serve`) none of this
// runs: the session cookie does the work.

const TOKEN_KEY = 'kindly.sign-in.token';
const PENDING_KEY = 'kindly.sign-in.pending';
/** A token this close to expiry is not used: a request made with it could fail halfway through a task. */
const EXPIRY_MARGIN_MS = 60_000;
/** The query parameters the sign-in adds on the way back, removed from the address once read. */
const ANSWER_PARAMS = ['code', 'state', 'error', 'error_description'];

/** What the server says about signing in (`GET /auth/config`). */
export async function signInConfig() {
  try {
    const response = await fetch('/auth/config', { headers: { Accept: 'application/json' } });
    if (response.ok) return await response.json();
  } catch {
    // No answer: treat it as local, and the API's 401 tells the rest.
  }
  return { mode: 'local' };
}

/** The page's own address, which the app client lists as its callback. */
function redirectUri() {
  return `${location.origin}/`;
}

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(byteCount) {
  return base64url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

/** Go to the hosted sign-in; it comes back to this page with a code. The filters in the address are kept. */
export async function startSignIn(config) {
  const verifier = randomText(32);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = randomText(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, back: location.search }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.client_id,
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${config.authorize_url}?${query}`);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Forget the token and end the hosted session too. */
export function signOut(config) {
  forgetToken();
  const query = new URLSearchParams({ client_id: config.client_id, logout_uri: redirectUri() });
  location.assign(`${config.logout_url}?${query}`);
}

function storedToken() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? 'null');
    if (stored && typeof stored.idToken === 'string' && stored.expiresAt > Date.now() + EXPIRY_MARGIN_MS) {
      return stored.idToken;
    }
  } catch {
    // Unreadable: sign in again.
  }
  sessionStorage.removeItem(TOKEN_KEY);
  return null;
}

/**
 * The ID token to send, after finishing a sign-in the address answers. Returns `{ token }`, or `{ problem }`
 * when the sign-in failed (for the page to say), or `{ token: null }` when there is no sign-in yet.
 */
export async function hostedToken(config) {
  const params = new URLSearchParams(location.search);
  if (!ANSWER_PARAMS.some((name) => params.has(name))) return { token: storedToken() };

  const [code, state, error] = ['code', 'state', 'error'].map((name) => params.get(name));
  const described = params.get('error_description');
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null');
  sessionStorage.removeItem(PENDING_KEY);
  for (const name of ANSWER_PARAMS) params.delete(name);
  const back = pending?.back ?? (params.size ? `?${params}` : '');
  history.replaceState(null, '', `${location.pathname}${back}`);

  if (error) return { problem: `The sign-in was refused: ${described || error}.` };
  // The state proves this answer belongs to the sign-in this tab started, not to a link someone sent.
  if (!pending || !code || state !== pending.state) {
    return { problem: 'The sign-in answer does not belong to a sign-in started here. Sign in again.' };
  }
  let response;
  try {
    response = await fetch(config.token_url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.client_id,
        code,
        redirect_uri: redirectUri(),
        code_verifier: pending.verifier,
      }),
    });
  } catch {
    return { problem: 'The sign-in service could not be reached. Check the connection and sign in again.' };
  }
  const tokens = await response.json().catch(() => null);
  if (!response.ok || typeof tokens?.id_token !== 'string') {
    return { problem: `The sign-in service did not issue a token (${tokens?.error ?? response.status}). Sign in again.` };
  }
  const expiresIn = Number(tokens.expires_in) > 0 ? Number(tokens.expires_in) : 3600;
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ idToken: tokens.id_token, expiresAt: Date.now() + expiresIn * 1000 }));
  return { token: tokens.id_token };
}
