/**
 * Runs every wave of a plan through the real workflows, on the benchmark's own stack, and plays the
 * operator where the workflows wait for one: approvals with waivers when the assessment gate refuses,
 * and in chaos runs an explicit auto-operator that retries (then rolls back) what is held for an operator.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { DatabaseResult, WaveResult } from '../domain/migration.ts';
import { CliError } from '../cli/operate/exit-codes.ts';
import { prepareWave, startWaveWorkflow } from '../cli/operate/wave-start.ts';
import type { WaveTimings } from '../contracts/wave-settings.ts';
import {
  approveWaveUpdate,
  batchProgressQuery,
  databaseProgressQuery,
  retryUpdate,
  rollbackUpdate,
  waveProgressQuery,
} from '../contracts/messages.ts';
import { phaseKey } from '../contracts/search-attributes.ts';
import type { BenchStack } from './stack.ts';
import type { PreparedProgram } from './workspace.ts';

export const operator = { by: 'bench@contoso.com', reason: 'benchmark run', ticket: 'BENCH' };

export interface OperatorLogEntry {
  at: number;
  workflowId: string;
  action: 'approve-with-waivers' | 'retry' | 'rollback';
  why: string;
  result: string;
}

export interface RunOptions {
  stack: BenchStack;
  program: PreparedProgram;
  /** How the waves are watched on the compressed clock: the only thing the bench chooses for them. */
  timings: WaveTimings;
  /**
   * At most this many waves run at once. Each starts when the simulated clock reaches its planned
   * replication start (offset from the first wave's), as the plan runs replication back to back over the
   * uplink: starting them all at once would share the uplink among every VM and delay every cutover.
   */
  waveConcurrency: number;
  /** Retry held batches and databases (chaos); off, a hold is reported and the run waits for nothing. */
  autoOperator?: { retryAfterMs: number; maxRetries: number; faultsCleared: () => boolean };
  /** Called every tick (chaos: kills and restarts). */
  onTick?: (progress: { phases: string[]; elapsedMs: number }) => Promise<void>;
  log: (line: string) => void;
}

