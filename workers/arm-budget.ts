/**
 * Client-side pacing of ARM requests. ARM throttles per principal with token buckets (reads, writes,
 * deletes: bucket 250, 200, 200, refilled at 25, 10, 10 per second, per subscription;
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
 * A 429 costs the caller its Retry-After plus the SDK's backoff, and a burst (a wave enabling a thousand
 * VMs while hundreds of databases start) turns into minutes of 429s. Each worker spends at most
 * its share of the budget instead, so requests queue briefly in the worker rather than failing at ARM.
 * Every attempt (retries included) takes a token: the policy sits after the SDK's retry policy.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestQueued } from '../activities/liveness.ts';
import type { WorkerMetrics } from './arm-metrics.ts';
import {
  BaseRequestPolicy,
  type HttpOperationResponse,
  type RequestPolicy,
  type RequestPolicyFactory,
  type RequestPolicyOptions,
  type WebResourceLike,
} from '@azure/ms-rest-js';

export type ArmRequestKind = 'reads' | 'writes' | 'deletes';

export const armRequestKind = (method: string): ArmRequestKind =>
  method === 'GET' || method === 'HEAD' ? 'reads' : method === 'DELETE' ? 'deletes' : 'writes';

/** A token bucket that lends ahead: each caller takes a token and waits until the balance covers it. */
export class TokenBucket {
  private tokens: number;

  constructor(
    private readonly perSecond: number,
    private readonly capacity = perSecond,
    private last = Date.now(),
  ) {
    this.tokens = capacity;
  }

  /** Milliseconds the caller must wait before sending (0 when a token is free). */
  take(now = Date.now()): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.perSecond) * 1000;
  }
}

export interface ArmBudget extends Record<ArmRequestKind, TokenBucket> {
  /** Where the worker counts its ARM requests and budget waits (`/metrics`); tools pass none. */
  readonly metrics?: WorkerMetrics;
}

export const armBudget = (perSecond: Record<ArmRequestKind, number>, metrics?: WorkerMetrics): ArmBudget => ({
  reads: new TokenBucket(perSecond.reads),
  writes: new TokenBucket(perSecond.writes),
  deletes: new TokenBucket(perSecond.deletes),
  ...(metrics ? { metrics } : {}),
});

async function pace(budget: ArmBudget, kind: ArmRequestKind): Promise<void> {
  const wait = budget[kind].take();
  if (wait > 0) {
    // A known, bounded wait: the attempt's heartbeat goes on meanwhile.
    requestQueued(wait);
    const waited = budget.metrics?.budgetWait(kind, wait);
    try {
      await sleep(wait);
    } finally {
      waited?.();
    }
  }
}

/** Paces one attempt, sends it, and counts it (with its answer's status) in the worker's metrics. */
async function paced<R>(
  budget: ArmBudget,
  request: { method: string; url: string },
  send: () => Promise<R>,
  statusOf: (response: R) => number,
): Promise<R> {
  const kind = armRequestKind(request.method);
  await pace(budget, kind);
  const { metrics } = budget;
  if (!metrics) return send();
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let response: R;
  try {
    response = await send();
  } catch (error) {
    metrics.answered(request, kind, undefined, seconds());
    throw error;
  }
  metrics.answered(request, kind, statusOf(response), seconds());
  return response;
}

export const armBudgetPolicyName = 'armBudgetPolicy';

/** For core-client SDKs (Site Recovery, the SQL migration ServiceClient): add with `afterPhase: 'Retry'`. */
export const armBudgetPolicy = (budget: ArmBudget): PipelinePolicy => ({
  name: armBudgetPolicyName,
  sendRequest: (request, next) =>
    paced(
      budget,
      request,
      () => next(request),
      (response) => response.status,
    ),
});

class PacedRequestPolicy extends BaseRequestPolicy {
  constructor(
    nextPolicy: RequestPolicy,
    options: RequestPolicyOptions,
    private readonly budget: ArmBudget,
  ) {
    super(nextPolicy, options);
  }

  sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    return paced(
      this.budget,
      request,
      () => this._nextPolicy.sendRequest(request),
      (response) => response.status,
    );
  }
}

/** For ms-rest-js SDKs (classic DMS): last in `requestPolicyFactories`, so after its retry policies. */
export const armBudgetRequestPolicyFactory = (budget: ArmBudget): RequestPolicyFactory => ({
  create: (nextPolicy, options) => new PacedRequestPolicy(nextPolicy, options, budget),
});
