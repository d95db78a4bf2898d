/**
 * `factory login` and the CLI acting through the factory server, as child processes: the device-code
 * flow against the local OpenID Connect issuer (the test does the browser's part while the CLI polls),
 * the token cache (0600, refreshed when expired or refused), reads and actions through the server on a
 * wave that checks signed stamps (with Temporal unreachable from the CLI), 401 and 403 mapped to exit
 * codes, a database cutover outside its window refused for an operator, and the lead-only wave cancel.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeDeviceSignIn,
  localRoleGroups,
  startOidcIssuer,
  type RunningOidcIssuer,
} from '../../cli/stack/oidc-issuer.ts';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import { credentialsPath } from '../../cli/login/credentials.ts';
import { ExitCode } from '../../cli/operate/exit-codes.ts';
import type { Temporal } from '../../cli/operate/connection.ts';
import {
  batchProgressQuery,
  cancelWaveUpdate,
  databaseProgressQuery,
  waveProgressQuery,
} from '../../contracts/messages.ts';
import { batchWorkflowId, waveWorkflowId } from '../../contracts/ids.ts';
import { demoDatabases, demoScope } from '../../domain/demo.ts';
import type { WaveResult } from '../../domain/migration.ts';
import { buildServer } from '../../server/app.ts';
import { parseRoleGroups, type ServerConfig } from '../../server/config.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import {
  demoBatchSettings,
  refusal,
  runCli,
  stamped,
  startDatabase,
  startDemoWave,
  startHarness,
  startInProcessWorkers,
  testIdentities,
  testStampKeyId,
  testStampPrivateKey,
  trustedTestStampKeys,
  waitFor,
  type Harness,
} from './harness.ts';

const WAVE = 'cli-server-wave';
const BATCH = `${WAVE}-batch-01`;

let harness: Harness;
let workers: RunningWorkers;
let issuer: RunningOidcIssuer;
let app: FastifyInstance;
let base: string;
/** One config folder (token cache) per signed-in person. */
const homes = {
  oscar: mkdtempSync(join(tmpdir(), 'factory-oscar-')),
  leo: mkdtempSync(join(tmpdir(), 'factory-leo-')),
  nobody: mkdtempSync(join(tmpdir(), 'factory-nobody-')),
};

beforeAll(async () => {
  harness = await startHarness('cli-server', { speed: 1000 });
  workers = await startInProcessWorkers(harness);
  issuer = await startOidcIssuer({ port: 0 });
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    oidc: {
      issuer: issuer.issuer,
      audience: issuer.audience,
      clockToleranceSeconds: 5,
      groupsClaim: 'groups',
      cliClientId: issuer.clientId,
      cliScope: 'openid profile groups api',
    },
    roleGroups: parseRoleGroups(localRoleGroups),
    stamp: { keyId: testStampKeyId, privateKey: testStampPrivateKey, trustedKeys: trustedTestStampKeys },
    audit: { workflowId: `factory-audit-cli-server-${Date.now()}`, taskQueue: harness.taskQueue },
  };
  const temporal: Temporal = {
    client: harness.client,
    address: harness.workerEnv.TEMPORAL_ADDRESS ?? '',
    namespace: 'default',
    workflowUrl: (workflowId) => `http://ui.invalid/${workflowId}`,
    close: async () => {},
  };
  app = await buildServer(config, { temporal });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  // A wave that checks stamps: only updates signed by the server reach it. Its batches wait for a
  // validation sign-off after their test failover, so none commits before the test cancels the wave.
  await startDemoWave(
    harness.client,
    WAVE,
    { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue, requireValidationSignOff: true },
    harness.taskQueue,
    { trustedStampKeys: trustedTestStampKeys, startedBy: testIdentities.admin },
  );
});

afterAll(async () => {
  await app?.close();
  await issuer?.close();
  await workers?.shutdown();
  await harness?.close();
});

/**
 * The CLI's environment for one person: the server's URL, their config folder, and a Temporal address
 * nothing listens on, so every command that works went through the server.
 */
const envOf = (home: string, extra: Record<string, string> = {}) => ({
  FACTORY_SERVER_URL: base,
  XDG_CONFIG_HOME: home,
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  ...extra,
});
const cli = (home: string, args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { cwd: projectRoot, env: envOf(home, extra) });

