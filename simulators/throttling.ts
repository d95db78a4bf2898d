import type { HttpMethod } from './arm.ts';

/** Token bucket size and refill, in requests and requests per REAL second. */
export interface BucketLimits {
  capacity: number;
  refillPerSecond: number;
}

export interface ThrottleLimits {
  reads: BucketLimits;
  writes: BucketLimits;
  deletes: BucketLimits;
}

export type RequestKind = keyof ThrottleLimits;

/**
 * ARM's per-principal, per-subscription token buckets (bucket size, refill per second):
 * https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 */
export const defaultThrottleLimits: ThrottleLimits = {
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  deletes: { capacity: 200, refillPerSecond: 10 },
};

export const requestKind = (method: HttpMethod): RequestKind =>
  method === 'GET' ? 'reads' : method === 'DELETE' ? 'deletes' : 'writes';

export type ThrottleDecision =
  { allowed: true; remaining: number } | { allowed: false; remaining: 0; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets keyed by (subscription, principal, request kind), refilled continuously in real time.
 * Throttling deliberately ignores the simulated clock: ARM budgets are wall-clock budgets.
 */
export class Throttle {
  private readonly buckets = new Map<string, Bucket>();
  private throttledCount = 0;

  constructor(
    private readonly limits: ThrottleLimits | undefined,
    private readonly realNow: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.limits !== undefined;
  }

  get throttled(): number {
    return this.throttledCount;
  }

  take(subscriptionId: string, principal: string, kind: RequestKind): ThrottleDecision {
    if (!this.limits) return { allowed: true, remaining: Number.MAX_SAFE_INTEGER };
    const { capacity, refillPerSecond } = this.limits[kind];
    const key = `${subscriptionId.toLowerCase()}|${principal}|${kind}`;
    const now = this.realNow();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * refillPerSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    this.throttledCount += 1;
    const secondsToNextToken = refillPerSecond > 0 ? (1 - bucket.tokens) / refillPerSecond : 60;
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(secondsToNextToken)) };
  }
}

export function resolveThrottleLimits(
  option: Partial<ThrottleLimits> | false | undefined,
): ThrottleLimits | undefined {
  if (option === false) return undefined;
  return {
    reads: { ...defaultThrottleLimits.reads, ...option?.reads },
    writes: { ...defaultThrottleLimits.writes, ...option?.writes },
    deletes: { ...defaultThrottleLimits.deletes, ...option?.deletes },
  };
}
