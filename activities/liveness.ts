/**
 * Heartbeats that prove progress. An Azure activity often waits long for one thing (its turn in the
 * worker's ARM budget, a slow answer, a Retry-After, a listing shared with other activities), and a missed
 * heartbeat would make Temporal start a second attempt that races the first. So the attempt beats on its
 * own behalf, but only while what it waits for is within its own bound: a request on the wire for at most
 * `requestTimeoutMs`, a budget wait for its announced length, the gap between two steps for `stepGapMs`
 * (or the Retry-After Azure asked for). A request that hangs past its bound stops the beats, Temporal's
 * heartbeat timeout ends the attempt, and the worker aborts the hung request with the attempt's signal.
 *
 * The SDK clients carry two policies: `attemptCallPolicy` outermost (one SDK call with all its tries) and
 * `requestProgressPolicy` next to the wire (each try); `workers/azure.ts` installs them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import {
  BaseRequestPolicy,
  type AbortSignalLike,
  type HttpOperationResponse,
  type RequestPolicy,
  type RequestPolicyOptions,
  type RequestPolicyFactory,
  type WebResourceLike,
} from '@azure/ms-rest-js';
import { Context } from '@temporalio/activity';

/**
 * How long one request may be on the wire before the attempt stops vouching for it. ARM answers a
 * request within a minute (a long operation answers 201/202 and is polled), so a longer wait is a hung
 * connection.
 */
export const requestTimeoutMs = 60_000;

/**
 * The longest quiet gap between two steps of an attempt that is making progress: the SDK's retry backoff
 * (1, 2, then 4 s with jitter over its three retries) or a long-running operation's poll interval. A
 * Retry-After that asks for longer extends it.
 */
export const stepGapMs = 15_000;

type Bound = (now: number) => boolean;

/** What one attempt (or one piece of shared work) is waiting for, and whether that is still in bounds. */
export class Liveness {
  private readonly bounds = new Set<Bound>();
  private quietUntil: number;

  constructor(
    /** Aborts the attempt's requests (the activity's cancellation signal). */
    readonly signal?: AbortSignal,
    private readonly gapMs = stepGapMs,
  ) {
    this.quietUntil = Date.now() + gapMs;
  }

  /** True while the last step is recent or something awaited is within its bound. */
  busy(now = Date.now()): boolean {
    if (now < this.quietUntil) return true;
    for (const within of this.bounds) if (within(now)) return true;
    return false;
  }

  /** A step completed: the next is due within the step gap, or after `retryAfterMs` when Azure asked for longer. */
  progressed(retryAfterMs = 0): void {
    this.quietUntil = Math.max(this.quietUntil, Date.now() + Math.max(this.gapMs, retryAfterMs));
  }

  /** Awaits `work`, counting as busy while `within(now)` holds. */
  async awaiting<T>(within: Bound, work: () => Promise<T>): Promise<T> {
    this.bounds.add(within);
    try {
      return await work();
    } finally {
      this.bounds.delete(within);
      this.progressed();
    }
  }

  /** Runs `work` (and everything it calls) as part of this attempt. */
  run<T>(work: () => T): T {
    return attempts.run(this, work);
  }
}

const attempts = new AsyncLocalStorage<Liveness>();
export const currentLiveness = (): Liveness | undefined => attempts.getStore();

/** One SDK call: the deadline of its current step (waiting for the budget, on the wire, between tries). */
interface Call {
  until: number;
}
const calls = new AsyncLocalStorage<Call>();

/**
 * Runs one SDK call (all its tries) as part of the current attempt: the attempt counts as busy while the
 * call's current step is within bounds, and the call's requests are aborted with the attempt.
 */
export function trackedCall<T>(send: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  const liveness = currentLiveness();
  if (!liveness) return send(undefined);
  const call: Call = { until: Date.now() + stepGapMs };
  return liveness.awaiting(
    (now) => now < call.until,
    () => calls.run(call, () => send(liveness.signal)),
  );
}

/** The current call's request waits `ms` for its turn in the ARM budget. */
export function requestQueued(ms: number): void {
  const call = calls.getStore();
  if (call) call.until = Date.now() + ms + 1000;
}

/** The current call's request goes on the wire. */
export function requestSent(): void {
  const call = calls.getStore();
  if (call) call.until = Date.now() + requestTimeoutMs;
}

/** The current call's request was answered (or failed): a retry or the call's end follows. */
export function requestAnswered(retryAfterMs = 0): void {
  const call = calls.getStore();
  if (call) call.until = Date.now() + Math.max(stepGapMs, retryAfterMs);
  currentLiveness()?.progressed(retryAfterMs);
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date); 0 when absent or unreadable. */
export function retryAfterMs(header: string | undefined | null, now = Date.now()): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

/** Outermost policy of a core-client pipeline (no phase: before retries). */
export const attemptCallPolicy: PipelinePolicy = {
  name: 'attemptCallPolicy',
  sendRequest: (request, next) =>
    trackedCall((signal) => {
      if (signal && !request.abortSignal) request.abortSignal = signal;
      return next(request);
    }),
};

/** Innermost policy of a core-client pipeline (after the ARM budget): each try on the wire. */
export const requestProgressPolicy: PipelinePolicy = {
  name: 'requestProgressPolicy',
  async sendRequest(request, next) {
    requestSent();
    try {
      const response = await next(request);
      requestAnswered(retryAfterMs(response.headers.get('retry-after')));
      return response;
    } catch (error) {
      requestAnswered();
      throw error;
    }
  },
};

/**
 * Waits `ms` in an activity's poll loop: stops at once (CancelledFailure) when the attempt is cancelled,
 * and counts as a bounded wait for the heartbeat. Outside an activity (tools) it is a plain timer.
 */
export function pause(ms: number): Promise<void> {
  const liveness = currentLiveness();
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return sleep(ms);
  }
  const wait = () => context.sleep(ms);
  if (!liveness) return wait();
  const until = Date.now() + ms + 1000;
  return liveness.awaiting((now) => now < until, wait);
}

class AttemptCallRequestPolicy extends BaseRequestPolicy {
  constructor(nextPolicy: RequestPolicy, options: RequestPolicyOptions) {
    super(nextPolicy, options);
  }

  sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    return trackedCall((signal) => {
      // ms-rest-js types its signal as the older AbortSignalLike; Node's AbortSignal is one at runtime.
      if (signal && !request.abortSignal) request.abortSignal = signal as unknown as AbortSignalLike;
      return this._nextPolicy.sendRequest(request);
    });
  }
}

class RequestProgressRequestPolicy extends BaseRequestPolicy {
  constructor(nextPolicy: RequestPolicy, options: RequestPolicyOptions) {
    super(nextPolicy, options);
  }

  async sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    requestSent();
    try {
      const response = await this._nextPolicy.sendRequest(request);
      requestAnswered(retryAfterMs(response.headers.get('retry-after')));
      return response;
    } catch (error) {
      requestAnswered();
      throw error;
    }
  }
}

/** The same two policies for ms-rest-js clients (classic DMS): first and last in `requestPolicyFactories`. */
export const attemptCallRequestPolicyFactory: RequestPolicyFactory = {
  create: (nextPolicy, options) => new AttemptCallRequestPolicy(nextPolicy, options),
};
export const requestProgressRequestPolicyFactory: RequestPolicyFactory = {
  create: (nextPolicy, options) => new RequestProgressRequestPolicy(nextPolicy, options),
};
