/**
 * The CLI's one road to the factory server's API: which server (FACTORY_SERVER_URL, else the latest
 * `factory login`), the cached token (refreshed when it has expired, or once when the server answers
 * 401), and every answer mapped to the CLI's exit codes: 401 → not signed in, 403 and 409 → refused,
 * 404 → not found, 400 → usage. Request bodies are the server's operation types; responses are the
 * views the server builds with the CLI's own read code.
 */
import type { BatchProgress, DatabaseProgress } from '../contracts/messages.ts';
import type { ActionResult, Operations } from '../server/operations.ts';
import type { AuditEntry } from './operate/audit-history.ts';
import { CliError, ExitCode } from './operate/exit-codes.ts';
import type { WaveListEntry } from './operate/wave-list.ts';
import type { WaveSnapshot } from './operate/wave-view.ts';
import {
  currentServer,
  loadSession,
  normalizeServerUrl,
  saveSession,
  type ServerSession,
} from './login/credentials.ts';
import { refreshSession, type SignInSettings } from './login/oidc.ts';

/** The factory server of the embedded stack (`npm run stack`): `factory login` signs in there by default. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

/** The server's `GET /api/auth-config`. */
export interface AuthConfig {
  issuer: string;
  audience: string;
  clientId?: string;
  scope: string;
}

export interface Me {
  subject: string;
  name: string;
  roles: string[];
  actions: string[];
}

type Meta = { workflowId: string; status: string; url: string };
type Body<K extends keyof Operations, At extends number> = Parameters<Operations[K]>[At];

/** Each wave action's path under /api/waves/{waveId}/ and the body the server takes. */
export interface WaveActionBodies {
  start: Body<'startWave', 2>;
  approve: Body<'approve', 2>;
  concurrency: Body<'concurrency', 2>;
  pause: Body<'pauseResume', 3>;
  resume: Body<'pauseResume', 3>;
  retry: Body<'retry', 2>;
  skip: Body<'skip', 2>;
  rollback: Body<'rollback', 2>;
  cutover: Body<'cutover', 2>;
  postpone: Body<'postpone', 2>;
  'sign-off': Body<'signOff', 2>;
  cancel: Body<'cancelWave', 2>;
}
export type DatabaseActionKind = Parameters<Operations['databaseAction']>[0];

/**
 * The server the CLI acts through, or undefined when it talks to Temporal directly: FACTORY_SERVER_URL,
 * else the server of the latest `factory login` (until `factory logout`).
 */
export function configuredServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.FACTORY_SERVER_URL?.trim();
  if (fromEnv) return normalizeServerUrl(fromEnv, 'FACTORY_SERVER_URL');
  return currentServer(env);
}

const unreachable = (url: string, error: unknown) => {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  return new CliError(
    `cannot reach the factory server at ${url} (${cause}); start it (\`npm run stack\` runs one) or set FACTORY_SERVER_URL`,
    ExitCode.connection,
  );
};

/** How to sign in to a server, as it advertises it without a token. */
export async function fetchAuthConfig(url: string): Promise<AuthConfig> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/auth-config`);
  } catch (error) {
    throw unreachable(url, error);
  }
  if (!response.ok)
    throw new CliError(
      `${url}/api/auth-config answered ${response.status}: is FACTORY_SERVER_URL a factory server?`,
      ExitCode.failure,
    );
  return (await response.json()) as AuthConfig;
}

/** Sign-in settings: the environment's FACTORY_OIDC_* override what the server advertises. */
export function signInSettings(config: AuthConfig, env: NodeJS.ProcessEnv = process.env): SignInSettings {
  const clientId = env.FACTORY_OIDC_CLIENT_ID?.trim() || config.clientId;
  if (!clientId)
    throw new CliError(
      'the factory server advertises no client id for `factory login`: set FACTORY_OIDC_CLIENT_ID (the CLI app registration), here or on the server',
      ExitCode.usage,
    );
  return {
    issuer: env.FACTORY_OIDC_ISSUER?.trim() || config.issuer,
    clientId,
    audience: env.FACTORY_OIDC_AUDIENCE?.trim() || config.audience,
    scope: env.FACTORY_OIDC_SCOPE?.trim() || config.scope,
  };
}

/** A token this close to its expiry is refreshed first, so it does not expire on the way. */
const EXPIRY_MARGIN_MS = 30_000;

const loginHint = (url: string) => `run \`factory login${url === DEFAULT_SERVER_URL ? '' : ` ${url}`}\``;