export interface ProgramOutcome {
  waves: WaveResult[];
  failedWaves: { waveId: string; error: string }[];
  operatorLog: OperatorLogEntry[];
  wallSeconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function refusal(error: unknown): string {
  if (error instanceof WorkflowUpdateFailedError) return `refused: ${error.cause?.message ?? error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

export async function runProgram(options: RunOptions): Promise<ProgramOutcome> {
  const { stack, program, log } = options;
  const client = (): Client => stack.client;
  const started = Date.now();
  const operatorLog: OperatorLogEntry[] = [];
  const record = (entry: Omit<OperatorLogEntry, 'at'>) => {
    operatorLog.push({ ...entry, at: (Date.now() - started) / 1000 });
    log(`  operator: ${entry.action} ${entry.workflowId} — ${entry.why} → ${entry.result}`);
  };
  const pending = program.plan.waves.map((w) => w.id);
  const running = new Map<string, Promise<WaveResult | { error: string }>>();
  const results = new Map<string, WaveResult>();
  const failedWaves: { waveId: string; error: string }[] = [];
  const approvals = new Map<string, string>();
  const retries = new Map<string, { count: number; lastAt: number }>();

  const startWave = async (waveId: string) => {
    // The road `factory wave start` takes, on the simulator profile: the bench chooses settings only.
    const prepared = await prepareWave({
      workspace: program.workspace,
      waveId,
      profile: 'simulator',
      env: stack.clientEnv(),
      timings: options.timings,
      run: {
        maxConcurrentBatches: 100,
        requireApproval: false,
        requireValidationSignOff: false,
        // The plan's windows are calendar dates weeks apart; on the compressed clock batches cut over when ready.
        cutover: 'when-ready',
      },
    });
    const handle = await startWaveWorkflow(client(), prepared.input, operator, prepared.taskQueue);
    log(`  wave ${waveId} started`);
    // The result survives a Temporal restart: re-attach until the wave closes.
    const follow = async (): Promise<WaveResult | { error: string }> => {
      for (;;) {
        try {
          return (await client().workflow.getHandle(handle.workflowId).result()) as WaveResult;
        } catch (error) {
          const text = error instanceof Error ? error.message : String(error);
          if (
            /workflow execution failed|terminated|timed out/i.test(text) &&
            !/unavailable|connect/i.test(text)
          )
            return { error: text };
          await sleep(1000);
        }
      }
    };
    running.set(waveId, follow());
  };

  const plannedStart = new Map(program.plan.waves.map((w) => [w.id, Date.parse(w.replicationStart)]));
  const firstPlannedStart = Math.min(...plannedStart.values());
  /** Simulated epoch ms the first wave started at. */
  let simulatedStart: number | undefined;
  /** The next wave whose planned start the simulated clock has reached, if a slot is free. */
  const nextDueWave = async (): Promise<string | undefined> => {
    const waveId = pending[0];
    if (waveId === undefined || running.size >= options.waveConcurrency) return undefined;
    // The simulator restarts in chaos runs: its clock is read again on the next tick.
    const now = await stack.admin.health().then(
      (health) => Date.parse(health.simulatedTime),
      () => undefined,
    );
    if (now === undefined) return undefined;
    simulatedStart ??= now;
    const due = simulatedStart + (plannedStart.get(waveId)! - firstPlannedStart);
    return now >= due ? pending.shift() : undefined;
  };

  for (;;) {
    for (let waveId = await nextDueWave(); waveId; waveId = await nextDueWave()) {
      for (;;) {
        try {
          await startWave(waveId);
          break;
        } catch (error) {
          // A refused start (invalid plan, missing settings) is the wave's outcome; anything else is the
          // stack restarting under chaos.
          if (error instanceof CliError) {
            failedWaves.push({ waveId, error: `start refused: ${error.message}` });
            log(`  wave ${waveId} REFUSED: ${error.message}`);
            break;
          }
          log(`  start of ${waveId} failed, retrying: ${String(error)}`);
          await sleep(1000);
        }
      }
    }
    if (running.size === 0 && pending.length === 0) break;
    const phases: string[] = [];
    try {
      await tick(phases);
    } catch (error) {
      log(`  tick: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    await options.onTick?.({ phases, elapsedMs: Date.now() - started });
    const done = await Promise.race([
      ...[...running].map(([id, p]) => p.then((r) => [id, r] as const)),
      sleep(1000).then(() => undefined),
    ]);
    if (done) {
      const [waveId, result] = done;
      running.delete(waveId);
      if ('error' in result) failedWaves.push({ waveId, error: result.error });
      else results.set(waveId, result);
      log(
        'error' in result
          ? `  wave ${waveId} FAILED: ${result.error}`
          : `  wave ${waveId} done: ${result.counts.migrated} VMs, ${result.databaseCounts?.migrated ?? 0} databases migrated (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
  return {
    waves: program.plan.waves.flatMap((w) => results.get(w.id) ?? []),
    failedWaves,
    operatorLog,
    wallSeconds: (Date.now() - started) / 1000,
  };

  async function tick(phases: string[]) {
    // Only waves whose gate refused (from visibility) are queried, all at once: a query to a wave the
    // worker does not have cached replays its history, and the gate is the only thing the bench answers.
    const refused: string[] = [];
    const waves = client().workflow.list({
      query: `WorkflowType = 'migrationWave' AND ExecutionStatus = 'Running' AND MigrationPhase = 'gate-refused'`,
    });
    for await (const wave of waves) refused.push(wave.workflowId);
    await Promise.all(refused.map(approveWithWaivers));
    // Batch stages from visibility (the chaos schedule keys its restarts on them).
    if (options.onTick) {
      const batches = client().workflow.list({
        query: `WorkflowType = 'migrationBatch' AND ExecutionStatus = 'Running'`,
      });
      for await (const batch of batches) {
        const stage = batch.typedSearchAttributes.get(phaseKey);
        if (stage) phases.push(stage);
      }
    }
    if (options.autoOperator) await autoOperate(options.autoOperator);
  }

  async function approveWithWaivers(workflowId: string) {
    const wave = client().workflow.getHandle(workflowId);
    const progress = await wave.query(waveProgressQuery);
    if (progress.phase !== 'gate-refused' || !progress.gate) return;
    const failedChecks = progress.gate.preflight ?? [];
    const evaluation = `${progress.gate.notReady.length}/${progress.gate.capacity.length}/${failedChecks.map((c) => c.name).join(',')}`;
    if (approvals.get(workflowId) === evaluation) return;
    approvals.set(workflowId, evaluation);
    const waivers = progress.gate.notReady.map((s) => ({
      server: s.server,
      reason: `benchmark: migrated although ${s.readiness} (${s.reasons[0] ?? 'no reason given'})`,
    }));
    const result = await wave
      .executeUpdate(approveWaveUpdate, {
        args: [
          {
            ...operator,
            waivers,
            acceptCapacityViolations: progress.gate.capacity.length > 0,
            // The chaos run's faults (an appliance outage) can fail preflight: the operator waives them.
            ...(failedChecks.length > 0
              ? {
                  preflightWaivers: failedChecks.map((c) => ({
                    check: c.name,
                    reason: `benchmark: ${c.detail}`,
                  })),
                }
              : {}),
          },
        ],
      })
      .catch(refusal);
    record({
      workflowId,
      action: 'approve-with-waivers',
      why: `gate refused: ${waivers.length} VM(s) not Ready, ${progress.gate.capacity.length} capacity violation(s), ${failedChecks.length} preflight check(s) failed`,
      result,
    });
  }

  /** Held workflows (search attribute MigrationPhase = awaiting-operator) are retried, then rolled back. */
  async function autoOperate(policy: NonNullable<RunOptions['autoOperator']>) {
    if (!policy.faultsCleared()) return;
    const held = client().workflow.list({
      query: `ExecutionStatus = 'Running' AND MigrationPhase = 'awaiting-operator'`,
    });
    for await (const execution of held) {
      const id = execution.workflowId;
      const seen = retries.get(id) ?? { count: 0, lastAt: 0 };
      if (Date.now() - seen.lastAt < policy.retryAfterMs) continue;
      const handle = client().workflow.getHandle(id);
      const why = id.startsWith('database-')
        ? (await handle.query(databaseProgressQuery)).detail
        : (await handle.query(batchProgressQuery)).detail;
      seen.lastAt = Date.now();
      if (seen.count < policy.maxRetries) {
        seen.count += 1;
        retries.set(id, seen);
        const result = await handle
          .executeUpdate(retryUpdate, {
            args: [{ ...operator, reason: `auto-operator retry ${seen.count}` }],
          })
          .catch(refusal);
        record({ workflowId: id, action: 'retry', why: why ?? 'held', result });
      } else {
        retries.set(id, seen);
        const result = await handle
          .executeUpdate(rollbackUpdate, {
            args: [
              { ...operator, reason: `auto-operator: still failing after ${policy.maxRetries} retries` },
            ],
          })
          .catch(refusal);
        record({ workflowId: id, action: 'rollback', why: why ?? 'held', result });
      }
    }
  }
}

/** Every database's result from the wave results. */
export const databaseResults = (waves: WaveResult[]): DatabaseResult[] =>
  waves.flatMap((w) => w.databases ?? []);
