/**
 * The factory server's configuration, from the environment (documented in docs/server.md). The stamp
 * private key is a secret: it is kept out of `describeConfig` and never logged.
 */
import { publicKeyOf, roles, type Role, type TrustedStampKeys } from '../contracts/operator-stamp.ts';
import { REFUSAL_AUDIT_WORKFLOW_ID } from '../contracts/refusal-audit.ts';
import { TASK_QUEUES } from '../contracts/task-queues.ts';

export interface ServerConfig {
  host: string;
  port: number;
  oidc: {
    /** The issuer URL exactly as tokens carry it in `iss` (Entra: https://login.microsoftonline.com/<tenant>/v2.0). */
    issuer: string;
    /** The `aud` the server accepts (Entra: the API's application id URI or client id). */
    audience: string;
    clockToleranceSeconds: number;
    /** Claim holding group ids (Entra: `groups`). */
    groupsClaim: string;
    /**
     * The public client `factory login` signs in with, and the scope it asks for, advertised at
     * `GET /api/auth-config` so the CLI needs only the server's URL (Entra: the CLI app registration).
     */
    cliClientId?: string;
    cliScope?: string;
  };
  /** Group id → roles it grants. */
  roleGroups: Map<string, Role[]>;
  stamp: {
    keyId: string;
    /** Ed25519 private key, base64url. Secret. */
    privateKey: string;
    /** Public keys waves started by this server trust: this key and the previous ones (rotation). */
    trustedKeys: TrustedStampKeys;
  };
  /** The workspace `POST /api/waves/{id}/start` starts waves from (its plan, estate and assessment). */
  workspace?: string;
  /** Workflow id and task queue of the refusal audit workflow. */
  audit: { workflowId: string; taskQueue: string };
  /** Minimum seconds between two reads of the program's progress for `/metrics` (default 30). */
  metricsRefreshSeconds?: number;
  /**
   * Where wave start reads the settings profile, the artifact store and the notification channels from
   * (as `factory wave start` reads its own): the environment the configuration was loaded from.
   * Absent: the process's.
   */
  waveEnv?: NodeJS.ProcessEnv;
  /** The Web UI's codec endpoint (/codec): who may decrypt, and the UI origins (CORS). Default: `defaultCodecEndpoint`. */
  codec?: { roles: Role[]; corsOrigins: string[] };
  /** The operations dashboard (docs/dashboard.md); absent when no client id is configured. */
  dashboard?: DashboardConfig;
}

/** The Temporal Web UI of the embedded stack (cli/operate/connection.ts DEFAULT_UI_URL). */
const defaultUiOrigin = 'http://127.0.0.1:8233';

export const defaultCodecEndpoint: NonNullable<ServerConfig['codec']> = {
  roles: ['operator', 'lead', 'admin'],
  corsOrigins: [defaultUiOrigin],
};

/** FACTORY_CODEC_ROLES: comma-separated roles allowed to decrypt payloads through /codec. */
export function parseCodecRoles(text: string): Role[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names)
    if (!(roles as readonly string[]).includes(name))
      throw new ServerConfigError(`FACTORY_CODEC_ROLES: '${name}' is not a role (${roles.join(', ')})`);
  if (names.length === 0) throw new ServerConfigError('FACTORY_CODEC_ROLES names no role');
  return [...new Set(names as Role[])];
}

/** FACTORY_CODEC_CORS_ORIGINS: comma-separated origins (scheme://host[:port]) of the Temporal Web UI. */
export function parseOrigins(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url || !/^https?:$/.test(url.protocol) || url.origin !== entry.replace(/\/$/, ''))
        throw new ServerConfigError(
          `FACTORY_CODEC_CORS_ORIGINS entry '${entry}': expected an origin such as https://temporal-ui.contoso.com (scheme, host and port only)`,
        );
      return url.origin;
    });
}

export interface DashboardConfig {
  /** The OpenID Connect public client the browser signs in with (authorization code + PKCE). */
  clientId: string;
  /** The server's callback as registered with the issuer: `<public URL>/auth/callback`. */
  redirectUrl: string;
  /** Scopes asked for; the access token must carry the API's audience. */
  scope: string;
  /** Resource indicator (RFC 8707) sent with the request, when the issuer needs one to pick the audience. */
  resource?: string;
  /** 32-byte key that encrypts the session cookie (A256GCM). Secret. */
  sessionKey: Uint8Array;
  /** True when no key was configured and this process made one up: sessions end when it restarts. */
  ephemeralSessionKey: boolean;
  /** How long the server reuses what it read from Temporal, and how often pages poll (seconds). */
  refreshSeconds: number;
}

export class ServerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerConfigError';
  }
}

