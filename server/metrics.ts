/**
 * The factory server's Prometheus endpoint (`GET /metrics`): where the program stands, computed from
 * Temporal itself. The server lists the running wave, batch and database workflows of the factory's task
 * queue in visibility, reads each running batch's progress query (the progress the workflows report to the
 * CLI) and counts VMs by phase; databases, thousands at once, are counted by the stage they publish.
 *
 * Why the server and not the workers: a gauge of "VMs in phase X" must have one writer. Workflows run on
 * whichever worker holds them, move between workers, and workflow code cannot touch prom-client; per-worker
 * gauges would double-count or go stale. Temporal is the single source of truth, the server already reads
 * it for every view, and one scrape gives the whole program. The reads are cached for
 * FACTORY_METRICS_REFRESH_SECONDS so scrapes cost at most one pass over the open workflows per interval.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Client } from '@temporalio/client';
import { batchProgressQuery } from '../contracts/messages.ts';
import { databaseStage } from '../contracts/search-attributes.ts';
import { batchPhases, databasePhases } from '../domain/migration.ts';
import { AuthenticationError, type TokenVerifier } from './identity.ts';
import { mayRead, readerRoles } from './roles.ts';

/** The metric names the server exports (the dashboard test checks its queries against the registry). */
export const serverMetricNames = {
  waves: 'factory_waves',
  batches: 'factory_batches',
  heldBatches: 'factory_batches_held',
  pausedBatches: 'factory_batches_paused',
  vms: 'factory_vms',
  vmReplication: 'factory_vm_replication',
  databases: 'factory_databases',
  collectedAt: 'factory_progress_collected_timestamp_seconds',
  collectSeconds: 'factory_progress_collect_duration_seconds',
  collectErrors: 'factory_progress_collect_errors_total',
} as const;

/** Progress queries in flight at once: enough to finish a large program quickly, few enough for the workers. */
const QUERY_CONCURRENCY = 8;

export interface ProgressMetricsOptions {
  /** The factory's workflow task queue: only its workflows are counted (the namespace may hold others). */
  taskQueue: string;
  /** Minimum seconds between two passes over Temporal; 0 = every scrape. */
  refreshSeconds: number;
  onError?: (error: unknown, what: string) => void;
}

