/**
 * What the dashboard shows, read from Temporal with bounded load: every read goes through a shared cache
 * (one value per key for `refreshSeconds`, one refresh in flight shared by every viewer), so the load on
 * Temporal depends on the refresh interval, not on how many people have the dashboard open.
 *
 * The program overview costs per refresh: three visibility list calls (waves, batches, databases, one
 * per 1,000 workflows), one query per running wave, and one query per batch or database that needs a
 * decision (cached until its phase changes). It never queries every batch: batch progress (replication,
 * RPO, health) is read only for the wave a viewer opens. Closed workflows are read once.
 */
import type { CountWorkflowExecution, WorkflowExecutionInfo } from '@temporalio/client';
import {
  batchProgressQuery,
  databaseProgressQuery,
  waveProgressQuery,
  type BatchProgress,
  type DatabaseProgress,
  type WaveProgress,
} from '../../contracts/messages.ts';
import { waveWorkflowId, batchWorkflowId } from '../../contracts/ids.ts';
import { batchIdKey, databaseStage, phaseKey, waveIdKey } from '../../contracts/search-attributes.ts';
import { databasePhases, type BatchResult } from '../../domain/migration.ts';
import type { Plan } from '../../domain/plan/plan-schema.ts';
import type { Temporal } from '../../cli/operate/connection.ts';
import { plannedWaveIds } from '../../cli/operate/find-workflow.ts';
import { EtaTracker, mapBounded } from '../../cli/operate/progress-format.ts';
import {
  batchView,
  countPhases,
  countVms,
  decisionsOf,
  type Decision,
  type WaveSnapshot,
} from '../../cli/operate/wave-view.ts';
import { loadPlan } from '../../workspace/plan-files.ts';

/** Temporal calls by kind: visibility (list, count), queries (run on a worker), describes, history reads. */
export interface LoadCounts {
  visibilityCalls: number;
  queryCalls: number;
  describeCalls: number;
  historyCalls: number;
  refreshes: number;
}

/** Calls the dashboard made to Temporal: since start and over the last minute. */
export interface DashboardLoad {
  since: string;
  refreshSeconds: number;
  total: LoadCounts;
  lastMinute: LoadCounts;
  /** Page and fragment requests served in the last minute (all viewers). */
  pageViewsLastMinute: number;
}

type CallKind = keyof LoadCounts | 'pageViews';

class LoadMeter {
  private readonly since = new Date().toISOString();
  private readonly totals: Record<CallKind, number> = {
    visibilityCalls: 0,
    queryCalls: 0,
    describeCalls: 0,
    historyCalls: 0,
    refreshes: 0,
    pageViews: 0,
  };
  private recent: { at: number; kind: CallKind; n: number }[] = [];

  add(kind: CallKind, n = 1) {
    this.totals[kind] += n;
    const now = Date.now();
    this.recent.push({ at: now, kind, n });
    if (this.recent.length > 10_000 || (this.recent[0]?.at ?? now) < now - 120_000)
      this.recent = this.recent.filter((e) => e.at >= now - 60_000);
  }

  report(refreshSeconds: number): DashboardLoad {
    const cutoff = Date.now() - 60_000;
    const minute = {
      visibilityCalls: 0,
      queryCalls: 0,
      describeCalls: 0,
      historyCalls: 0,
      refreshes: 0,
      pageViews: 0,
    };
    for (const e of this.recent) if (e.at >= cutoff) minute[e.kind] += e.n;
    const { pageViews: _p, ...total } = this.totals;
    const { pageViews, ...lastMinute } = minute;
    return { since: this.since, refreshSeconds, total, lastMinute, pageViewsLastMinute: pageViews };
  }
}

/**
 * A value per key, reused for `ttlMs`; a stale key is refreshed once for all readers, who get the last value
 * meanwhile (only the first read of a key waits).
 */
export class SharedCache<V> {
  private readonly entries = new Map<string, { value?: V; at: number; loading?: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 5000,
  ) {}

