/**
 * The dashboard's browser session: an encrypted cookie (JWE, dir + A256GCM with the server's session key)
 * holding the user's access token, so page scripts never see the token (HttpOnly) and other sites never
 * send it (SameSite=Strict). The short-lived login cookie carries the PKCE verifier and state between the
 * redirect to the issuer and its callback; it is SameSite=Lax because that callback is a cross-site
 * navigation when the issuer is Entra ID.
 */
import { EncryptJWT, jwtDecrypt } from 'jose';

export const SESSION_COOKIE = 'factory_session';
export const LOGIN_COOKIE = 'factory_login';
/** The header every dashboard POST must carry, equal to the session's CSRF token. */
export const CSRF_HEADER = 'x-factory-csrf';

export interface Session {
  accessToken: string;
  /** Random per sign-in; the pages send it back in CSRF_HEADER. */
  csrf: string;
  /** When the access token expires (epoch ms); the session ends then. */
  expiresAt: number;
}

export interface LoginState {
  state: string;
  codeVerifier: string;
  /** The dashboard path the user asked for before signing in. */
  returnTo: string;
}

type Purpose = 'session' | 'login';

async function seal(purpose: Purpose, payload: object, key: Uint8Array, expiresAt: number) {
  return new EncryptJWT({ ...payload, purpose })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt / 1000))
    .encrypt(key);
}

/** The payload of a sealed cookie of that purpose, or undefined when it is missing, forged or expired. */
async function open(purpose: Purpose, value: string | undefined, key: Uint8Array) {
  if (!value) return undefined;
  try {
    const { payload } = await jwtDecrypt(value, key, { keyManagementAlgorithms: ['dir'] });
    return payload.purpose === purpose ? payload : undefined;
  } catch {
    return undefined;
  }
}

export const sealSession = (session: Session, key: Uint8Array) =>
  seal('session', session, key, session.expiresAt);

export async function openSession(value: string | undefined, key: Uint8Array): Promise<Session | undefined> {
  const p = await open('session', value, key);
  return p &&
    typeof p.accessToken === 'string' &&
    typeof p.csrf === 'string' &&
    typeof p.expiresAt === 'number' &&
    p.expiresAt > Date.now()
    ? { accessToken: p.accessToken, csrf: p.csrf, expiresAt: p.expiresAt }
    : undefined;
}

export const LOGIN_TTL_MS = 10 * 60_000;

export const sealLogin = (login: LoginState, key: Uint8Array) =>
  seal('login', login, key, Date.now() + LOGIN_TTL_MS);

export async function openLogin(value: string | undefined, key: Uint8Array): Promise<LoginState | undefined> {
  const p = await open('login', value, key);
  return p &&
    typeof p.state === 'string' &&
    typeof p.codeVerifier === 'string' &&
    typeof p.returnTo === 'string'
    ? { state: p.state, codeVerifier: p.codeVerifier, returnTo: p.returnTo }
    : undefined;
}

/** Cookie values by name from a Cookie header (RFC 6265 §5.4: `name=value` pairs separated by `; `). */
export function cookiesOf(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return cookies;
}

export interface CookieOptions {
  sameSite: 'Strict' | 'Lax';
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  /** Secure when the dashboard is served over https. */
  secure: boolean;
}

export const setCookie = (name: string, value: string, o: CookieOptions) =>
  `${name}=${value}; Path=${o.path}; Max-Age=${Math.max(0, Math.floor(o.maxAge))}; HttpOnly; SameSite=${o.sameSite}${o.secure ? '; Secure' : ''}`;

/** A path on this dashboard to return to after signing in; anything else (other hosts, `//x`) is `/dashboard`. */
export const safeReturnPath = (path: string | undefined) =>
  path && /^\/dashboard(\/[\w\-./%]*)?(\?[\w\-=&%.]*)?$/.test(path) && !path.includes('..')
    ? path
    : '/dashboard';
