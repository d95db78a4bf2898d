/**
 * `npm run histories:record`: runs the demo program (the demo's first wave, as `npm start` plans it) and a
 * short chaos program (faults, worker kills, a Temporal and a simulator restart) on the simulator, and
 * writes one history per workflow type and variant to test/histories/<package version>/, with an index.json
 * manifest. Run it once per release and commit the folder: test/integration/replay-stored.test.ts replays
 * every stored version against the current code (docs/upgrades.md).
 *
 *   npm run histories:record [-- --vms 100 --kills 5 --force]
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { planDemoWorkspace } from '../cli/demo.ts';
import { approveWaveUpdate, waveProgressQuery } from '../contracts/messages.ts';
import type { WaveResult } from '../domain/migration.ts';
import { prepareWave, startWaveWorkflow } from '../cli/operate/wave-start.ts';
import { projectRoot } from '../cli/stack/temporal-cli.ts';
import { seedSimulatorFromWorkspace } from '../cli/stack/seed-workspace.ts';
import { demoScope } from '../domain/demo.ts';
import { parseBenchArgs, runBench } from './harness.ts';
import { BenchStack } from './stack.ts';
import {
  findSecret,
  historyToJson,
  historiesRoot,
  manifestName,
  type StoredHistoryEntry,
  type StoredHistoryManifest,
} from './stored-histories.ts';

const argv = process.argv.slice(2);
const force = argv.includes('--force');
const log = (line: string) => console.log(line);
const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
const sdk = JSON.parse(
  readFileSync(join(projectRoot, 'node_modules/@temporalio/worker/package.json'), 'utf8'),
) as { version: string };
const outDir = join(historiesRoot, pkg.version);
if (existsSync(join(outDir, manifestName)) && !force) {
  console.error(
    `${outDir} already holds the histories of ${pkg.version}: a released version's histories are not re-recorded. ` +
      'Bump "version" in package.json for a new release, or pass --force to replace them (before the release only).',
  );
  process.exit(2);
}

type History = temporal.api.history.v1.IHistory;

interface Candidate {
  info: WorkflowExecutionInfo;
  history: History;
  variant: string;
}

/** How a run differs from others of its type: close, accepted updates, signals, continue-as-new, failures. */
function variantOf(history: History): string {
  const events = history.events ?? [];
  const last = events[events.length - 1];
  const close = last?.workflowExecutionCompletedEventAttributes
    ? 'completed'
    : last?.workflowExecutionContinuedAsNewEventAttributes
      ? 'continued-as-new'
      : last?.workflowExecutionFailedEventAttributes
        ? 'failed'
        : last?.workflowExecutionTerminatedEventAttributes
          ? 'terminated'
          : last?.workflowExecutionCanceledEventAttributes
            ? 'cancelled'
            : 'open';
  const updates = new Set<string>();
  const signals = new Set<string>();
  let activityFailures = false;
  for (const e of events) {
    const update = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    if (update) updates.add(update);
    const signal = e.workflowExecutionSignaledEventAttributes?.signalName;
    if (signal) signals.add(signal);
    if (e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes) activityFailures = true;
  }
  const continued = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
  return [
    close,
    ...[...updates].sort(),
    ...[...signals].sort().map((s) => `signal-${s}`),
    ...(continued ? ['from-continue-as-new'] : []),
    ...(activityFailures ? ['activity-failures'] : []),
  ].join('+');
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9.+-]+/g, '-');

/** Every closed run on the stack, keeping the shortest of each (type, variant): small files, every path. */
async function collect(client: Client, scenario: string, secrets: string[]): Promise<StoredHistoryEntry[]> {
  const best = new Map<string, Candidate>();
  for await (const info of client.workflow.list({ query: `ExecutionStatus != 'Running'` })) {
    const history = await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    const variant = variantOf(history);
    const key = `${info.type}/${variant}`;
    const length = history.events?.length ?? 0;
    const kept = best.get(key);
    if (!kept || length < (kept.history.events?.length ?? 0)) best.set(key, { info, history, variant });
  }
  const entries: StoredHistoryEntry[] = [];
  for (const { info, history, variant } of [...best.values()].sort((a, b) =>
    `${a.info.type}/${a.variant}`.localeCompare(`${b.info.type}/${b.variant}`),
  )) {
    const file = `${scenario}--${info.type}--${fileSafe(variant)}.json`;
    const text = historyToJson(history);
    const secret = findSecret(text, secrets);
    if (secret)
      throw new Error(
        `the ${scenario} history of ${info.workflowId} (${info.type}) contains a secret (${secret}): not stored`,
      );
    writeFileSync(join(outDir, file), `${text}\n`);
    entries.push({
      file,
      scenario,
      workflowType: info.type,
      workflowId: info.workflowId,
      runId: info.runId,
      variant,
      events: history.events?.length ?? 0,
    });
    log(`  ${file}: ${history.events?.length ?? 0} events, ${Math.round(text.length / 1024)} KiB`);
  }
  return entries;
}