/** `factory login` as a child process; the test signs in at the URL it prints while it polls. */
async function login(home: string, username: string, password = 'factory') {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(projectRoot, 'cli/factory.ts'), 'login'],
    { cwd: projectRoot, env: { ...process.env, ...envOf(home) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const printed = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /\(or open (\S+)\)/.exec(stdout)?.[1];
      if (url) resolve(url);
    });
    child.once('close', () => reject(new Error(`factory login ended first: ${stdout}${stderr}`)));
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  const verificationUrl = await printed;
  await completeDeviceSignIn(verificationUrl, username, password);
  const code = await closed;
  return { code, stdout, stderr };
}

const session = (home: string) => {
  const file = JSON.parse(readFileSync(credentialsPath({ XDG_CONFIG_HOME: home }), 'utf8')) as {
    current: string;
    servers: Record<string, { accessToken: string; refreshToken?: string; expiresAt: string }>;
  };
  return { file, mine: file.servers[base]! };
};

describe('factory login and the CLI through the factory server', () => {
  it('signs in with the device code, caches the tokens for the user only, and asks the server who it sees', async () => {
    const oscar = await login(homes.oscar, 'oscar');
    expect(oscar.code, oscar.stderr).toBe(0);
    expect(oscar.stdout).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/device and enter the code \S+/);
    expect(oscar.stdout).toContain(`Signed in to ${base} as Oscar Operator (operator).`);
    const path = credentialsPath({ XDG_CONFIG_HOME: homes.oscar });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    const { file, mine } = session(homes.oscar);
    expect(file.current).toBe(base);
    expect(mine.refreshToken).toBeTruthy();
    // No token ever reaches the terminal.
    expect(oscar.stdout).not.toContain(mine.accessToken);

    const leo = await login(homes.leo, 'leo');
    expect(leo.code, leo.stderr).toBe(0);

    const whoami = await cli(homes.oscar, ['whoami', '--json']);
    expect(whoami.code, whoami.stderr).toBe(0);
    const me = JSON.parse(whoami.stdout) as { actions: string[] };
    expect(me).toMatchObject({ server: base, subject: 'oscar', name: 'Oscar Operator', roles: ['operator'] });
    expect(me.actions).toContain('pause');
    expect(me.actions).not.toContain('cancel');
  });

  it('reads waves, batches and the audit through the server, with Temporal out of reach', async () => {
    await waitFor('the wave to run its batches', async () =>
      (await harness.client.workflow.getHandle(batchWorkflowId(BATCH)).query(batchProgressQuery))
        ? true
        : undefined,
    );
    const list = await cli(homes.oscar, ['wave', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { waves: { waveId: string }[] }).waves.map((w) => w.waveId)).toContain(
      WAVE,
    );
    const status = await cli(homes.oscar, ['wave', 'status', WAVE]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(WAVE);
    expect(status.stdout).toContain(BATCH);
    const batch = await cli(homes.oscar, ['batch', 'status', BATCH, '--json']);
    expect(batch.code, batch.stderr).toBe(0);
    expect(JSON.parse(batch.stdout)).toMatchObject({ batchId: BATCH, status: 'RUNNING' });
    const missing = await cli(homes.oscar, ['wave', 'status', 'cli-server-no-such-wave']);
    expect(missing.code).toBe(ExitCode.notFound);
  });

  it('acts through the server as the signed-in user: the stamped update reaches a wave that checks stamps', async () => {
    const paused = await cli(homes.oscar, ['wave', 'pause', WAVE, '--reason', 'hold for the change board']);
    expect(paused.code, paused.stderr + paused.stdout).toBe(0);
    const batch = harness.client.workflow.getHandle(batchWorkflowId(BATCH));
    expect((await batch.query(batchProgressQuery)).paused).toBe(true);
    // `--by` has no place: the server records the verified identity.
    const by = await cli(homes.oscar, ['wave', 'resume', WAVE, '--by', 'someone', '--reason', 'x']);
    expect(by.code).toBe(ExitCode.usage);
    expect(by.stderr).toMatch(/--by is not used with the factory server/);

    const audit = await cli(homes.oscar, ['audit', WAVE]);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/pause\s+Oscar Operator: hold for the change board/);
  });

  it('maps 403 to the refused exit code with the role needed, and records it in the audit', async () => {
    const rollback = await cli(homes.oscar, ['wave', 'rollback', WAVE, '--batch', BATCH, '--reason', 'try']);
    expect(rollback.code).toBe(ExitCode.refused);
    expect(rollback.stderr).toMatch(
      /refused: rollback needs the role lead or admin; Oscar Operator has operator/,
    );
    const audit = await cli(homes.oscar, ['audit', WAVE, '--json']);
    const entries = (
      JSON.parse(audit.stdout) as { entries: { action: string; outcome?: string; by?: string }[] }
    ).entries;
    expect(
      entries.some((e) => e.action === 'rollback' && e.outcome === 'refused' && e.by === 'Oscar Operator'),
    ).toBe(true);
  });

  it('refuses an operator a database cutover outside its window, forced or not', async () => {
    const demo = demoDatabases(demoScope).find((db) => db.spec.id === 'payroll-db-01.payroll')!;
    const spec = { ...demo.spec, id: 'cli-server.payroll-db-01.payroll' };
    // The window is tomorrow: now is outside it.
    const window = {
      start: new Date(Date.now() + 86_400_000).toISOString(),
      end: new Date(Date.now() + 90_000_000).toISOString(),
    };
    const database = await startDatabase(harness, spec, {
      notifyWorkflowId: 'batch-cli-server-not-running',
      extra: { trustedStampKeys: trustedTestStampKeys, cutoverWindow: window },
    });
    try {
      await waitFor('the database to answer its query', async () =>
        (await database.query(databaseProgressQuery)) ? true : undefined,
      );
      const cutover = await cli(homes.oscar, ['db', 'cutover', spec.id, '--reason', 'now please']);
      expect(cutover.code).toBe(ExitCode.refused);
      // Past the server (an operator may cut over in the window), refused by the workflow: outside it needs a lead.
      expect(cutover.stderr).toMatch(/refused: Refused cutoverDatabaseNow: it needs the lead role/);
      const forced = await cli(homes.oscar, ['db', 'cutover', spec.id, '--force', '--reason', 'now please']);
      expect(forced.code).toBe(ExitCode.refused);
      expect(forced.stderr).toMatch(/force-database-cutover needs the role lead or admin/);
      const status = await cli(homes.oscar, ['db', 'status', spec.id, '--json']);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ databaseId: spec.id, cutoverCompleted: false });
    } finally {
      if ((await database.describe()).status.name === 'RUNNING') await database.terminate('test done');
    }
  });

  it('refreshes an expired access token with the refresh token, and a refused one once', async () => {
    const before = session(homes.oscar).mine;
    const { file } = session(homes.oscar);
    const path = credentialsPath({ XDG_CONFIG_HOME: homes.oscar });
    // As the cache looks once the token's lifetime is over.
    file.servers[base] = { ...before, expiresAt: new Date(Date.now() - 60_000).toISOString() };
    writeFileSync(path, JSON.stringify(file));
    const whoami = await cli(homes.oscar, ['whoami']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toContain('Oscar Operator (oscar)');
    const refreshed = session(homes.oscar).mine;
    expect(refreshed.accessToken).not.toBe(before.accessToken);
    expect(Date.parse(refreshed.expiresAt)).toBeGreaterThan(Date.now());
    expect(statSync(path).mode & 0o777).toBe(0o600);

    // A token the server refuses though it has not expired (revoked, rotated keys): refreshed, retried once.
    writeFileSync(
      path,
      JSON.stringify({ ...file, servers: { [base]: { ...refreshed, accessToken: 'not-a-jwt' } } }),
    );
    const again = await cli(homes.oscar, ['whoami']);
    expect(again.code, again.stderr).toBe(0);
    expect(session(homes.oscar).mine.accessToken).not.toBe('not-a-jwt');
  });

  it('answers 401 with "run factory login"', async () => {
    const none = await cli(homes.nobody, ['wave', 'list']);
    expect(none.code).toBe(ExitCode.notSignedIn);
    expect(none.stderr).toMatch(new RegExp(`not signed in to ${base}: run \`factory login ${base}\``));
    // A token the server does not accept, and no refresh token to get another.
    const path = credentialsPath({ XDG_CONFIG_HOME: homes.nobody });
    mkdirSync(dirname(path), { recursive: true });
    const { mine } = session(homes.oscar);
    const { refreshToken: _dropped, ...withoutRefresh } = mine;
    writeFileSync(
      path,
      JSON.stringify({ current: base, servers: { [base]: { ...withoutRefresh, accessToken: 'forged' } } }),
    );
    const forged = await cli(homes.nobody, ['wave', 'list']);
    expect(forged.code).toBe(ExitCode.notSignedIn);
    expect(forged.stderr).toMatch(
      /does not accept the sign-in \(the access token is not valid .*\): run `factory login/,
    );
  });

  it('lets a lead cancel the wave and refuses an operator; the cancelled wave rolls its batches back', async () => {
    const refused = await cli(homes.oscar, ['wave', 'cancel', WAVE, '--reason', 'not mine to cancel']);
    expect(refused.code).toBe(ExitCode.refused);
    expect(refused.stderr).toMatch(/cancel needs the role lead or admin/);
    const withoutReason = await cli(homes.leo, ['wave', 'cancel', WAVE]);
    expect(withoutReason.code).toBe(ExitCode.usage);

    const wave = harness.client.workflow.getHandle(waveWorkflowId(WAVE));
    // The workflow checks the role itself: an operator's stamp, sent straight to Temporal, is refused.
    const operatorCancel = stamped(
      'cancelWave',
      wave.workflowId,
      { reason: 'direct' },
      testIdentities.operator,
    );
    expect(await refusal(wave.executeUpdate(cancelWaveUpdate, { args: [operatorCancel] }))).toMatch(
      /Refused cancelWave: it needs the lead role/,
    );
    const started = (await wave.query(waveProgressQuery)).batches.filter((b) => b.phase !== 'pending');
    expect(started.length).toBeGreaterThan(0);
    const cancelled = await cli(homes.leo, [
      'wave',
      'cancel',
      WAVE,
      '--reason',
      'business decision',
      '--ticket',
      'CHG-9',
    ]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(/is being cancelled by Leo Lead/);

    const result = (await wave.result()) as WaveResult;
    expect((await wave.query(waveProgressQuery)).phase).toBe('cancelled');
    // Every batch it had started ends rolled back (none had committed: they wait for a sign-off).
    for (const batch of started)
      expect(result.batches.find((b) => b.batchId === batch.batchId)?.phase, batch.batchId).toBe(
        'rolled-back',
      );
    const audit = await cli(homes.leo, ['audit', WAVE]);
    expect(audit.stdout).toMatch(/cancelWave\s+Leo Lead \[CHG-9\]: business decision/);
  });

  it('cancels a wave still waiting for its approval at once: nothing started, nothing to roll back', async () => {
    const waveId = `${WAVE}-awaiting`;
    const wave = await startDemoWave(
      harness.client,
      waveId,
      { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue },
      harness.taskQueue,
      { trustedStampKeys: trustedTestStampKeys, startedBy: testIdentities.admin, requireApproval: true },
    );
    await waitFor('the wave to wait for its approval', async () =>
      (await wave.query(waveProgressQuery)).phase === 'awaiting-approval' ? true : undefined,
    );
    const cancelled = await cli(homes.leo, ['wave', 'cancel', waveId, '--reason', 'descoped']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const result = await wave.result();
    expect(result.batches).toEqual([]);
    const progress = await wave.query(waveProgressQuery);
    expect(progress.phase).toBe('cancelled');
    expect(progress.detail).toBe('Cancelled by Leo Lead: descoped');
  });

  it('signs out: the tokens are gone and the CLI asks to sign in again', async () => {
    const logout = await cli(homes.leo, ['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain(`Signed out of ${base} (Leo Lead)`);
    expect(existsSync(credentialsPath({ XDG_CONFIG_HOME: homes.leo }))).toBe(false);
    const whoami = await cli(homes.leo, ['whoami']);
    expect(whoami.code).toBe(ExitCode.notSignedIn);
  });
});