/** `viewer=grp-a,operator=grp-b;grp-c,…`: each role with its group ids (`;` or `|` between several). */
export function parseRoleGroups(text: string): Map<string, Role[]> {
  const map = new Map<string, Role[]>();
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const role = entry.slice(0, at).trim();
    if (at < 1 || !(roles as readonly string[]).includes(role))
      throw new ServerConfigError(
        `FACTORY_ROLE_GROUPS entry '${entry}': expected <role>=<group id>, role one of ${roles.join(', ')}`,
      );
    for (const group of entry
      .slice(at + 1)
      .split(/[;|]/)
      .map((g) => g.trim())
      .filter(Boolean))
      map.set(group, [...new Set([...(map.get(group) ?? []), role as Role])]);
  }
  if (map.size === 0) throw new ServerConfigError('FACTORY_ROLE_GROUPS names no group');
  return map;
}

/** `keyId=publicKey,…` (base64url Ed25519 public keys). */
export function parseTrustedKeys(text: string | undefined): TrustedStampKeys {
  const keys: TrustedStampKeys = {};
  for (const entry of (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    if (at < 1 || !/^[A-Za-z0-9_-]{43}$/.test(entry.slice(at + 1).trim()))
      throw new ServerConfigError(
        `FACTORY_STAMP_TRUSTED_KEYS entry '${entry.slice(0, 60)}': expected <key id>=<base64url Ed25519 public key>`,
      );
    keys[entry.slice(0, at).trim()] = entry.slice(at + 1).trim();
  }
  return keys;
}

/** The dashboard's settings, or undefined when FACTORY_DASHBOARD_CLIENT_ID is unset. */
export function loadDashboardConfig(
  env: NodeJS.ProcessEnv,
  listen: { host: string; port: number },
): DashboardConfig | undefined {
  const clientId = env.FACTORY_DASHBOARD_CLIENT_ID?.trim();
  if (!clientId) return undefined;
  const publicHost = ['0.0.0.0', '::'].includes(listen.host) ? undefined : listen.host;
  const redirectUrl =
    env.FACTORY_DASHBOARD_REDIRECT_URL?.trim() ||
    (publicHost ? `http://${publicHost}:${listen.port}/auth/callback` : '');
  if (!redirectUrl)
    throw new ServerConfigError(
      `FACTORY_DASHBOARD_REDIRECT_URL is not set: the server listens on ${listen.host}, so name the address browsers reach it at (https://…/auth/callback)`,
    );
  let parsed: URL;
  try {
    parsed = new URL(redirectUrl);
  } catch {
    throw new ServerConfigError(`FACTORY_DASHBOARD_REDIRECT_URL ${redirectUrl}: not a URL`);
  }
  if (parsed.pathname !== '/auth/callback')
    throw new ServerConfigError(
      `FACTORY_DASHBOARD_REDIRECT_URL ${redirectUrl}: the path must be /auth/callback (the server's callback route)`,
    );
  const keyText = env.FACTORY_SESSION_KEY?.trim();
  if (keyText && !/^[A-Za-z0-9_-]{43}$/.test(keyText))
    // The value is a secret: name the variable, never echo it.
    throw new ServerConfigError('FACTORY_SESSION_KEY: expected 32 random bytes, base64url (43 characters)');
  const refresh = Number(env.FACTORY_DASHBOARD_REFRESH_SECONDS ?? '3');
  if (!Number.isFinite(refresh) || refresh < 1 || refresh > 60)
    throw new ServerConfigError('FACTORY_DASHBOARD_REFRESH_SECONDS: expected 1 to 60 seconds');
  const resource = env.FACTORY_DASHBOARD_RESOURCE?.trim();
  return {
    clientId,
    redirectUrl,
    scope: env.FACTORY_DASHBOARD_SCOPE?.trim() || 'openid profile',
    ...(resource ? { resource } : {}),
    sessionKey: keyText
      ? new Uint8Array(Buffer.from(keyText, 'base64url'))
      : crypto.getRandomValues(new Uint8Array(32)),
    ephemeralSessionKey: !keyText,
    refreshSeconds: refresh,
  };
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const required = (name: string) => {
    const value = env[name]?.trim();
    if (!value) throw new ServerConfigError(`${name} is not set (see docs/server.md)`);
    return value;
  };
  const port = Number(env.FACTORY_SERVER_PORT ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ServerConfigError(`FACTORY_SERVER_PORT ${env.FACTORY_SERVER_PORT}: expected a port number`);
  const tolerance = Number(env.FACTORY_OIDC_CLOCK_TOLERANCE_SECONDS ?? '60');
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > 600)
    throw new ServerConfigError('FACTORY_OIDC_CLOCK_TOLERANCE_SECONDS: expected 0 to 600 seconds');
  const refresh = Number(env.FACTORY_METRICS_REFRESH_SECONDS?.trim() || '30');
  if (!Number.isFinite(refresh) || refresh < 0 || refresh > 3600)
    throw new ServerConfigError(
      `FACTORY_METRICS_REFRESH_SECONDS ${env.FACTORY_METRICS_REFRESH_SECONDS}: expected 0 to 3600 seconds`,
    );
  const keyId = required('FACTORY_STAMP_KEY_ID');
  const privateKey = required('FACTORY_STAMP_PRIVATE_KEY');
  let publicKey: string;
  try {
    if (!/^[A-Za-z0-9_-]{43}$/.test(privateKey)) throw new Error('not 32 bytes of base64url');
    publicKey = publicKeyOf(privateKey);
  } catch {
    // The value itself is a secret: name the variable, never echo it.
    throw new ServerConfigError(
      'FACTORY_STAMP_PRIVATE_KEY: expected a base64url Ed25519 private key (32 bytes)',
    );
  }
  const host = env.FACTORY_SERVER_HOST?.trim() || '127.0.0.1';
  const dashboard = loadDashboardConfig(env, { host, port });
  return {
    host,
    port,
    oidc: {
      issuer: required('FACTORY_OIDC_ISSUER'),
      audience: required('FACTORY_OIDC_AUDIENCE'),
      clockToleranceSeconds: tolerance,
      groupsClaim: env.FACTORY_OIDC_GROUPS_CLAIM?.trim() || 'groups',
      ...(env.FACTORY_OIDC_CLIENT_ID?.trim() ? { cliClientId: env.FACTORY_OIDC_CLIENT_ID.trim() } : {}),
      ...(env.FACTORY_OIDC_SCOPE?.trim() ? { cliScope: env.FACTORY_OIDC_SCOPE.trim() } : {}),
    },
    roleGroups: parseRoleGroups(required('FACTORY_ROLE_GROUPS')),
    stamp: {
      keyId,
      privateKey,
      trustedKeys: { ...parseTrustedKeys(env.FACTORY_STAMP_TRUSTED_KEYS), [keyId]: publicKey },
    },
    ...(env.FACTORY_WORKSPACE?.trim() ? { workspace: env.FACTORY_WORKSPACE.trim() } : {}),
    audit: {
      workflowId: env.FACTORY_AUDIT_WORKFLOW_ID?.trim() || REFUSAL_AUDIT_WORKFLOW_ID,
      taskQueue: env.FACTORY_TASK_QUEUE?.trim() || TASK_QUEUES.workflows,
    },
    metricsRefreshSeconds: refresh,
    waveEnv: env,
    codec: {
      roles: env.FACTORY_CODEC_ROLES?.trim()
        ? parseCodecRoles(env.FACTORY_CODEC_ROLES)
        : defaultCodecEndpoint.roles,
      corsOrigins: env.FACTORY_CODEC_CORS_ORIGINS?.trim()
        ? parseOrigins(env.FACTORY_CODEC_CORS_ORIGINS)
        : env.TEMPORAL_UI_URL?.trim()
          ? parseOrigins(new URL(env.TEMPORAL_UI_URL.trim()).origin)
          : defaultCodecEndpoint.corsOrigins,
    },
    ...(dashboard ? { dashboard } : {}),
  };
}

/** The configuration without secrets, for the start-up log. */
export function describeConfig(config: ServerConfig): Record<string, unknown> {
  return {
    listen: `${config.host}:${config.port}`,
    issuer: config.oidc.issuer,
    audience: config.oidc.audience,
    cliClientId: config.oidc.cliClientId ?? '(none: factory login needs FACTORY_OIDC_CLIENT_ID)',
    roleGroups: Object.fromEntries(config.roleGroups),
    stampKeyId: config.stamp.keyId,
    trustedStampKeys: Object.keys(config.stamp.trustedKeys),
    workspace: config.workspace ?? '(none: wave start disabled)',
    auditWorkflowId: config.audit.workflowId,
    metricsRefreshSeconds: config.metricsRefreshSeconds ?? 30,
    codecRoles: (config.codec ?? defaultCodecEndpoint).roles,
    codecCorsOrigins: (config.codec ?? defaultCodecEndpoint).corsOrigins,
    dashboard: config.dashboard
      ? {
          clientId: config.dashboard.clientId,
          redirectUrl: config.dashboard.redirectUrl,
          scope: config.dashboard.scope,
          resource: config.dashboard.resource,
          refreshSeconds: config.dashboard.refreshSeconds,
          sessionKey: config.dashboard.ephemeralSessionKey
            ? 'random per process (FACTORY_SESSION_KEY unset: local use only; sessions end on restart)'
            : 'configured',
        }
      : '(off: FACTORY_DASHBOARD_CLIENT_ID unset)',
  };
}
