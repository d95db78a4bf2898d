/**
 * The operations dashboard under a running program: the bench starts the factory server (with its
 * dashboard) and the local OpenID Connect issuer on the bench's Temporal, signs a viewer in, and loads the
 * program page and its polled fragment as a browser does, timing every answer. At the end it reads the
 * server's own count of the Temporal calls the dashboard made (`/api/dashboard/load`), so the report says
 * how fast the program page answers at this size and what one open dashboard costs Temporal per minute.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { deviceCodeToken, localRoleGroups, startOidcIssuer } from '../cli/stack/oidc-issuer.ts';
import { generateStampKeyPair } from '../contracts/operator-stamp.ts';
import { freePort } from '../cli/stack/ports.ts';
import { projectRoot } from '../cli/stack/temporal-cli.ts';
import type { DashboardLoad, LoadCounts } from '../server/dashboard/program-data.ts';
import { sealSession, SESSION_COOKIE } from '../server/session.ts';

export interface DashboardFigures {
  samples: number;
  /** Program page (`/dashboard`) and its polled fragment, milliseconds. */
  pageMs: { p50: number; p95: number; max: number };
  fragmentMs: { p50: number; p95: number; max: number };
  /** Temporal calls the dashboard made per minute over the run, with one viewer polling. */
  perMinute: LoadCounts;
  refreshSeconds: number;
  errors: string[];
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
};
const summary = (values: number[]) => ({
  p50: Math.round(percentile(values, 0.5)),
  p95: Math.round(percentile(values, 0.95)),
  max: Math.round(Math.max(0, ...values)),
});

export async function startDashboardProbe(options: {
  /** What a process needs to reach the bench's Temporal (address, TLS, payload keys), as workers get it. */
  temporalEnv: Record<string, string>;
  workspace: string;
  taskQueue: string;
  /** How often the probe's viewer loads the program page (a browser polls its fragment as often). */
  everyMs: number;
}) {
  const issuer = await startOidcIssuer({ port: 0 });
  const key = generateStampKeyPair();
  const sessionKey = new Uint8Array(randomBytes(32));
  const port = await freePort();
  // The real server entry point in its own process, as `npm run server` runs it: in the bench's process it
  // would share an event loop with the simulator, and time the simulator rather than the server.
  const server = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'server/main.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...options.temporalEnv,
      FACTORY_LOG_LEVEL: 'warn',
      FACTORY_SERVER_HOST: '127.0.0.1',
      FACTORY_SERVER_PORT: String(port),
      FACTORY_OIDC_ISSUER: issuer.issuer,
      FACTORY_OIDC_AUDIENCE: issuer.audience,
      FACTORY_ROLE_GROUPS: localRoleGroups,
      FACTORY_STAMP_KEY_ID: 'bench',
      FACTORY_STAMP_PRIVATE_KEY: key.privateKey,
      FACTORY_WORKSPACE: options.workspace,
      FACTORY_TASK_QUEUE: options.taskQueue,
      FACTORY_DASHBOARD_CLIENT_ID: issuer.clientId,
      FACTORY_DASHBOARD_REDIRECT_URL: 'http://127.0.0.1/auth/callback',
      FACTORY_DASHBOARD_SCOPE: 'openid profile groups api',
      FACTORY_DASHBOARD_RESOURCE: issuer.audience,
      FACTORY_SESSION_KEY: Buffer.from(sessionKey).toString('base64url'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let serverErrors = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    serverErrors = (serverErrors + chunk.toString()).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the factory server exited:\n${serverErrors}`);
    const ready = await fetch(`${base}/api/auth-config`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await delay(200);
  }
  const token = await deviceCodeToken(issuer, 'viola', 'factory');
  // The session cookie the sign-in would set (the browser test proves the sign-in itself).
  const cookie = `${SESSION_COOKIE}=${await sealSession(
    { accessToken: token, csrf: 'bench', expiresAt: Date.now() + 3_600_000 },
    sessionKey,
  )}`;

  const page: number[] = [];
  const fragment: number[] = [];
  const errors: string[] = [];
  const started = Date.now();
  const timed = async (path: string, into: number[]) => {
    const t = performance.now();
    const response = await fetch(`${base}${path}`, { headers: { cookie } });
    await response.text();
    into.push(performance.now() - t);
    if (response.status !== 200 && errors.length < 5) errors.push(`${path}: HTTP ${response.status}`);
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      await timed('/dashboard', page).catch((e: unknown) => errors.push(String(e)));
      await timed('/dashboard/fragments/program', fragment).catch((e: unknown) => errors.push(String(e)));
      await delay(options.everyMs);
    }
  })();

  let closed = false;
  const close = async () => {
    running = false;
    await loop;
    if (closed) return;
    closed = true;
    server.kill('SIGTERM');
    await exited;
    await issuer.close();
  };
  return {
    close,
    async stop(): Promise<DashboardFigures> {
      running = false;
      await loop;
      const load = (await (
        await fetch(`${base}/api/dashboard/load`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as DashboardLoad;
      await close();
      const minutes = Math.max(1 / 60, (Date.now() - started) / 60_000);
      const per = (n: number) => Math.round((n / minutes) * 10) / 10;
      return {
        samples: page.length,
        pageMs: summary(page),
        fragmentMs: summary(fragment),
        perMinute: {
          visibilityCalls: per(load.total.visibilityCalls),
          queryCalls: per(load.total.queryCalls),
          describeCalls: per(load.total.describeCalls),
          historyCalls: per(load.total.historyCalls),
          refreshes: per(load.total.refreshes),
        },
        refreshSeconds: load.refreshSeconds,
        errors,
      };
    },
  };
}
