/**
 * The body of `npm run bench` and `npm run chaos`: prepare the program (generate → import → assess →
 * plan), start the stack, run every wave, measure, and check the invariants.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScope } from '../domain/demo.ts';
import { seededRandom } from '../domain/random.ts';
import type { FaultConfigInput } from '../simulators/index.ts';
import { auditFindings, historyMetrics, totalActions, type ActionCounts } from './metrics.ts';
import { databaseResults, runProgram, type OperatorLogEntry } from './run-program.ts';
import { BenchStack } from './stack.ts';
import { startDashboardProbe } from './dashboard-probe.ts';
import { prepareProgram } from './workspace.ts';
import { seedSimulatorFromWorkspace } from '../cli/stack/seed-workspace.ts';
import type { WaveTimings } from '../contracts/wave-settings.ts';
import { temporalEngines, type TemporalEngine } from '../cli/stack/embedded.ts';

export interface BenchConfig {
  mode: 'bench' | 'chaos';
  /** `dev`: the Temporal dev server (SQLite); `cluster`: PostgreSQL, separate services, mutual TLS. */
  engine: TemporalEngine;
  vms: number;
  seed: number;
  speed: number;
  workers: number;
  waveConcurrency: number;
  /**
   * Multiplies the simulator's ARM refill rates (1 = ARM's real per-principal budget in real seconds:
   * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
   */
  armBudgetScale: number;
  activitiesPerSecond: number;
  maxConcurrentActivities: number;
  /** How often activities re-read an operation or a replication state (AZURE_LRO_POLL_MS). */
  lroPollMs: number;
  kills: number;
  keep: boolean;
  log: (line: string) => void;
  /** Called once the program has run, before the stack stops (`histories:record` reads histories here). */
  beforeStop?: (stack: BenchStack) => Promise<void>;
}

export interface ChaosEvent {
  at: number;
  event: string;
}

