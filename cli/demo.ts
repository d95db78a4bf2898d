/**
 * `factory demo`: the main job on embedded defaults, done the way people do it. It plans a small Contoso
 * estate (generate exports, import, assess, plan — as `factory` would), starts the embedded stack with the
 * factory server and the local OpenID Connect issuer, and then acts only through the server's HTTP API with
 * the local users' tokens, obtained through the real device-code flow: Oscar (operator) starts the plan's
 * first wave, April (approver) approves it with waivers for what the assessment flagged. The server signs
 * each action with the stack's stamp key and the wave, started with that key, verifies it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry } from './operate/audit-history.ts';
import type { WaveSnapshot } from './operate/wave-view.ts';
import type { DatabaseOutcome, VmOutcome } from '../domain/migration.ts';
import { runAssess } from './assess/assess-command.ts';
import { runGenerate } from './assess/generate-command.ts';
import { runImport } from './assess/import-command.ts';
import { runPlan } from './plan/plan-command.ts';
import { defaultDataDir, startEmbeddedStack } from './stack/embedded.ts';
import { deviceCodeToken } from './stack/oidc-issuer.ts';
import { defaultPorts } from './stack/ports.ts';
import { seedSimulatorFromWorkspace } from './stack/seed-workspace.ts';

/** Who does what in the demo: local users of the stack's issuer (cli/stack/oidc-issuer.ts). */
export const demoPeople = { operator: 'oscar', approver: 'april' } as const;
const demoIntent = { reason: 'npm start: the demo wave', ticket: 'DEMO-1' };

/** The demo's estate: 30 VMs of a generated Contoso, whose first wave has 10 VMs in 5 batches and databases. */
const demoEstate = { vms: 30, seed: 7, asOf: '2026-01-15', planStart: '2026-02-02' };

/** Generates the demo estate's exports and imports, assesses and plans them, as `factory` would. */
export async function planDemoWorkspace(dir: string): Promise<string> {
  const inputs = join(dir, 'exports');
  const workspace = join(dir, 'workspace');
  await runGenerate({ vms: demoEstate.vms, seed: demoEstate.seed, out: inputs, print: () => undefined });
  const imported = await runImport({ paths: [inputs], workspace, print: () => undefined });
  if (!imported.ok) throw new Error(`demo import failed: ${imported.errors[0]?.rule ?? 'unknown error'}`);
  await runAssess({ workspace, asOf: demoEstate.asOf, print: () => undefined });
  await runPlan({ workspace, start: demoEstate.planStart, print: () => undefined });
  return workspace;
}

/** A failed request to the factory server: its status and the reason it gave. */
export class FactoryApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'FactoryApiError';
  }
}

/** One signed-in person's calls to the factory server: their access token on every request. */
export function factoryApi(baseUrl: string, token: string) {
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const payload = (await response.json().catch(() => ({}))) as { reason?: string; error?: string };
    if (!response.ok)
      throw new FactoryApiError(
        response.status,
        `${method} ${path}: ${response.status} ${payload.reason ?? payload.error ?? response.statusText}`,
      );
    return payload as T;
  };
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
  };
}

export interface DemoServer {
  url: string;
  issuer: { issuer: string; clientId: string; audience: string };
  password: string;
}

export interface DemoWaveOutcome {
  snapshot: WaveSnapshot;
  counts: Record<VmOutcome, number>;
  databases: { databaseId: string; outcome?: DatabaseOutcome; phase: string; detail?: string }[];
  databaseCounts: Record<DatabaseOutcome, number>;
  /** The wave's audit trail as the server reports it: who did what, verified. */
  audit: AuditEntry[];
}

const noOutcomes = (): Record<VmOutcome, number> => ({
  migrated: 0,
  'rolled-back': 0,
  deferred: 0,
  'failed-needs-attention': 0,
});

/**
 * Runs one wave of the server's workspace as people do: Oscar starts it, April approves it (waiving the VMs
 * the gate names, accepting capacity findings), and Oscar follows it through the API until it ends — one
 * line per change of any batch's phase or replication decile.
 */
