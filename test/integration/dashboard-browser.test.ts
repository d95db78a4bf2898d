/**
 * The operations dashboard in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) signs in through the local OpenID Connect issuer's form, opens the program page of a
 * running 100-VM program whose waves the server started with trusted stamp keys, sees progress change
 * without reloading, finds a batch held by a simulator fault in "needs a decision now" (a viewer sees the
 * retry disabled with the role it needs), retries it as an operator, and the batch workflow resumes.
 * Screenshots of the pages go to docs/screenshots/ (linked from docs/dashboard.md).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../../cli/stack/chromium.ts';
import {
  deviceCodeToken,
  localRoleGroups,
  startOidcIssuer,
  type RunningOidcIssuer,
} from '../../cli/stack/oidc-issuer.ts';
import { startDevServer, type RunningDevServer } from '../../cli/stack/dev-server.ts';
import { freePort } from '../../cli/stack/ports.ts';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import type { Temporal } from '../../cli/operate/connection.ts';
import { batchWorkflowId, waveWorkflowId } from '../../contracts/ids.ts';
import { batchProgressQuery, waveProgressQuery } from '../../contracts/messages.ts';
import { buildServer } from '../../server/app.ts';
import { parseRoleGroups, type ServerConfig } from '../../server/config.ts';
import type { DashboardLoad } from '../../server/dashboard/program-data.ts';
import type { WaveGate } from '../../domain/plan/wave-gate.ts';
import { loadPlan } from '../../workspace/plan-files.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import {
  cliEnv,
  runCli,
  seedWorkspace,
  startHarness,
  startInProcessWorkers,
  testStampKeyId,
  testStampPrivateKey,
  trustedTestStampKeys,
  waitFor,
  type Harness,
} from './harness.ts';

const screenshots = join(projectRoot, 'docs', 'screenshots');

let harness: Harness;
/** A Temporal of its own: the program page shows every wave in Temporal, and the plan's wave ids are shared. */
let temporalServer: RunningDevServer | undefined;
let workers: RunningWorkers;
let issuer: RunningOidcIssuer;
let app: FastifyInstance;
let browser: Browser;
let base: string;
let workspace: string;
let heldBatch: string;
let heldVm: string;
let waveIds: string[];
let operatorToken: string;