function firstOfEachCause<T extends { cause: string }>(failures: T[], perCause: number): T[] {
  const seen = new Map<string, number>();
  return failures.filter((f) => {
    const n = seen.get(f.cause) ?? 0;
    seen.set(f.cause, n + 1);
    return n < perCause;
  });
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runBench(config: BenchConfig) {
  const { log } = config;
  const dir = mkdtempSync(join(tmpdir(), `factory-${config.mode}-`));
  const scope = demoScope;
  let stack: BenchStack | undefined;
  let dashboardProbe: Awaited<ReturnType<typeof startDashboardProbe>> | undefined;
  try {
    log(`Preparing a ${config.vms}-VM program in ${dir} (generate → import → assess → plan) ...`);
    const program = await prepareProgram({ vms: config.vms, seed: config.seed, dir, print: log });
    const s = program.plan.summary;
    log(
      `  plan: ${s.waves} waves, ${s.batches} batches, ${s.vms} VMs, ${s.databases} databases, makespan ${s.makespanDays} d, lower bound ${s.lowerBoundDays} d (${s.lowerBoundBinding})`,
    );

    const chaos = config.mode === 'chaos';
    const random = seededRandom(config.seed * 7919);
    const appliances = [
      ...new Set(program.plan.servers.flatMap((x) => (x.appliance ? [x.appliance] : []))),
    ].sort();
    const outageAppliance = appliances[Math.floor(random() * appliances.length)];
    const faults: FaultConfigInput | undefined = chaos
      ? {
          transient: { probability: 0.05 },
          stalls: { probability: 0.02 },
          rules: [{ scenario: 'TestFailover', probability: 0.01 }],
          storms: [
            { afterSeconds: 20, durationSeconds: 8, retryAfterSeconds: 1 },
            { afterSeconds: 60, durationSeconds: 8, retryAfterSeconds: 2 },
          ],
        }
      : undefined;
    const scale = config.armBudgetScale;
    stack = new BenchStack({
      dir,
      engine: config.engine,
      scope,
      speed: config.speed,
      seed: config.seed,
      // ARM's per-principal token buckets (request-limits-and-throttling, cited on `armBudgetScale`).
      throttling: {
        reads: { capacity: 250, refillPerSecond: 25 * scale },
        writes: { capacity: 200, refillPerSecond: 10 * scale },
        deletes: { capacity: 200, refillPerSecond: 10 * scale },
      },
      ...(faults ? { faults } : {}),
      workers: config.workers,
      workerSettings: {
        // Each worker paces itself to its share of the principal's budget, with 10 % headroom.
        AZURE_ARM_READS_PER_SECOND: String((25 * scale * 0.9) / config.workers),
        AZURE_ARM_WRITES_PER_SECOND: String((10 * scale * 0.9) / config.workers),
        AZURE_ARM_DELETES_PER_SECOND: String((10 * scale * 0.9) / config.workers),
        AZURE_LRO_POLL_MS: String(config.lroPollMs),
        AZURE_ACTIVITIES_PER_SECOND: String(config.activitiesPerSecond),
        AZURE_MAX_CONCURRENT_ACTIVITIES: String(config.maxConcurrentActivities),
      },
      log: () => undefined,
    });
    const temporalWhat =
      config.engine === 'cluster'
        ? `the Temporal cluster (PostgreSQL, separate services, mutual TLS) in ${dir}/cluster`
        : `Temporal (SQLite in ${dir})`;
    log(
      `Starting ${temporalWhat}, the simulator (speed ${config.speed}) and ${config.workers} worker processes ...`,
    );
    await stack.start();
    const temporalStartSeconds = stack.temporal.cluster?.startSeconds;
    await seedSimulatorFromWorkspace(stack.admin, program.workspace);
    await stack.startWorkers();
    // One viewer with the dashboard open for the whole program (the chaos run kills Temporal: no probe).
    dashboardProbe = chaos
      ? undefined
      : await startDashboardProbe({
          temporalEnv: stack.temporalEnv(),
          workspace: program.workspace,
          taskQueue: stack.taskQueue,
          everyMs: 5000,
        });

    const heartbeatTimeoutMs = chaos ? 5000 : 30_000;
    const timings: WaveTimings = {
      batch: {
        // Status freshness (seconds of real time, hours on the compressed clock); polls return early on
        // anything the workflows must act on.
        replicationReportEveryMs: 15_000,
        heartbeatTimeoutMs,
        initialReplicationTimeoutMs: 30 * 60_000,
        stallAfterMs: 5000,
        maxRepairs: 1,
        continueAsNewAfterPolls: 500,
      },
      database: {
        reportEveryMs: 120_000,
        // Most live databases are ready long before their batch's cutover signal and wait for it.
        readyCheckEveryMs: 300_000,
        heartbeatTimeoutMs,
        continueAsNewAfterPolls: 500,
      },
    };

    // Chaos: kills at random moments, one Temporal and one simulator restart, one appliance outage.
    const events: ChaosEvent[] = [];
    const t0 = Date.now();
    const note = (event: string) => {
      events.push({ at: round((Date.now() - t0) / 1000, 1), event });
      log(`  chaos: ${event}`);
    };
    let kills = 0;
    let nextKillAt = 3000 + random() * 5000;
    let temporalRestarted = !chaos;
    let simulatorRestarted = !chaos;
    let outage: 'before' | 'on' | 'over' = chaos ? 'before' : 'over';
    let outageEndsAt = 0;
    let stormsOverAt = chaos ? Date.now() + 70_000 : 0;
    const onTick = async ({ phases, elapsedMs }: { phases: string[]; elapsedMs: number }) => {
      if (!chaos || !stack) return;
      const past = (phase: string) => phases.some((p) => p === phase);
      if (outage === 'before' && past('replicating') && outageAppliance) {
        await stack.admin.configureFaults({
          ...(await currentFaults()),
          applianceOutages: [outageAppliance],
        });
        outage = 'on';
        outageEndsAt = Date.now() + 15_000;
        note(`appliance outage: ${outageAppliance} stops transferring`);
      } else if (outage === 'on' && Date.now() > outageEndsAt) {
        await stack.admin.configureFaults({ ...(await currentFaults()), applianceOutages: [] });
        outage = 'over';
        note(`appliance ${outageAppliance} back`);
      }
      // Kills follow their own clock: a slow tick on a loaded machine does the overdue ones in a row.
      while (kills < config.kills && elapsedMs > nextKillAt) {
        const index = Math.floor(random() * config.workers);
        await stack.killWorker(index);
        kills += 1;
        nextKillAt += 2000 + random() * 6000;
        note(`SIGKILL worker ${index} (kill ${kills}/${config.kills}), replacement started`);
      }
      if (!temporalRestarted && kills >= 2 && past('replicating')) {
        temporalRestarted = true;
        if (config.engine === 'cluster') {
          note('Temporal history service SIGKILLed, then the frontend');
          await stack.restartTemporal();
          note('Temporal history and frontend services restarted on PostgreSQL');
        } else {
          note('Temporal dev server stopping');
          await stack.restartTemporal();
          note('Temporal dev server restarted on its SQLite file');
        }
      }
      if (
        !simulatorRestarted &&
        temporalRestarted &&
        phases.some((p) => p === 'test-failover' || p === 'cutover')
      ) {
        simulatorRestarted = true;
        await stack.restartSimulator();
        note('simulator restarted from its persisted snapshot');
      }
    };
    const currentFaults = async (): Promise<FaultConfigInput> => {
      const f = await stack!.admin.faults();
      return {
        rules: f.rules,
        transient: f.transient,
        stalls: f.stalls,
        ...(f.targeted ? { targeted: f.targeted } : {}),
        // Storms still to come (or running) are carried over; PUT /admin/faults replaces the configuration.
        storms: f.storms
          .filter((storm) => storm.endsAt > Date.now())
          .map((storm) => ({
            afterSeconds: Math.max(0, (storm.startsAt - Date.now()) / 1000),
            durationSeconds: (storm.endsAt - Math.max(storm.startsAt, Date.now())) / 1000,
            retryAfterSeconds: storm.retryAfterSeconds,
          })),
      };
    };

    log(`Running ${s.waves} waves (${config.waveConcurrency} at a time) ...`);
    const outcome = await runProgram({
      stack,
      program,
      timings,
      waveConcurrency: config.waveConcurrency,
      ...(chaos
        ? {
            autoOperator: {
              retryAfterMs: 3000,
              maxRetries: 5,
              faultsCleared: () => outage === 'over' && Date.now() > stormsOverAt,
            },
          }
        : {}),
      onTick,
      log,
    });
    const dashboard = await dashboardProbe?.stop();
    stormsOverAt = 0;
    // Chaos: everything must have happened at least once, even in a short run.
    if (chaos) {
      if (!temporalRestarted) note('WARNING: the run ended before the Temporal restart');
      if (!simulatorRestarted) note('WARNING: the run ended before the simulator restart');
    }

    log('Measuring: histories, audit, simulator state ...');
    const [history, audit, state, invariants, arm] = await Promise.all([
      historyMetrics(stack.client),
      stack.admin.audit(),
      stack.admin.state(),
      stack.admin.invariants(),
      stack.armRequests(),
    ]);
    const retries = (key: string) =>
      outcome.operatorLog.filter((e) => e.action === 'retry' && e.workflowId.includes(key)).length;
    const findings = auditFindings(audit.entries, retries);

    // Outcomes: every planned VM and database in exactly one terminal state, with a reason.
    const vmResults = outcome.waves.flatMap((w) => w.batches.flatMap((b) => b.vms));
    const dbResults = databaseResults(outcome.waves);
    const plannedVms = program.plan.waves.flatMap((w) =>
      w.batches.flatMap((b) => b.bootGroups.flatMap((g) => g.servers)),
    );
    const plannedDbCount = program.plan.waves.reduce((n, w) => n + w.databases.length, 0);
    const violations: string[] = [];
    const seen = new Map<string, number>();
    for (const vm of vmResults) seen.set(vm.name, (seen.get(vm.name) ?? 0) + 1);
    const duplicates = [...seen].filter(([, n]) => n > 1);
    if (duplicates.length)
      violations.push(
        `${duplicates.length} VM(s) reported twice: ${duplicates
          .slice(0, 5)
          .map(([n]) => n)
          .join(', ')}`,
      );
    if (seen.size !== plannedVms.length)
      violations.push(`${plannedVms.length - seen.size} planned VM(s) without a terminal state`);
    if (dbResults.length !== plannedDbCount)
      violations.push(`${plannedDbCount - dbResults.length} planned database(s) without a terminal state`);
    const unexplainedVm = vmResults.filter((v) => v.outcome !== 'migrated' && !v.reason);
    const unexplainedDb = dbResults.filter((d) => d.outcome !== 'migrated' && !d.reason && !d.errorCode);
    if (unexplainedVm.length) violations.push(`${unexplainedVm.length} VM(s) not migrated without a reason`);
    if (unexplainedDb.length)
      violations.push(`${unexplainedDb.length} database(s) not migrated without a reason`);
    for (const w of outcome.failedWaves) violations.push(`wave ${w.waveId} failed: ${w.error}`);
    for (const d of findings.duplicateEnables) violations.push(`duplicate enable: ${d}`);
    for (const d of findings.duplicatePlanActions) violations.push(`duplicate plan action: ${d}`);
    for (const d of findings.duplicateCutovers) violations.push(`duplicate database cutover: ${d}`);
    for (const v of invariants.violations) violations.push(`simulator invariant: ${v}`);
    if (state.targetVms.test > 0) violations.push(`${state.targetVms.test} orphaned test VM(s)`);
    if (state.protectedItems.total > 0)
      violations.push(
        `${state.protectedItems.total} protected item(s) left: ${JSON.stringify(state.protectedItems.byProtectionState)}`,
      );
    const unexplainedFailures = history.activityFailures.filter((f) => f.cause === 'unexplained');
    for (const f of unexplainedFailures.slice(0, 10))
      violations.push(`unexplained activity failure in ${f.workflowId} (${f.activity}): ${f.message}`);
    if (unexplainedFailures.length > 10)
      violations.push(`… and ${unexplainedFailures.length - 10} more unexplained activity failures`);

    const count = <T extends string>(values: T[]) =>
      values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
    const vmsMigrated = vmResults.filter((v) => v.outcome === 'migrated').length;
    const dbsMigrated = dbResults.filter((d) => d.outcome === 'migrated').length;
    const vmActions = sum(history.byKind.wave, history.byKind.batch);
    const dbActions = history.byKind.database;
    const minutes = outcome.wallSeconds / 60;
    const simulatedDays =
      findings.firstWriteAt && findings.lastWriteAt
        ? (Date.parse(findings.lastWriteAt) - Date.parse(findings.firstWriteAt)) / 86_400_000
        : 0;
    const armTotal = arm.siteRecovery.reads + arm.siteRecovery.writes + arm.siteRecovery.deletes;
    const throttlingFailures = history.activityFailures.filter((f) => f.cause === 'throttling (429)').length;
    const peak = stack.peakWorkerRssMiB();

    const report = {
      mode: config.mode,
      config: {
        engine: config.engine,
        vms: config.vms,
        seed: config.seed,
        speed: config.speed,
        workers: config.workers,
        waveConcurrency: config.waveConcurrency,
        armBudgetScale: config.armBudgetScale,
        activitiesPerSecond: config.activitiesPerSecond,
        maxConcurrentActivities: config.maxConcurrentActivities,
        lroPollMs: config.lroPollMs,
      },
      plan: {
        waves: s.waves,
        batches: s.batches,
        vms: s.vms,
        databases: plannedDbCount,
        makespanDays: s.makespanDays,
        lowerBoundDays: s.lowerBoundDays,
        lowerBoundBinding: s.lowerBoundBinding,
      },
      prepareSeconds: round(program.prepareSeconds, 1),
      ...(temporalStartSeconds === undefined ? {} : { clusterStartSeconds: round(temporalStartSeconds, 1) }),
      wallSeconds: round(outcome.wallSeconds, 1),
      migrated: { vms: vmsMigrated, databases: dbsMigrated },
      outcomes: {
        vms: count(vmResults.map((v) => v.outcome)),
        databases: count(dbResults.map((d) => d.outcome)),
        notMigrated: [
          ...vmResults
            .filter((v) => v.outcome !== 'migrated')
            .map((v) => ({ vm: v.name, outcome: v.outcome, reason: v.reason })),
          ...dbResults
            .filter((d) => d.outcome !== 'migrated')
            .map((d) => ({ database: d.databaseId, outcome: d.outcome, reason: d.reason ?? d.errorCode })),
        ].slice(0, 50),
      },
      perMinute: { vms: round(vmsMigrated / minutes, 1), databases: round(dbsMigrated / minutes, 1) },
      temporal: {
        executions: history.executions,
        perVm: {
          total: round(totalActions(vmActions) / Math.max(1, vmsMigrated)),
          composition: perUnit(vmActions, vmsMigrated),
        },
        perDatabase: {
          total: round(totalActions(dbActions) / Math.max(1, dbsMigrated)),
          composition: perUnit(dbActions, dbsMigrated),
        },
        totals: { vmSide: vmActions, databaseSide: dbActions, other: history.byKind.other },
        largestHistory: history.largest,
      },
      arm: {
        siteRecoveryPerVm: {
          total: round(armTotal / Math.max(1, vmsMigrated)),
          reads: round(arm.siteRecovery.reads / Math.max(1, vmsMigrated)),
          writes: round(arm.siteRecovery.writes / Math.max(1, vmsMigrated)),
          deletes: round(arm.siteRecovery.deletes / Math.max(1, vmsMigrated)),
        },
        allRequests: arm,
        responses429: arm.throttled,
        throttledWritesInAudit: findings.throttledWrites,
        activityFailuresFromThrottling: throttlingFailures,
      },
      activityFailures: {
        total: history.activityFailures.length,
        byCause: count(history.activityFailures.map((f) => f.cause)),
        // The first three of each cause, so every kind of failure can be traced to its workflow.
        examples: firstOfEachCause(history.activityFailures, 3),
      },
      peakWorkerRssMiB: peak,
      ...(dashboard ? { dashboard } : {}),
      simulated: {
        makespanDays: round(simulatedDays, 2),
        plannerLowerBoundDays: s.lowerBoundDays,
        ratio: round(simulatedDays / s.lowerBoundDays, 3),
      },
      operator: summariseOperator(outcome.operatorLog),
      chaos: chaos ? { kills, events, outageAppliance, temporalRestarted, simulatorRestarted } : undefined,
      invariants: { violations, simulator: invariants.violations },
      targets: targets(config.mode, {
        wallSeconds: outcome.wallSeconds,
        perVm: totalActions(vmActions) / Math.max(1, vmsMigrated),
        perDb: totalActions(dbActions) / Math.max(1, dbsMigrated),
        armPerVm: armTotal / Math.max(1, vmsMigrated),
        throttlingFailures,
        ratio: simulatedDays / s.lowerBoundDays,
        violations: violations.length,
      }),
    };
    await config.beforeStop?.(stack);
    return report;
  } finally {
    await dashboardProbe?.close();
    await stack?.stop();
    if (!config.keep) rmSync(dir, { recursive: true, force: true });
  }
}

export type BenchReport = Awaited<ReturnType<typeof runBench>>;

function sum(a: ActionCounts, b: ActionCounts): ActionCounts {
  return Object.fromEntries(
    Object.entries(a).map(([k, v]) => [k, v + b[k as keyof ActionCounts]]),
  ) as unknown as ActionCounts;
}

function perUnit(a: ActionCounts, units: number): Record<string, number> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, round(v / Math.max(1, units), 3)]));
}