/** The demo program: `npm start`'s estate and first wave, on the bench's stack (free ports, own folder). */
async function recordDemo(): Promise<StoredHistoryEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'factory-histories-demo-'));
  const stack = new BenchStack({
    dir,
    scope: demoScope,
    speed: 2000,
    seed: 7,
    throttling: false,
    workers: 1,
    workerSettings: {},
    log: () => undefined,
  });
  try {
    log('demo: planning the demo estate and running its first wave ...');
    const workspace = await planDemoWorkspace(dir);
    await stack.start();
    await seedSimulatorFromWorkspace(stack.admin, workspace, { maxDiskUsedGiB: 8 });
    await stack.startWorkers();
    const prepared = await prepareWave({
      workspace,
      waveId: 'wave-01',
      profile: 'simulator',
      env: stack.clientEnv(),
      run: {
        maxConcurrentBatches: 5,
        requireApproval: false,
        requireValidationSignOff: false,
        cutover: 'when-ready',
      },
    });
    const handle = await startWaveWorkflow(stack.client, prepared.input, recorder, prepared.taskQueue);
    const result = await runToEnd(stack.client, handle.workflowId);
    log(`  wave-01: ${JSON.stringify(result.counts)}`);
    return await collect(stack.client, 'demo', secretValues(stack));
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const recorder = { by: 'histories@contoso.com', reason: 'recording the release histories', ticket: 'REL-1' };

/** Waits for the wave, approving a refused gate once with a waiver per named VM, as the demo's approver does. */
async function runToEnd(client: Client, workflowId: string): Promise<WaveResult> {
  const handle = client.workflow.getHandle(workflowId);
  let finished = false;
  const result = (handle.result() as Promise<WaveResult>).finally(() => (finished = true));
  let approved = false;
  while (!finished) {
    const wave = await handle.query(waveProgressQuery).catch(() => undefined);
    if (wave?.phase === 'gate-refused' && wave.gate && !approved) {
      approved = true;
      await handle.executeUpdate(approveWaveUpdate, {
        args: [
          {
            ...recorder,
            waivers: wave.gate.notReady.map((s) => ({
              server: s.server,
              reason: `recorded although ${s.readiness}`,
            })),
            acceptCapacityViolations: wave.gate.capacity.length > 0,
          },
        ],
      });
    }
    await Promise.race([result.catch(() => undefined), delay(1000)]);
  }
  return result;
}

/** The stack's secret settings (the artifact store's connection string): a history holding one is refused. */
const secretValues = (stack: BenchStack): string[] => [stack.azurite.connectionString];

/** A short chaos program: the chaos tool's schedule on a small estate. */
async function recordChaos(): Promise<StoredHistoryEntry[]> {
  const { config } = parseBenchArgs(
    ['--vms', '100', '--speed', '6000', '--wave-concurrency', '5', ...argv.filter((a) => a !== '--force')],
    'chaos',
  );
  let entries: StoredHistoryEntry[] = [];
  log(`chaos: ${config.vms} VMs, ${config.kills} worker kills, a Temporal and a simulator restart ...`);
  const report = await runBench({
    ...config,
    log: (line) => log(`  ${line}`),
    beforeStop: async (stack) => {
      entries = await collect(stack.client, 'chaos', secretValues(stack));
    },
  });
  if (report.invariants.violations.length > 0)
    throw new Error(
      `the chaos run broke invariants, its histories are not stored:\n${report.invariants.violations.join('\n')}`,
    );
  return entries;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
try {
  const histories = [...(await recordDemo()), ...(await recordChaos())];
  const manifest: StoredHistoryManifest = {
    version: pkg.version,
    recordedAt: new Date().toISOString(),
    recordedWith: { '@temporalio/worker': sdk.version, node: process.version },
    scenarios: {
      demo: "npm start's demo estate (30 VMs, seed 7), its first wave on the simulator, gate approved with waivers",
      chaos:
        'npm run chaos on a 100-VM program: seeded faults, worker SIGKILLs, a Temporal and a simulator restart',
    },
    histories,
  };
  writeFileSync(join(outDir, manifestName), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`${histories.length} histories written to ${outDir}`);
} catch (error) {
  // A partial recording must not pass for a version's histories.
  rmSync(outDir, { recursive: true, force: true });
  throw error;
}