async function signIn(page: Page, username: string) {
  await page.goto(`${base}/dashboard`);
  // The issuer's own sign-in form (oidc-provider interaction), reached through the authorization request.
  await page.getByLabel('User').fill(username);
  await page.getByLabel('Password').fill('factory');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/dashboard`);
  await page.getByRole('heading', { name: 'Program', level: 1 }).waitFor();
}

beforeAll(async () => {
  const executablePath = ensureChromium(console.log);
  temporalServer = await startDevServer({ port: await freePort() });
  harness = await startHarness('dashboard', { speed: 4000, temporalAddress: temporalServer.address });
  const root = mkdtempSync(join(tmpdir(), 'mf-dashboard-'));
  workspace = join(root, 'ws');
  const env = cliEnv(harness);
  for (const args of [
    ['estate', 'generate', '--vms', '100', '--seed', '23', '-o', join(root, 'estate')],
    ['import', join(root, 'estate'), '-w', workspace],
    ['assess', '-w', workspace, '--as-of', '2026-01-15'],
    ['plan', '-w', workspace, '--start', '2099-01-05'],
  ]) {
    const run = await runCli(args, { cwd: projectRoot, env });
    expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(0);
  }
  await seedWorkspace(harness, workspace);
  // The server starts waves from the workspace with the settings a server process reads from its environment.
  Object.assign(process.env, env);
  workers = await startInProcessWorkers(harness);

  const plan = await loadPlan(workspace);
  waveIds = plan.waves.map((w) => w.id);
  const firstBatch = plan.waves[0]!.batches[0]!;
  heldBatch = firstBatch.id;
  const serverId = firstBatch.bootGroups.flatMap((g) => g.servers)[0]!;
  heldVm = plan.servers.find((s) => s.id === serverId || s.name === serverId)!.name;
  // One VM of the first batch fails its enable once: the batch holds for an operator.
  await harness.admin.configureFaults({ targeted: [{ vm: heldVm, fault: 'EnableDr', count: 1 }] });

  const port = await freePort();
  const redirectUrl = `http://127.0.0.1:${port}/auth/callback`;
  issuer = await startOidcIssuer({ port: 0, redirectUris: [redirectUrl] });
  const config: ServerConfig = {
    host: '127.0.0.1',
    port,
    oidc: {
      issuer: issuer.issuer,
      audience: issuer.audience,
      clockToleranceSeconds: 5,
      groupsClaim: 'groups',
    },
    roleGroups: parseRoleGroups(localRoleGroups),
    stamp: { keyId: testStampKeyId, privateKey: testStampPrivateKey, trustedKeys: trustedTestStampKeys },
    workspace,
    audit: { workflowId: `factory-audit-dashboard-${Date.now()}`, taskQueue: harness.taskQueue },
    dashboard: {
      clientId: issuer.clientId,
      redirectUrl,
      scope: 'openid profile groups api',
      resource: issuer.audience,
      sessionKey: crypto.getRandomValues(new Uint8Array(32)),
      ephemeralSessionKey: true,
      refreshSeconds: 2,
    },
  };
  const temporal: Temporal = {
    client: harness.client,
    address: env.TEMPORAL_ADDRESS ?? '',
    namespace: 'default',
    workflowUrl: (workflowId) => `http://ui.invalid/${workflowId}`,
    close: async () => {},
  };
  app = await buildServer(config, { temporal });
  base = (await app.listen({ host: '127.0.0.1', port })).replace('localhost', '127.0.0.1');

  // An admin starts every planned wave through the API, without an approval (a lead's call): the server
  // signs each start and the waves trust only its key, so every later action must come through it too.
  operatorToken = await deviceCodeToken(issuer, 'oscar', 'factory');
  const adminToken = await deviceCodeToken(issuer, 'ada', 'factory');
  // An operator may not skip the approval: refused before anything starts, so the same wave can start after.
  const skipped = await fetch(`${base}/api/waves/${waveIds[0]}/start`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'no approval please', profile: 'simulator', requireApproval: false }),
  });
  expect(skipped.status).toBe(409);
  expect(((await skipped.json()) as { reason: string }).reason).toMatch(
    /without an approval needs the lead role/,
  );
  for (const waveId of waveIds) {
    const response = await fetch(`${base}/api/waves/${waveId}/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        reason: 'dashboard browser test',
        profile: 'simulator',
        requireApproval: false,
        maxConcurrentBatches: 3,
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
  }
  // Waves whose gate refuses (VMs the assessment rates not Ready) are approved with waivers by an approver.
  const approverToken = await deviceCodeToken(issuer, 'april', 'factory');
  const api = async (token: string, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  for (const waveId of waveIds) {
    const wave = await waitFor(`${waveId} past loading`, async () => {
      const { status, body } = await api(approverToken, 'GET', `/api/waves/${waveId}`);
      return status === 200 && body.phase !== 'loading' ? body : undefined;
    });
    if (wave.phase !== 'gate-refused') continue;
    const gate = wave.gate as WaveGate;
    const reason = 'pilot: accepted for the dashboard test';
    const approved = await api(approverToken, 'POST', `/api/waves/${waveId}/approve`, {
      reason,
      waivers: gate.notReady.map((s) => ({ server: s.server, reason })),
      preflightWaivers: (gate.preflight ?? []).map((c) => ({ check: c.name, reason })),
      acceptCapacityViolations: gate.capacity.length > 0,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  }
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await issuer?.close();
  await workers?.shutdown();
  await harness?.close();
  await temporalServer?.stop();
});

/** Opens the decision list until it shows the held batch (the server's snapshot may be seconds old). */
async function openHeldDecision(page: Page) {
  const item = page.locator(`article[data-kind="held-batch"][data-subject="${heldBatch}"]`);
  await waitFor(
    'the held batch in the decision list',
    async () => {
      await page.goto(`${base}/dashboard/decisions`);
      return (await item.count()) > 0 ? true : undefined;
    },
    60_000,
  ).catch(async (error: unknown) => {
    writeFileSync(join(tmpdir(), 'dashboard-decisions.html'), await page.content());
    throw error;
  });
  return item;
}

const step = (what: string) => console.log(`${new Date().toISOString()} ${what}`);

const batchProgress = (batchId: string) =>
  harness.client.workflow.getHandle(batchWorkflowId(batchId)).query(batchProgressQuery);

describe('operations dashboard in headless Chromium', () => {
  it(
    'signs in through the issuer, shows live progress, and retries a held batch from "needs a decision"',
    { timeout: 900_000 },
    async () => {
      mkdirSync(screenshots, { recursive: true });
      const operator = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await operator.newPage();
      page.setDefaultTimeout(30_000);
      step('signing in');
      await signIn(page, 'oscar');
      step('signed in');
      await page.getByText('Signed in as Oscar Operator (operator)').waitFor();
      const cookies = await operator.cookies();
      const session = cookies.find((c) => c.name === 'factory_session');
      expect(session?.httpOnly).toBe(true);
      expect(session?.sameSite).toBe('Strict');
      // Page scripts cannot read the session (HttpOnly).
      expect(await page.evaluate<string>('document.cookie')).not.toContain('factory_session');

      // Live: the counts and the waves table (waves by state, VMs and databases by stage, each wave's
      // batches by stage) change without a reload: htmx polls the server's shared snapshot.
      const progress = async () =>
        `${await page.locator('#program-live .tables').innerText()}\n${await page.locator('#waves').innerText()}`;
      await page.locator('#waves').waitFor();
      const first = await progress();
      // A mark on the window survives only if the page is not reloaded.
      await page.evaluate('window.notReloaded = true');
      const seen: string[] = [];
      page.on('framenavigated', (frame) => seen.push(`navigated ${frame.url()}`));
      await waitFor(
        'the program to change without a reload',
        async () => ((await progress()) !== first ? true : undefined),
        180_000,
      ).catch(async (error: unknown) => {
        writeFileSync(join(tmpdir(), 'dashboard-stuck.html'), await page.content());
        const fragment = await page.request.get(`${base}/dashboard/fragments/program`);
        console.log('program fragment', fragment.status(), (await fragment.text()).slice(0, 2000));
        throw error;
      });
      expect(await progress()).not.toBe(first);
      expect(await page.evaluate<boolean>('window.notReloaded === true'), seen.join('\n')).toBe(true);
      step('live change seen');
      await page.screenshot({ path: join(screenshots, 'dashboard-program.png'), fullPage: true });

      // The fault holds the batch; the decision list offers the retry.
      await waitFor(
        `${heldBatch} held`,
        async () => ((await batchProgress(heldBatch)).phase === 'awaiting-operator' ? true : undefined),
        240_000,
      );
      await harness.admin.configureFaults({});
      step('batch held');

      // A viewer sees the same decision with the retry disabled, and why.
      const viewerContext = await browser.newContext();
      const viewerPage = await viewerContext.newPage();
      await signIn(viewerPage, 'viola');
      const viewerItem = await openHeldDecision(viewerPage);
      const viewerRetry = viewerItem.getByRole('button', { name: 'Retry', exact: true });
      expect(await viewerRetry.isDisabled()).toBe(true);
      expect(await viewerItem.innerText()).toContain('Needs the operator or admin role; you have viewer.');
      await viewerContext.close();

      const item = await openHeldDecision(page);
      expect(await item.innerText()).toContain(heldVm);
      await page.screenshot({ path: join(screenshots, 'dashboard-decisions.png'), fullPage: true });
      await item.getByLabel('Reason (recorded in the audit)').fill('fault cleared; retry from the dashboard');
      step('retrying');
      await item.getByRole('button', { name: 'Retry', exact: true }).click();
      await item
        .locator('.result')
        .getByText(/^Done: /)
        .waitFor({ timeout: 60_000 });

      // The batch workflow took the retry: the VM is no longer parked and the batch moved on.
      const resumed = await waitFor(
        `${heldBatch} resumed`,
        async () => {
          const progress = await batchProgress(heldBatch);
          const vm = progress.vms.find((v) => v.name === heldVm);
          return progress.phase !== 'awaiting-operator' && vm?.disposition === 'active'
            ? progress
            : undefined;
        },
        60_000,
      );
      expect(resumed.phase).not.toBe('awaiting-operator');
      // The audit names the signed-in operator and the reason typed on the page.
      const audit = (await (
        await fetch(`${base}/api/waves/${waveIds[0]}/audit`, {
          headers: { authorization: `Bearer ${operatorToken}` },
        })
      ).json()) as { entries: { action: string; by?: string; reason?: string }[] };
      expect(audit.entries).toContainEqual(
        expect.objectContaining({
          action: 'retry',
          by: 'Oscar Operator',
          reason: 'fault cleared; retry from the dashboard',
        }),
      );

      // Wave and batch pages, and the plan's charts.
      await page.goto(`${base}/dashboard/waves/${waveIds[0]}`);
      await page.locator('#batches').waitFor();
      expect(await page.locator('#batches').innerText()).toContain(heldBatch);
      await page.screenshot({ path: join(screenshots, 'dashboard-wave.png'), fullPage: true });
      await page.goto(`${base}/dashboard/batches/${heldBatch}`);
      await page.locator('#vms').waitFor();
      expect(await page.locator('#vms').innerText()).toContain(heldVm);
      await page.screenshot({ path: join(screenshots, 'dashboard-batch.png'), fullPage: true });
      await page.goto(`${base}/dashboard/plan`);
      await page.locator('#gantt svg').waitFor();
      await page.screenshot({ path: join(screenshots, 'dashboard-plan.png'), fullPage: true });

      // The server's reads of Temporal for everything above, with two browsers open.
      const load = (await (await page.request.get(`${base}/dashboard/load.json`)).json()) as DashboardLoad;
      writeFileSync(join(tmpdir(), 'dashboard-load.json'), JSON.stringify(load, null, 2));
      console.log(`dashboard load (100 VMs, ${waveIds.length} waves): ${JSON.stringify(load)}`);
      // The program snapshot is shared: at most one refresh per refresh interval, however many pollers.
      expect(load.lastMinute.refreshes).toBeLessThanOrEqual(60 / load.refreshSeconds + 1);
      expect(load.total.visibilityCalls).toBeGreaterThan(0);
      await operator.close();

      const wave = await harness.client.workflow
        .getHandle(waveWorkflowId(waveIds[0]!))
        .query(waveProgressQuery);
      expect(wave.batches.map((b) => b.batchId)).toContain(heldBatch);
    },
  );

  it('refuses a dashboard action without the CSRF header, and sends a signed-out browser to sign in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'oscar');
    const response = await page.request.post(`${base}/dashboard/actions`, {
      form: { action: 'retry', waveId: waveIds[0]!, batchId: heldBatch, reason: 'no csrf header' },
    });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain('CSRF');
    await context.close();
    const anonymous = await fetch(`${base}/dashboard`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?returnTo=%2Fdashboard');
  });
});
