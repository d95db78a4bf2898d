/**
 * The worker's own Prometheus metrics (prom-client): every ARM request attempt by operation and answer, the
 * 429s among them, and the activities waiting for their turn in the worker's ARM budget. They are counted
 * where the budget paces requests (`workers/arm-budget.ts`), below the SDK's retry policy, so each retry
 * counts as the request ARM saw.
 */
import { log as activityLog } from '@temporalio/activity';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ArmRequestKind } from './arm-budget.ts';

/** The metric names the worker exports (the dashboard test checks its queries against the registry). */
export const workerMetricNames = {
  armRequests: 'factory_arm_requests_total',
  armThrottled: 'factory_arm_throttled_total',
  armRequestSeconds: 'factory_arm_request_duration_seconds',
  armBudgetWaiting: 'factory_arm_budget_waiting_requests',
  armBudgetWaitSeconds: 'factory_arm_budget_wait_seconds_total',
} as const;

/**
 * ARM's operation name for a request, as in Azure's activity log and RBAC actions
 * (`Microsoft.Compute/virtualMachines/read`; https://learn.microsoft.com/azure/role-based-access-control/resource-provider-operations):
 * the provider namespace and resource types of the path with the names dropped, then `read`, `write`,
 * `delete` or `<action>/action`. Names never reach a label, so the label's values stay few.
 */
export function armOperation(method: string, url: string): string {
  let segments: string[];
  try {
    segments = new URL(url, 'https://management.azure.com').pathname.split('/').filter(Boolean);
  } catch {
    return 'unknown';
  }
  const verb = method.toUpperCase();
  const providers = segments.map((s) => s.toLowerCase()).lastIndexOf('providers');
  // Without a provider segment the path is a subscription or resource group: Microsoft.Resources.
  const namespace = providers >= 0 ? segments[providers + 1] : 'Microsoft.Resources';
  const rest = providers >= 0 ? segments.slice(providers + 2) : segments;
  if (!namespace) return 'unknown';
  const types: string[] = [];
  for (let index = 0; index < rest.length; index += 2) types.push(rest[index]!);
  // An odd trailing segment after a named resource is a collection (GET) or an action (POST).
  const trailing = rest.length % 2 === 1 ? types.at(-1) : undefined;
  if (verb === 'POST' && trailing !== undefined) return `${[namespace, ...types].join('/')}/action`;
  const suffix = verb === 'GET' || verb === 'HEAD' ? 'read' : verb === 'DELETE' ? 'delete' : 'write';
  return [namespace, ...types, suffix].join('/');
}

export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'kind' | 'code'>;
  private readonly throttled: Counter<'operation'>;
  private readonly duration: Histogram<'kind'>;
  private readonly waiting: Gauge<'kind'>;
  private readonly waited: Counter<'kind'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: workerMetricNames.armRequests,
      help: 'ARM request attempts by ARM operation, throttling bucket (reads, writes, deletes) and HTTP status (or "error" when no answer came)',
      labelNames: ['operation', 'kind', 'code'],
      registers,
    });
    this.throttled = new Counter({
      name: workerMetricNames.armThrottled,
      help: 'ARM request attempts answered 429 (throttled) by ARM operation',
      labelNames: ['operation'],
      registers,
    });
    this.duration = new Histogram({
      name: workerMetricNames.armRequestSeconds,
      help: 'Time from sending an ARM request attempt to its answer, by throttling bucket',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.waiting = new Gauge({
      name: workerMetricNames.armBudgetWaiting,
      help: "ARM requests (each in an activity) waiting for their turn in this worker's ARM budget, by bucket",
      labelNames: ['kind'],
      registers,
    });
    this.waited = new Counter({
      name: workerMetricNames.armBudgetWaitSeconds,
      help: "Seconds ARM requests spent waiting for this worker's ARM budget, by bucket",
      labelNames: ['kind'],
      registers,
    });
  }

  /** A request waits `ms` for the budget: counted as waiting until `done` is called. */
  budgetWait(kind: ArmRequestKind, ms: number): () => void {
    this.waiting.inc({ kind });
    this.waited.inc({ kind }, ms / 1000);
    return () => this.waiting.dec({ kind });
  }

  /** One attempt answered (`status`) or failed without an answer (`undefined`). */
  answered(
    request: { method: string; url: string },
    kind: ArmRequestKind,
    status: number | undefined,
    seconds: number,
  ): void {
    const operation = armOperation(request.method, request.url);
    this.requests.inc({ operation, kind, code: status === undefined ? 'error' : String(status) });
    this.duration.observe({ kind }, seconds);
    if (status === 429) {
      this.throttled.inc({ operation });
      // Inside an activity the SDK adds workflowId and activityId to the line; elsewhere (tools) no log.
      try {
        activityLog.warn('ARM throttled the request (429)', { operation, kind });
      } catch {
        // Not in an activity context.
      }
    }
  }
}