function summariseOperator(entries: OperatorLogEntry[]) {
  const byAction: Record<string, number> = {};
  for (const e of entries) byAction[e.action] = (byAction[e.action] ?? 0) + 1;
  return { byAction, interventions: entries };
}

function targets(
  mode: 'bench' | 'chaos',
  m: {
    wallSeconds: number;
    perVm: number;
    perDb: number;
    armPerVm: number;
    throttlingFailures: number;
    ratio: number;
    violations: number;
  },
) {
  const check = (name: string, value: number, limit: number, unit = '') => ({
    name,
    value: round(value, 3),
    limit,
    met: value <= limit,
    ...(value > limit
      ? { missedBy: `${round(value - limit, 2)}${unit} (${round((value / limit - 1) * 100, 1)} % over)` }
      : {}),
  });
  return [
    ...(mode === 'bench' ? [check('wall time (s, full program)', m.wallSeconds, 1800, ' s')] : []),
    check('billable actions per VM', m.perVm, 5),
    check('billable actions per database', m.perDb, 25),
    check('ARM requests per VM (Site Recovery)', m.armPerVm, 12),
    check('activity failures from throttling', m.throttlingFailures, 0),
    check('simulated makespan / lower bound', m.ratio, 1.15),
    check('invariant violations', m.violations, 0),
  ];
}

