/**
 * The keep-alive heartbeat vouches for an attempt only while what it waits for is within its own bound:
 * a hung request stops it, so Temporal's heartbeat timeout ends the attempt.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Liveness,
  requestAnswered,
  requestQueued,
  requestSent,
  requestTimeoutMs,
  retryAfterMs,
  stepGapMs,
  trackedCall,
} from '../../activities/liveness.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs one SDK call in `liveness` whose steps the test drives; returns how to end it. */
function startCall(liveness: Liveness, steps: () => void) {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  let seenSignal: AbortSignal | undefined;
  const call = liveness.run(() =>
    trackedCall(async (signal) => {
      seenSignal = signal;
      steps();
      await answered;
      requestAnswered();
    }),
  );
  return { call, answer, signal: () => seenSignal };
}

describe('attempt liveness', () => {
  it('stops vouching for a request that hangs past its own timeout', async () => {
    const attempt = new Liveness(new AbortController().signal);
    const { call, answer, signal } = startCall(attempt, requestSent);
    expect(signal()).toBe(attempt.signal);
    vi.advanceTimersByTime(requestTimeoutMs - 1000);
    expect(attempt.busy()).toBe(true);
    vi.advanceTimersByTime(2000);
    expect(attempt.busy()).toBe(false);
    answer();
    await call;
    expect(attempt.busy()).toBe(true);
  });

  it('vouches for a wait in the ARM budget for as long as the budget announced', async () => {
    const attempt = new Liveness();
    const queuedMs = 3 * requestTimeoutMs;
    const { call, answer } = startCall(attempt, () => requestQueued(queuedMs));
    vi.advanceTimersByTime(queuedMs);
    expect(attempt.busy()).toBe(true);
    vi.advanceTimersByTime(2000);
    expect(attempt.busy()).toBe(false);
    answer();
    await call;
  });

  it('between steps, waits the step gap or a longer Retry-After', () => {
    const attempt = new Liveness();
    vi.advanceTimersByTime(stepGapMs + 1);
    expect(attempt.busy()).toBe(false);
    attempt.progressed(2 * stepGapMs);
    vi.advanceTimersByTime(2 * stepGapMs - 1);
    expect(attempt.busy()).toBe(true);
    vi.advanceTimersByTime(2);
    expect(attempt.busy()).toBe(false);
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(Date.now() + 30_000).toUTCString())).toBe(30_000);
    expect(retryAfterMs(undefined)).toBe(0);
    expect(retryAfterMs('soon')).toBe(0);
  });
});