export class ProgressMetrics {
  readonly registry = new Registry();
  private readonly waves: Gauge<'phase'>;
  private readonly batches: Gauge<'phase'>;
  private readonly held: Gauge;
  private readonly paused: Gauge;
  private readonly vms: Gauge<'phase' | 'disposition'>;
  private readonly vmReplication: Gauge<'state'>;
  private readonly databases: Gauge<'phase'>;
  private readonly collectedAt: Gauge;
  private readonly collectSeconds: Histogram;
  private readonly collectErrors: Counter<'kind'>;
  private lastCollected = Number.NEGATIVE_INFINITY;
  private collecting: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly options: ProgressMetricsOptions,
  ) {
    if (/['\\]/.test(options.taskQueue))
      throw new Error(`FACTORY_TASK_QUEUE '${options.taskQueue}': quotes and backslashes are not allowed`);
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.waves = new Gauge({
      name: serverMetricNames.waves,
      help: 'Running waves by phase (their MigrationPhase search attribute)',
      labelNames: ['phase'],
      registers,
    });
    this.batches = new Gauge({
      name: serverMetricNames.batches,
      help: 'Running batches by phase',
      labelNames: ['phase'],
      registers,
    });
    this.held = new Gauge({
      name: serverMetricNames.heldBatches,
      help: 'Running batches held for an operator (phase awaiting-operator)',
      registers,
    });
    this.paused = new Gauge({
      name: serverMetricNames.pausedBatches,
      help: 'Running batches paused by an operator',
      registers,
    });
    this.vms = new Gauge({
      name: serverMetricNames.vms,
      help: "VMs of running batches by their batch's phase and the VM's disposition (active, parked, skipped, migrated, rolled-back)",
      labelNames: ['phase', 'disposition'],
      registers,
    });
    this.vmReplication = new Gauge({
      name: serverMetricNames.vmReplication,
      help: 'VMs of running batches by Azure Site Recovery state as the batch last read it',
      labelNames: ['state'],
      registers,
    });
    this.databases = new Gauge({
      name: serverMetricNames.databases,
      help: 'Running database migrations by the stage they publish (MigrationPhase)',
      labelNames: ['phase'],
      registers,
    });
    this.collectedAt = new Gauge({
      name: serverMetricNames.collectedAt,
      help: 'When the progress gauges were last read from Temporal (Unix seconds)',
      registers,
    });
    this.collectSeconds = new Histogram({
      name: serverMetricNames.collectSeconds,
      help: 'How long one pass over the running workflows took',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.collectErrors = new Counter({
      name: serverMetricNames.collectErrors,
      help: 'Workflows whose progress could not be read during a pass, by kind (list, wave, batch, database)',
      labelNames: ['kind'],
      registers,
    });
  }

  /** The Prometheus text page, after reading Temporal again if the last pass is older than the interval. */
  async metrics(): Promise<string> {
    if (Date.now() - this.lastCollected >= this.options.refreshSeconds * 1000) {
      // Concurrent scrapes share one pass.
      this.collecting ??= this.collect().finally(() => {
        this.collecting = undefined;
      });
      await this.collecting;
    }
    return this.registry.metrics();
  }

  private running(type: string): string {
    return `WorkflowType = '${type}' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.options.taskQueue}'`;
  }

  private async listIds(type: string, onEach?: (phase: string | undefined) => void): Promise<string[]> {
    const ids: string[] = [];
    for await (const info of this.client.workflow.list({ query: this.running(type) })) {
      ids.push(info.workflowId);
      const phase = info.searchAttributes.MigrationPhase?.[0];
      onEach?.(typeof phase === 'string' ? phase : undefined);
    }
    return ids;
  }

  private failed(kind: string, error: unknown, what: string): void {
    this.collectErrors.inc({ kind });
    this.options.onError?.(error, what);
  }

  private async collect(): Promise<void> {
    const stop = this.collectSeconds.startTimer();
    const wavePhases = new Map<string, number>();
    const databaseStages = new Map<string, number>();
    const tally = (into: Map<string, number>) => (phase: string | undefined) =>
      into.set(phase ?? 'unknown', (into.get(phase ?? 'unknown') ?? 0) + 1);
    let batchIds: string[];
    try {
      // Databases are counted by the stage they publish: a program runs thousands, too many to query.
      [, batchIds] = await Promise.all([
        this.listIds('migrationWave', tally(wavePhases)),
        this.listIds('migrationBatch'),
        this.listIds('migrationDatabase', tally(databaseStages)),
      ]);
    } catch (error) {
      // Keep the previous values: a visibility outage should not read as an empty program.
      this.failed('list', error, 'listing running workflows');
      stop();
      return;
    }
    const client = this.client.workflow;
    const batches = await mapLimited(batchIds, (id) =>
      client
        .getHandle(id)
        .query(batchProgressQuery)
        .catch((error: unknown) => this.failed('batch', error, `progress of ${id}`)),
    );

    // Known phases read 0 rather than vanish, so a panel shows a phase emptying.
    this.waves.reset();
    for (const [phase, count] of wavePhases) this.waves.set({ phase }, count);
    this.batches.reset();
    for (const phase of batchPhases) this.batches.set({ phase }, 0);
    this.vms.reset();
    this.vmReplication.reset();
    let held = 0;
    let paused = 0;
    for (const batch of batches) {
      if (!batch) continue;
      this.batches.inc({ phase: batch.phase });
      if (batch.phase === 'awaiting-operator') held += 1;
      if (batch.paused) paused += 1;
      for (const vm of batch.vms) {
        this.vms.inc({ phase: batch.phase, disposition: vm.disposition });
        this.vmReplication.inc({ state: vm.state });
      }
    }
    this.held.set(held);
    this.paused.set(paused);
    this.databases.reset();
    for (const phase of databasePhases) this.databases.set({ phase: databaseStage(phase) }, 0);
    for (const [phase, count] of databaseStages) this.databases.set({ phase }, count);
    this.lastCollected = Date.now();
    this.collectedAt.set(this.lastCollected / 1000);
    stop();
  }
}

async function mapLimited<T, R>(items: T[], map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(QUERY_CONCURRENCY, items.length) }, lane));
  return results;
}

const loopback = (ip: string) => ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';

/**
 * `GET /metrics`: open to scrapers on the server's own host (a Prometheus agent or sidecar on loopback);
 * anyone else needs the same bearer token and factory role as the API (Prometheus' `oauth2` client
 * credentials or `authorization` scrape settings).
 */
export function addMetricsRoute(
  app: FastifyInstance,
  metrics: ProgressMetrics,
  verifyToken: TokenVerifier,
): void {
  app.get('/metrics', { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    if (!loopback(request.ip)) {
      try {
        const identity = await verifyToken(request.headers.authorization);
        if (!mayRead(identity.roles))
          return reply.code(403).send({
            error: 'forbidden',
            reason: `${identity.name} has no factory role: their groups map to none of ${readerRoles.join(', ')}`,
          });
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'unauthorized', reason: error.message });
      }
    }
    const page = await metrics.metrics();
    return reply.code(200).header('content-type', metrics.registry.contentType).send(page);
  });
}