  get(key: string, load: () => Promise<V>, ttlMs = this.ttlMs): Promise<V> {
    const entry = this.entries.get(key);
    if (entry?.value !== undefined && Date.now() - entry.at < ttlMs) return Promise.resolve(entry.value);
    // Once a key has a value, readers never wait for Temporal: they get the last value while one refresh runs.
    if (entry?.loading) return entry.value !== undefined ? Promise.resolve(entry.value) : entry.loading;
    const loading = load().then(
      (value) => {
        this.entries.set(key, { value, at: Date.now() });
        return value;
      },
      (error: unknown) => {
        if (entry?.value === undefined) this.entries.delete(key);
        else this.entries.set(key, { value: entry.value, at: entry.at });
        throw error;
      },
    );
    this.entries.set(key, {
      ...(entry?.value === undefined ? {} : { value: entry.value }),
      at: entry?.at ?? 0,
      loading,
    });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    if (entry?.value === undefined) return loading;
    loading.catch(() => undefined); // a failed background refresh keeps the last value (above)
    return Promise.resolve(entry.value);
  }
}

export interface DashboardDecision extends Omit<Decision, 'kind'> {
  kind: Decision['kind'] | 'failed-database' | 'cutover-window-opening';
  waveId?: string;
  batchId?: string;
  databaseId?: string;
  /** Parked VMs of a held batch: what a retry or skip names. */
  parkedVms?: string[];
  /** A refused gate: VMs not Ready, failing preflight checks, capacity violations. */
  gate?: { notReady: string[]; preflight: string[]; capacity: number };
  cutoverAt?: string;
}

export interface WaveSummary {
  waveId: string;
  workflowId: string;
  /** Temporal's status, or NOT_STARTED for a planned wave. */
  status: string;
  phase: string;
  vmCount: number;
  batchCount: number;
  batchesByStage: Record<string, number>;
  startTime?: string;
  closeTime?: string;
}

export interface Burndown {
  /** Monday of each ISO week (UTC), YYYY-MM-DD. */
  weeks: string[];
  /** VMs the plan has migrated by the end of each week (cumulative). */
  planned: number[];
  /** VMs migrated by the end of each week (cumulative), up to the current week. */
  actual: (number | null)[];
  totalVms: number;
}

export interface ProgramSnapshot {
  takenAt: string;
  waves: WaveSummary[];
  wavesByState: Record<string, number>;
  /** VMs by their batch's stage (the published MigrationPhase stages); planned waves' VMs as not-started. */
  vmsByStage: Record<string, number>;
  databasesByStage: Record<string, number>;
  decisions: DashboardDecision[];
  burndown?: Burndown;
  vmCount: number;
  /** Workflows whose progress query failed in this refresh (shown as loading; read again next refresh). */
  unreadable: string[];
}

export interface BatchPage {
  progress: BatchProgress;
  workflowId: string;
  status: string;
  waveId?: string;
  takenAt: string;
}

const DAY = 86_400_000;
const mondayOf = (ms: number) => {
  const day = Math.floor(ms / DAY) * DAY;
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
};
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/**
 * Batch stages (their published MigrationPhase) whose batches may need a decision: held, in a test
 * failover or cutover (sign-offs), or waiting for a cutover window. The wave's own list of batch phases
 * changes only when it starts or hears the end of a batch, so the stages come from visibility.
 */
const attentionStages = new Set<string>([
  'awaiting-operator',
  'test-failover',
  'awaiting-cutover-window',
  'cutover',
]);
const PAGE_SIZE = 1000;
/** The stages a database publishes as MigrationPhase. */
const databaseStages = [...new Set(databasePhases.map(databaseStage))];
/** A batch's or database's detail is read again after this long even when its phase did not change. */
const ATTENTION_TTL_MS = 30_000;
/** Cutover windows opening within this long are listed as decisions. */
const WINDOW_HORIZON_MS = 24 * 3600_000;

