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

export type ArmBudget = Record<ArmRequestKind, TokenBucket>;

export const armBudget = (perSecond: Record<ArmRequestKind, number>): ArmBudget => ({
  reads: new TokenBucket(perSecond.reads),
  writes: new TokenBucket(perSecond.writes),
  deletes: new TokenBucket(perSecond.deletes),
});

async function pace(budget: ArmBudget, method: string): Promise<void> {
  const wait = budget[armRequestKind(method)].take();
  if (wait > 0) {
    // A known, bounded wait: the attempt's heartbeat goes on meanwhile.
    requestQueued(wait);
    await sleep(wait);
  }
}

export const armBudgetPolicyName = 'armBudgetPolicy';

/** For core-client SDKs (Site Recovery, the SQL migration ServiceClient): add with `afterPhase: 'Retry'`. */
export const armBudgetPolicy = (budget: ArmBudget): PipelinePolicy => ({
  name: armBudgetPolicyName,
  async sendRequest(request, next) {
    await pace(budget, request.method);
    return next(request);
  },
});

class PacedRequestPolicy extends BaseRequestPolicy {
  constructor(
    nextPolicy: RequestPolicy,
    options: RequestPolicyOptions,
    private readonly budget: ArmBudget,
  ) {
    super(nextPolicy, options);
  }

  async sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    await pace(this.budget, request.method);
    return this._nextPolicy.sendRequest(request);
  }
}

/** For ms-rest-js SDKs (classic DMS): last in `requestPolicyFactories`, so after its retry policies. */
export const armBudgetRequestPolicyFactory = (budget: ArmBudget): RequestPolicyFactory => ({
  create: (nextPolicy, options) => new PacedRequestPolicy(nextPolicy, options, budget),
});