export async function runDemoWave(options: {
  server: DemoServer;
  waveId: string;
  /** The workspace the server starts from: names the wave's databases, read back through the API. */
  workspace: string;
  print: (line: string) => void;
}): Promise<DemoWaveOutcome> {
  const { server, waveId, print } = options;
  const signIn = async (username: string) => {
    const token = await deviceCodeToken(server.issuer, username, server.password);
    return factoryApi(server.url, token);
  };
  const oscar = await signIn(demoPeople.operator);
  const april = await signIn(demoPeople.approver);
  print(
    `Signed in ${demoPeople.operator} (operator) and ${demoPeople.approver} (approver) at ${server.issuer.issuer} (device code)`,
  );

  const started = await oscar.post<{ message: string }>(`/api/waves/${encodeURIComponent(waveId)}/start`, {
    ...demoIntent,
    profile: 'simulator',
    maxConcurrentBatches: 5,
    requireApproval: true,
    // The plan's windows are weeks apart on the calendar: the demo cuts over once validated.
    cutoverWhenReady: true,
  });
  print(`${demoPeople.operator}: ${started.message}`);

  const begun = Date.now();
  let last = '';
  let approved = false;
  let snapshot: WaveSnapshot | undefined;
  let failedReads = 0;
  const maxFailedReads = 20;
  for (;;) {
    try {
      snapshot = await oscar.get<WaveSnapshot>(`/api/waves/${encodeURIComponent(waveId)}`);
      failedReads = 0;
    } catch (error) {
      // A wave (or a batch it just started) answers queries once a worker ran its first task; until then
      // the server cannot read it. Anything else, or a read failing for long, ends the demo.
      failedReads += 1;
      if (!(error instanceof FactoryApiError) || error.status < 500 || failedReads > maxFailedReads)
        throw error;
    }
    if (snapshot) {
      if (!approved && (snapshot.phase === 'gate-refused' || snapshot.phase === 'awaiting-approval')) {
        approved = true;
        const notReady = snapshot.gate?.notReady ?? [];
        print(
          `${demoPeople.approver}: approving wave ${waveId}${notReady.length ? ` with waivers for ${notReady.length} VM(s) not Ready (${notReady.map((s) => s.server).join(', ')})` : ''}`,
        );
        const answer = await april.post<{ message: string }>(
          `/api/waves/${encodeURIComponent(waveId)}/approve`,
          {
            ...demoIntent,
            waivers: notReady.map((s) => ({
              server: s.server,
              reason: `demo: migrated although ${s.readiness} (${s.reasons[0] ?? 'no reason given'})`,
            })),
            acceptCapacityViolations: (snapshot.gate?.capacity.length ?? 0) > 0,
          },
        );
        print(`${demoPeople.approver}: ${answer.message}`);
      }
      const parts = snapshot.batches.map((batch) =>
        batch.phase === 'replicating' && batch.replicationPercent !== undefined
          ? `${batch.batchId}: replicating ${Math.floor(batch.replicationPercent / 10) * 10}%`
          : `${batch.batchId}: ${batch.phase}`,
      );
      const line = parts.length > 0 ? parts.join(' | ') : snapshot.phase;
      if (line !== last) print(`[${((Date.now() - begun) / 1000).toFixed(0).padStart(3)} s] ${line}`);
      last = line;
      if (snapshot.status !== 'RUNNING') break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  const counts = noOutcomes();
  for (const [disposition, n] of Object.entries(snapshot.vms)) {
    if (disposition === 'migrated' || disposition === 'rolled-back') counts[disposition] += n;
    else if (disposition === 'skipped') counts.deferred += n;
    else counts['failed-needs-attention'] += n;
  }
  const plan = JSON.parse(readFileSync(join(options.workspace, 'plan.json'), 'utf8')) as {
    waves: { id: string; databases: string[] }[];
  };
  const databaseIds = plan.waves.find((w) => w.id === waveId)?.databases ?? [];
  const databases = await Promise.all(
    databaseIds.map(async (databaseId) => {
      try {
        return await oscar.get<DemoWaveOutcome['databases'][number]>(
          `/api/databases/${encodeURIComponent(databaseId)}`,
        );
      } catch (error) {
        // A database the factory does not migrate (the plan names why) has no workflow.
        if (error instanceof FactoryApiError && error.status === 404)
          return { databaseId, phase: 'not-started' };
        throw error;
      }
    }),
  );
  const databaseCounts = noOutcomes();
  for (const db of databases.filter((d) => d.phase !== 'not-started'))
    databaseCounts[db.outcome ?? 'failed-needs-attention'] += 1;
  const { entries } = await oscar.get<{ entries: AuditEntry[] }>(
    `/api/waves/${encodeURIComponent(waveId)}/audit`,
  );
  return { snapshot, counts, databases, databaseCounts, audit: entries };
}

export async function runDemo(options: {
  speed: number;
  print: (line: string) => void;
  serverPort?: number;
  issuerPort?: number;
}) {
  const { print } = options;
  const started = Date.now();
  // Every demo starts from scratch in its own folder; `npm run stack` keeps using .data.
  const dataDir = join(defaultDataDir, 'demo');
  rmSync(dataDir, { recursive: true, force: true });
  print(`Planning a ${demoEstate.vms}-VM Contoso estate: generate exports, import, assess, plan ...`);
  const workspace = await planDemoWorkspace(dataDir);
  print(
    'Starting the embedded stack (Temporal dev server, Azurite, Azure simulator, workers, issuer, server) ...',
  );
  const stack = await startEmbeddedStack({
    temporalPort: defaultPorts.temporal,
    uiPort: defaultPorts.ui,
    simulatorPort: defaultPorts.simulator,
    azuritePort: defaultPorts.azurite,
    serverPort: options.serverPort ?? defaultPorts.server,
    issuerPort: options.issuerPort ?? defaultPorts.issuer,
    workspace,
    dataDir,
    persist: true,
    speed: options.speed,
    log: print,
  });
  try {
    const { controlPlane } = stack;
    print(`  Temporal    ${stack.temporal.address}  (Web UI ${stack.temporal.uiUrl})`);
    print(`  Simulator   ${stack.simulator.endpoint}  (CA ${stack.simulator.caCertPath})`);
    print(`  Artifacts   ${stack.azurite.blobEndpoint} (Azurite)`);
    print(
      `  Server      ${controlPlane.url}  (issuer ${controlPlane.issuer.issuer}, local password '${controlPlane.password}')`,
    );
    const seeded = await seedSimulatorFromWorkspace(stack.admin, workspace, { maxDiskUsedGiB: 64 });
    print(
      `  workspace ${workspace}; simulator seeded with ${seeded.vms} VMs and ${seeded.databases} databases`,
    );
    const outcome = await runDemoWave({
      server: { url: controlPlane.url, issuer: controlPlane.issuer, password: controlPlane.password },
      waveId: 'wave-01',
      workspace,
      print: (line) => print(`  ${line}`),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    print('');
    const { counts, databaseCounts: dbs } = outcome;
    print(
      `Summary: wave ${outcome.snapshot.status.toLowerCase()}; ${counts.migrated} VMs migrated, ${counts['failed-needs-attention']} failed, ${counts['rolled-back']} rolled back, ${counts.deferred} deferred; ${seconds} s elapsed.`,
    );
    print(
      `         ${dbs.migrated} databases migrated, ${dbs['failed-needs-attention']} failed, ${dbs['rolled-back']} rolled back, ${dbs.deferred} deferred.`,
    );
    for (const batch of outcome.snapshot.batches)
      print(
        `  ${batch.batchId}: ${batch.phase}${batch.parked[0] ? ` — ${batch.parked[0].reason ?? ''}` : ''}`,
      );
    for (const db of outcome.databases.filter((d) => d.outcome !== 'migrated'))
      print(`  database ${db.databaseId}: ${db.outcome ?? db.phase}${db.detail ? ` — ${db.detail}` : ''}`);
    print('Audit (identities verified by the server, stamps verified by the workflows):');
    for (const entry of outcome.audit)
      print(
        `  ${entry.at}  ${entry.action.padEnd(12)} by ${entry.by ?? '?'}${entry.outcome === 'refused' ? ' (refused)' : ''}`,
      );
    print(
      `Dashboard: ${controlPlane.url}/dashboard/waves/wave-01 — the demo stops its stack now; \`npm run stack -- --data-dir ${dataDir} --workspace ${workspace}\` serves it again (history in ${dataDir}).`,
    );
    return outcome;
  } finally {
    await stack.stop();
  }
}