export function createProgramData(options: {
  temporal: Temporal;
  workspace?: string;
  refreshSeconds: number;
}) {
  const { temporal, workspace } = options;
  const ttlMs = options.refreshSeconds * 1000;
  const meter = new LoadMeter();
  const eta = new EtaTracker();
  const programCache = new SharedCache<ProgramSnapshot>(ttlMs, 1);
  const waveCache = new SharedCache<WaveSnapshot>(ttlMs, 200);
  const batchCache = new SharedCache<BatchPage>(ttlMs, 500);
  /** Batch/database detail for decisions, keyed by workflow id and the phase the wave last reported. */
  const attentionCache = new SharedCache<BatchProgress | DatabaseProgress | undefined>(ATTENTION_TTL_MS);
  /** Closed workflows do not change: their query answers are kept (by run id). */
  const closedWaves = new SharedCache<WaveProgress>(Number.POSITIVE_INFINITY, 10_000);
  const closedBatches = new SharedCache<number>(Number.POSITIVE_INFINITY, 50_000);
  const planCache = new SharedCache<Plan | null>(60_000, 1);

  async function list(type: string, filter?: string): Promise<WorkflowExecutionInfo[]> {
    const found: WorkflowExecutionInfo[] = [];
    for await (const info of temporal.client.workflow.list({
      query: `WorkflowType = '${type}'${filter ? ` AND ${filter}` : ''}`,
      pageSize: PAGE_SIZE,
    }))
      found.push(info);
    meter.add('visibilityCalls', Math.max(1, Math.ceil(found.length / PAGE_SIZE)));
    // The newest run per workflow id (a workflow id is reused when a wave is started again).
    const newest = new Map<string, WorkflowExecutionInfo>();
    for (const info of found) {
      const known = newest.get(info.workflowId);
      if (!known || known.startTime < info.startTime) newest.set(info.workflowId, info);
    }
    return [...newest.values()];
  }

  async function query<T>(workflowId: string, run: () => Promise<T>): Promise<T | undefined> {
    meter.add('queryCalls');
    try {
      return await run();
    } catch (error) {
      // Not started yet, or gone: nothing to show.
      if (error instanceof Error && error.name === 'WorkflowNotFoundError') return undefined;
      throw new Error(
        `query of ${workflowId} failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  const handle = (workflowId: string, runId?: string) =>
    temporal.client.workflow.getHandle(workflowId, runId);

  const plan = () =>
    planCache.get('plan', async () =>
      workspace && (await plannedWaveIds(workspace)).length > 0 ? loadPlan(workspace) : null,
    );

  async function waveProgress(
    info: WorkflowExecutionInfo,
    unreadable: string[],
  ): Promise<WaveProgress | undefined> {
    const read = () =>
      query(info.workflowId, () => handle(info.workflowId, info.runId).query(waveProgressQuery));
    // One wave a busy worker cannot answer for now must not blank the whole program page.
    if (info.status.name === 'RUNNING')
      return read().catch(() => {
        unreadable.push(info.workflowId);
        return undefined;
      });
    return closedWaves
      .get(info.runId, async () => {
        const progress = await read();
        if (!progress) throw new Error(`wave ${info.workflowId} has no progress`);
        return progress;
      })
      .catch(() => undefined);
  }

  /**
   * VMs a closed batch migrated, from its result (the close event of its history, read once per run): a
   * query would make a worker replay the whole closed history.
   */
  const migratedBy = (info: WorkflowExecutionInfo) =>
    closedBatches
      .get(info.runId, async () => {
        meter.add('historyCalls');
        const result = (await handle(info.workflowId, info.runId).result()) as BatchResult;
        return result.vms.filter((vm) => vm.outcome === 'migrated').length;
      })
      .catch(() => 0);

  /** Workflows of a type matching `filter`, counted by visibility without listing them. */
  async function count(type: string, filter: string): Promise<CountWorkflowExecution> {
    meter.add('visibilityCalls');
    return temporal.client.workflow.count(`WorkflowType = '${type}' AND ${filter}`);
  }

  /**
   * Databases by their published stage (MigrationPhase), closed ones included, as counts: a program holds
   * thousands of database workflows, and listing them all on every refresh is what made the page slow.
   * Visibility groups only by ExecutionStatus, so there is one count per stage, plus one for workflows that
   * have not published a stage yet (labelled by their status).
   */
  async function databasesByStage(): Promise<Record<string, number>> {
    const [perStage, unstaged] = await Promise.all([
      mapBounded(databaseStages, 4, (stage) => count('migrationDatabase', `${phaseKey.name} = '${stage}'`)),
      count('migrationDatabase', `${phaseKey.name} IS NULL GROUP BY ExecutionStatus`),
    ]);
    const counts: Record<string, number> = {};
    databaseStages.forEach((stage, i) => {
      if (perStage[i]!.count > 0) counts[stage] = perStage[i]!.count;
    });
    for (const group of unstaged.groups) {
      const status = String(group.groupValues[0] ?? 'unknown').toLowerCase();
      counts[status] = (counts[status] ?? 0) + group.count;
    }
    return counts;
  }

  function burndown(planned: Plan | null, closed: { at: number; vms: number }[]): Burndown | undefined {
    const plannedCutovers = (planned?.waves ?? []).flatMap((w) =>
      w.batches.map((b) => ({
        at: Date.parse(b.cutoverWindow.end),
        vms: b.bootGroups.reduce((n, g) => n + g.servers.length, 0),
      })),
    );
    const all = [...plannedCutovers, ...closed];
    if (all.length === 0) return undefined;
    const now = Date.now();
    const first = mondayOf(
      Math.min(...all.map((e) => e.at), planned ? Date.parse(planned.options.start) : now),
    );
    const last = mondayOf(Math.max(...all.map((e) => e.at)));
    const weeks: string[] = [];
    const plannedSeries: number[] = [];
    const actual: (number | null)[] = [];
    for (let week = first; week <= last && weeks.length < 520; week += 7 * DAY) {
      const end = week + 7 * DAY;
      weeks.push(isoDay(week));
      plannedSeries.push(plannedCutovers.filter((e) => e.at < end).reduce((n, e) => n + e.vms, 0));
      actual.push(week <= now ? closed.filter((e) => e.at < end).reduce((n, e) => n + e.vms, 0) : null);
    }
    return {
      weeks,
      planned: plannedSeries,
      actual,
      totalVms: planned?.summary.vms ?? closed.reduce((n, e) => n + e.vms, 0),
    };
  }

  async function attentionDetail(
    workflowId: string,
    phase: string,
    read: () => Promise<BatchProgress | DatabaseProgress>,
    unreadable: string[],
  ) {
    return attentionCache
      .get(`${workflowId}|${phase}`, () => query(workflowId, read))
      .catch(() => {
        unreadable.push(workflowId);
        return undefined;
      });
  }

  async function decisionsFor(
    wave: WaveProgress,
    info: WorkflowExecutionInfo | undefined,
    stageOf: (batchWorkflowId: string) => string,
    unreadable: string[],
  ): Promise<DashboardDecision[]> {
    if (info?.status.name !== 'RUNNING') return [];
    const attention = wave.batches.filter((b) => attentionStages.has(stageOf(b.workflowId)));
    const details = await mapBounded(attention, 8, (b) =>
      attentionDetail(
        b.workflowId,
        stageOf(b.workflowId),
        () => handle(b.workflowId).query(batchProgressQuery),
        unreadable,
      ),
    );
    const views = attention.flatMap((b, i) => {
      const progress = details[i] as BatchProgress | undefined;
      return progress ? [batchView(b, progress, temporal.workflowUrl(b.workflowId))] : [];
    });
    const decisions: DashboardDecision[] = decisionsOf(wave, views).map((d) => {
      const view = views.find((v) => v.batchId === d.subject);
      const kind =
        d.kind === 'held-batch' && view?.detail?.includes('cutover window') ? 'cutover-window' : d.kind;
      return {
        ...d,
        kind,
        waveId: wave.waveId,
        ...(view ? { batchId: view.batchId } : {}),
        ...(view && view.parked.length > 0 ? { parkedVms: view.parked.map((p) => p.vm) } : {}),
        ...(d.kind === 'gate-refused' && wave.gate
          ? {
              gate: {
                notReady: wave.gate.notReady.map((s) => s.server),
                preflight: (wave.gate.preflight ?? []).map((c) => c.name),
                capacity: wave.gate.capacity.length,
              },
            }
          : {}),
      };
    });
    const now = Date.now();
    for (const view of views)
      if (
        view.phase === 'awaiting-cutover-window' &&
        view.cutoverAt &&
        !view.paused &&
        Date.parse(view.cutoverAt) - now < WINDOW_HORIZON_MS
      )
        decisions.push({
          kind: 'cutover-window-opening',
          subject: view.batchId,
          waveId: wave.waveId,
          batchId: view.batchId,
          cutoverAt: view.cutoverAt,
          detail: `Cutover window opens ${view.cutoverAt}`,
          command: `factory wave cutover ${wave.waveId} --batch ${view.batchId} --postpone <ISO> --reason "…"`,
        });
    return decisions;
  }

  async function refreshProgram(): Promise<ProgramSnapshot> {
    meter.add('refreshes');
    const [waveInfos, batchInfos, databasesCounted, failedDatabases, planned] = await Promise.all([
      list('migrationWave'),
      list('migrationBatch'),
      databasesByStage(),
      list('migrationDatabase', `ExecutionStatus = 'Running' AND ${phaseKey.name} = 'awaiting-operator'`),
      plan(),
    ]);
    const unreadable: string[] = [];
    const progresses = await mapBounded(waveInfos, 8, (info) => waveProgress(info, unreadable));
    const waves: WaveSummary[] = [];
    const vmsByStage: Record<string, number> = {};
    const decisions: DashboardDecision[] = [];
    // Each batch's stage as it publishes it (MigrationPhase); closed batches by their outcome.
    const batchStages = new Map(
      batchInfos.map((b) => [
        b.workflowId,
        b.status.name === 'RUNNING'
          ? String(b.searchAttributes.MigrationPhase?.[0] ?? 'replicating')
          : b.status.name === 'COMPLETED'
            ? String(b.searchAttributes.MigrationPhase?.[0] ?? 'completed')
            : b.status.name.toLowerCase(),
      ]),
    );
    const stageOf = (workflowId: string) => batchStages.get(workflowId) ?? 'not-started';
    const decisionLists = await mapBounded(waveInfos, 4, (info) => {
      const progress = progresses[waveInfos.indexOf(info)];
      return progress ? decisionsFor(progress, info, stageOf, unreadable) : Promise.resolve([]);
    });
    waveInfos.forEach((info, i) => {
      const progress = progresses[i];
      const waveId = info.typedSearchAttributes.get(waveIdKey) ?? info.workflowId.replace(/^wave-/, '');
      const batchesByStage: Record<string, number> = {};
      for (const b of progress?.batches ?? []) {
        const stage = stageOf(b.workflowId);
        batchesByStage[stage] = (batchesByStage[stage] ?? 0) + 1;
        vmsByStage[stage] = (vmsByStage[stage] ?? 0) + b.vmCount;
      }
      waves.push({
        waveId,
        workflowId: info.workflowId,
        status: info.status.name,
        phase: progress?.phase ?? 'loading',
        vmCount: (progress?.batches ?? []).reduce((n, b) => n + b.vmCount, 0),
        batchCount: progress?.batches.length ?? 0,
        batchesByStage,
        startTime: info.startTime.toISOString(),
        ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
      });
      decisions.push(...(decisionLists[i] ?? []));
    });
    for (const w of planned?.waves ?? [])
      if (!waves.some((s) => s.waveId === w.id)) {
        const vms = w.batches.reduce((n, b) => n + b.bootGroups.reduce((s, g) => s + g.servers.length, 0), 0);
        vmsByStage['not-started'] = (vmsByStage['not-started'] ?? 0) + vms;
        waves.push({
          waveId: w.id,
          workflowId: waveWorkflowId(w.id),
          status: 'NOT_STARTED',
          phase: 'not-started',
          vmCount: vms,
          batchCount: w.batches.length,
          batchesByStage: {},
        });
      }
    waves.sort((a, b) => a.waveId.localeCompare(b.waveId));

    const databaseDetails = await mapBounded(failedDatabases, 8, (info) =>
      attentionDetail(
        info.workflowId,
        'awaiting-operator',
        () => handle(info.workflowId).query(databaseProgressQuery),
        unreadable,
      ),
    );
    failedDatabases.forEach((info, i) => {
      const progress = databaseDetails[i] as DatabaseProgress | undefined;
      const databaseId = progress?.databaseId ?? info.workflowId.replace(/^database-/, '');
      decisions.push({
        kind: 'failed-database',
        subject: databaseId,
        databaseId,
        detail:
          progress?.detail ??
          (progress?.lastError
            ? `${progress.lastError.code}: ${progress.lastError.message}`
            : 'held after a failure'),
        command: `factory db retry ${databaseId} --reason "…"`,
      });
    });

    const closedBatches = batchInfos.filter((b) => b.status.name === 'COMPLETED' && b.closeTime);
    const migrated = await mapBounded(closedBatches, 8, migratedBy);
    const closed = closedBatches.map((b, i) => ({ at: b.closeTime!.getTime(), vms: migrated[i] ?? 0 }));

    const wavesByState: Record<string, number> = {};
    for (const w of waves) {
      const state = w.status === 'RUNNING' ? w.phase : w.status.toLowerCase().replace('_', '-');
      wavesByState[state] = (wavesByState[state] ?? 0) + 1;
    }
    const burn = burndown(planned, closed);
    return {
      takenAt: new Date().toISOString(),
      waves,
      wavesByState,
      vmsByStage,
      databasesByStage: databasesCounted,
      decisions,
      ...(burn ? { burndown: burn } : {}),
      vmCount: waves.reduce((n, w) => n + w.vmCount, 0),
      unreadable,
    };
  }

  async function refreshWave(waveId: string): Promise<WaveSnapshot | undefined> {
    const workflowId = waveWorkflowId(waveId);
    meter.add('describeCalls');
    const description = await handle(workflowId)
      .describe()
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === 'WorkflowNotFoundError') return undefined;
        throw error;
      });
    if (!description) return undefined;
    const wave = await query(workflowId, () => handle(workflowId).query(waveProgressQuery));
    if (!wave) return undefined;
    const progresses = await mapBounded(wave.batches, 16, (b) =>
      b.phase === 'pending' && wave.phase !== 'running-batches'
        ? Promise.resolve(undefined)
        : query(b.workflowId, () => handle(b.workflowId).query(batchProgressQuery)),
    );
    const now = Date.now();
    const batches = wave.batches.map((entry, i) => {
      const view = batchView(entry, progresses[i], temporal.workflowUrl(entry.workflowId));
      const etaSeconds =
        view.replicationPercent === undefined
          ? undefined
          : eta.observe(view.batchId, view.replicationPercent, now);
      return etaSeconds === undefined ? view : { ...view, etaSeconds };
    });
    return {
      waveId: wave.waveId,
      workflowId,
      url: temporal.workflowUrl(workflowId),
      status: description.status.name,
      phase: wave.phase,
      ...(wave.detail ? { detail: wave.detail } : {}),
      ...(wave.approval ? { approval: wave.approval } : {}),
      ...(wave.maxConcurrentBatches === undefined ? {} : { maxConcurrentBatches: wave.maxConcurrentBatches }),
      ...(wave.gate ? { gate: wave.gate } : {}),
      vmCount: wave.batches.reduce((sum, b) => sum + b.vmCount, 0),
      vms: countVms(batches),
      batchesByPhase: countPhases(batches),
      batches,
      decisions: decisionsOf(wave, batches),
      takenAt: new Date(now).toISOString(),
    };
  }

  async function refreshBatch(batchId: string): Promise<BatchPage | undefined> {
    const workflowId = batchWorkflowId(batchId);
    meter.add('describeCalls');
    const description = await handle(workflowId)
      .describe()
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === 'WorkflowNotFoundError') return undefined;
        throw error;
      });
    if (!description) return undefined;
    const progress = await query(workflowId, () => handle(workflowId).query(batchProgressQuery));
    if (!progress) return undefined;
    const waveId = description.typedSearchAttributes.get(waveIdKey);
    return {
      progress,
      workflowId,
      status: description.status.name,
      ...(waveId ? { waveId } : {}),
      takenAt: new Date().toISOString(),
    };
  }

  /** A missing wave or batch is cached briefly too, so a wrong link polled by many viewers costs little. */
  const orMissing = <T>(value: T | undefined) => value ?? (null as unknown as T);

  return {
    program: () => programCache.get('program', refreshProgram),
    wave: async (waveId: string) =>
      (await waveCache.get(waveId, async () => orMissing(await refreshWave(waveId)))) ?? undefined,
    batch: async (batchId: string) =>
      (await batchCache.get(batchId, async () => orMissing(await refreshBatch(batchId)))) ?? undefined,
    plan: async () => (await plan()) ?? undefined,
    pageView: () => meter.add('pageViews'),
    load: () => meter.report(options.refreshSeconds),
    /** The batch id a listed batch workflow carries (for links). */
    batchIdOf: (info: WorkflowExecutionInfo) => info.typedSearchAttributes.get(batchIdKey),
  };
}

export type ProgramData = ReturnType<typeof createProgramData>;