export function formatReport(r: BenchReport): string {
  const lines: string[] = [];
  const p = (line = '') => lines.push(line);
  p(
    `${r.mode === 'chaos' ? 'CHAOS' : 'BENCHMARK'}: ${r.plan.vms} VMs / ${r.plan.databases} databases in ${r.plan.waves} waves, ${r.plan.batches} batches`,
  );
  p(
    `  config: Temporal engine ${r.config.engine}, speed ${r.config.speed}, ${r.config.workers} worker processes, ${r.config.waveConcurrency} waves at a time, ARM budget ×${r.config.armBudgetScale}, ${r.config.activitiesPerSecond} Azure activities/s, ${r.config.maxConcurrentActivities} concurrent per worker, LRO poll ${r.config.lroPollMs} ms`,
  );
  p(`  prepare (generate+import+assess+plan): ${r.prepareSeconds} s`);
  if (r.clusterStartSeconds !== undefined) p(`  cluster start: ${r.clusterStartSeconds} s`);
  p(`Wall time (waves start → last wave closed): ${r.wallSeconds} s`);
  p(
    `Migrated: ${r.migrated.vms} VMs (${r.perMinute.vms}/min), ${r.migrated.databases} databases (${r.perMinute.databases}/min)`,
  );
  p(
    `  VM outcomes ${JSON.stringify(r.outcomes.vms)}; database outcomes ${JSON.stringify(r.outcomes.databases)}`,
  );
  for (const n of r.outcomes.notMigrated.slice(0, 10)) p(`  not migrated: ${JSON.stringify(n)}`);
  p(`Temporal billable actions (from ${r.temporal.executions} histories):`);
  p(`  per migrated VM: ${r.temporal.perVm.total}  ${JSON.stringify(nonZero(r.temporal.perVm.composition))}`);
  p(
    `  per migrated database: ${r.temporal.perDatabase.total}  ${JSON.stringify(nonZero(r.temporal.perDatabase.composition))}`,
  );
  p(
    `  largest history: ${r.temporal.largestHistory.workflowId}: ${r.temporal.largestHistory.events} events, ${r.temporal.largestHistory.bytes} bytes`,
  );
  p(
    `ARM (Site Recovery) requests per VM: ${r.arm.siteRecoveryPerVm.total} (reads ${r.arm.siteRecoveryPerVm.reads}, writes ${r.arm.siteRecoveryPerVm.writes}, deletes ${r.arm.siteRecoveryPerVm.deletes})`,
  );
  const { byOperation, ...allRequests } = r.arm.allRequests;
  p(`  all ARM requests: ${JSON.stringify(allRequests)}`);
  const busiest = Object.entries(byOperation)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 8)
    .map(([operation, n]) => `${operation} ${n}`);
  p(`  busiest operations: ${busiest.join(', ')}`);
  p(
    `  429 responses: ${r.arm.responses429}; activity failures caused by throttling: ${r.arm.activityFailuresFromThrottling}`,
  );
  p(`Activity failures: ${r.activityFailures.total} ${JSON.stringify(r.activityFailures.byCause)}`);
  for (const f of r.activityFailures.examples)
    p(`  e.g. ${f.cause}: ${f.activity} in ${f.workflowId}: ${f.message.slice(0, 200)}`);
  p(
    `Peak worker RSS: ${r.peakWorkerRssMiB.max} MiB (per process: ${r.peakWorkerRssMiB.perProcess.join(', ')})`,
  );
  if (r.dashboard)
    p(
      `Dashboard (one viewer, page every 5 s; server cache ${r.dashboard.refreshSeconds} s): program page p50 ${r.dashboard.pageMs.p50} ms, p95 ${r.dashboard.pageMs.p95} ms, max ${r.dashboard.pageMs.max} ms (${r.dashboard.samples} loads); fragment p95 ${r.dashboard.fragmentMs.p95} ms; Temporal calls per minute: ${r.dashboard.perMinute.visibilityCalls} visibility, ${r.dashboard.perMinute.queryCalls} queries, ${r.dashboard.perMinute.describeCalls} describes, ${r.dashboard.perMinute.historyCalls} history reads${r.dashboard.errors.length ? `; errors: ${r.dashboard.errors.join('; ')}` : ''}`,
    );
  p(
    `Simulated makespan: ${r.simulated.makespanDays} d; planner lower bound ${r.simulated.plannerLowerBoundDays} d (${r.plan.lowerBoundBinding}); ratio ${r.simulated.ratio}; planned makespan ${r.plan.makespanDays} d`,
  );
  p(`Operator actions: ${JSON.stringify(r.operator.byAction)}`);
  for (const e of r.operator.interventions.slice(0, 30))
    p(`  [${e.at.toFixed(0)} s] ${e.action} ${e.workflowId}: ${e.why} → ${e.result}`);
  if (r.chaos) {
    p(
      `Chaos: ${r.chaos.kills} worker SIGKILLs, Temporal restarted ${r.chaos.temporalRestarted}, simulator restarted ${r.chaos.simulatorRestarted}, appliance outage ${r.chaos.outageAppliance}`,
    );
    for (const e of r.chaos.events) p(`  [${e.at} s] ${e.event}`);
  }
  p(
    `Invariants: ${r.invariants.violations.length === 0 ? 'no violations' : `${r.invariants.violations.length} VIOLATION(S)`}`,
  );
  for (const v of r.invariants.violations) p(`  ✗ ${v}`);
  p('Targets:');
  for (const t of r.targets)
    p(
      `  ${t.met ? '✓' : '✗'} ${t.name}: ${t.value} (limit ${t.limit})${t.missedBy ? ` — missed by ${t.missedBy}` : ''}`,
    );
  return lines.join('\n');
}

const nonZero = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v > 0));

export function parseBenchArgs(argv: string[], mode: 'bench' | 'chaos') {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, fallback: number) => {
    const value = get(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${value}`);
    return n;
  };
  const vms = num('vms', mode === 'bench' ? 10_000 : 1000);
  const engine = get('engine') ?? 'dev';
  if (!temporalEngines.includes(engine as TemporalEngine))
    throw new Error(`--engine must be one of ${temporalEngines.join(', ')}, not ${engine}`);
  return {
    json: argv.includes('--json'),
    config: {
      mode,
      engine: engine as TemporalEngine,
      vms,
      seed: num('seed', 1),
      speed: num('speed', 5000),
      workers: num('workers', 2),
      waveConcurrency: num('wave-concurrency', 10),
      armBudgetScale: num('arm-budget-scale', 4),
      activitiesPerSecond: num('activities-per-second', 40),
      maxConcurrentActivities: num('max-concurrent-activities', 1000),
      lroPollMs: num('lro-poll-ms', 1000),
      kills: num('kills', mode === 'chaos' ? (vms <= 200 ? 5 : 24) : 0),
      keep: argv.includes('--keep'),
    },
  };
}