export class FactoryServerClient {
  private session: ServerSession | undefined;

  constructor(
    readonly url: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.session = loadSession(url, env);
  }

  /** The cached access token, refreshed first when it has expired. */
  private async accessToken(): Promise<string> {
    if (!this.session)
      throw new CliError(`not signed in to ${this.url}: ${loginHint(this.url)}`, ExitCode.notSignedIn);
    if (Date.parse(this.session.expiresAt) - EXPIRY_MARGIN_MS <= Date.now() && !(await this.refresh()))
      throw new CliError(
        `the sign-in to ${this.url} has expired and cannot be refreshed: ${loginHint(this.url)}`,
        ExitCode.notSignedIn,
      );
    return this.session.accessToken;
  }

  private async refresh(): Promise<boolean> {
    const refreshed = this.session && (await refreshSession(this.session));
    if (!refreshed) return false;
    this.session = refreshed;
    saveSession(this.url, refreshed, this.env);
    return true;
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const token = await this.accessToken();
    try {
      return await fetch(`${this.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw unreachable(this.url, error);
    }
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response = await this.send(method, path, body);
    // Revoked or expired earlier than it said: one refresh, one retry.
    if (response.status === 401 && this.session?.refreshToken && (await this.refresh()))
      response = await this.send(method, path, body);
    if (response.ok) return (await response.json()) as T;
    const answer = (await response.json().catch(() => ({}))) as { reason?: string };
    const reason = answer.reason ?? `${response.status} ${response.statusText}`;
    switch (response.status) {
      case 401:
        throw new CliError(
          `${this.url} does not accept the sign-in (${reason}): ${loginHint(this.url)}`,
          ExitCode.notSignedIn,
        );
      case 403:
      case 409:
        throw new CliError(`refused: ${reason}`, ExitCode.refused);
      case 404:
        throw new CliError(reason, ExitCode.notFound);
      case 400:
        throw new CliError(reason, ExitCode.usage);
      default:
        throw new CliError(`the factory server answered ${response.status}: ${reason}`, ExitCode.failure);
    }
  }

  me = () => this.call<Me>('GET', '/api/me');
  listWaves = () => this.call<{ namespace: string; waves: WaveListEntry[] }>('GET', '/api/waves');
  waveStatus = (waveId: string) => this.call<WaveSnapshot>('GET', `/api/waves/${encodeURIComponent(waveId)}`);
  waveAudit = (waveId: string) =>
    this.call<{ waveId: string; workflowId: string; entries: AuditEntry[] }>(
      'GET',
      `/api/waves/${encodeURIComponent(waveId)}/audit`,
    );
  batchStatus = (batchId: string) =>
    this.call<BatchProgress & Meta>('GET', `/api/batches/${encodeURIComponent(batchId)}`);
  databaseStatus = (databaseId: string) =>
    this.call<DatabaseProgress & Meta>('GET', `/api/databases/${encodeURIComponent(databaseId)}`);

  waveAction = <A extends keyof WaveActionBodies>(waveId: string, action: A, body: WaveActionBodies[A]) =>
    this.call<ActionResult & { workflowId?: string }>(
      'POST',
      `/api/waves/${encodeURIComponent(waveId)}/${action}`,
      body,
    );

  databaseAction = (databaseId: string, kind: DatabaseActionKind, body: Body<'databaseAction', 3>) =>
    this.call<ActionResult & { workflowId: string }>(
      'POST',
      `/api/databases/${encodeURIComponent(databaseId)}/${kind}`,
      body,
    );
}

/** The server client when the CLI acts through a server, else undefined (direct Temporal). */
export function serverClient(env: NodeJS.ProcessEnv = process.env): FactoryServerClient | undefined {
  const url = configuredServer(env);
  return url === undefined ? undefined : new FactoryServerClient(url, env);
}
