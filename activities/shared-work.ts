/**
 * Work that several activities of one worker need at the same time (a container listing, a migration
 * service): it runs once, on its own, and each activity waits for it in its own attempt.
 *
 * The work is not part of the attempt that happened to start it. Were it, that attempt's cancellation
 * (its workflow cancelled it, or Temporal timed it out) would abort the work or turn its errors into a
 * cancellation for every other activity waiting for it, and those activities, which nobody cancelled,
 * would fail with "cancelled". The work runs outside any activity context (it cannot read one by
 * accident), with its own abort signal and liveness; each waiting attempt stops waiting when it is
 * cancelled, counts as busy while the work is, and the work is aborted once nobody waits for it.
 */
import { asyncLocalStorage, Context } from '@temporalio/activity';
import { currentLiveness, Liveness } from './liveness.ts';

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export class SharedWork<T> {
  private readonly controller = new AbortController();
  private readonly liveness = new Liveness(this.controller.signal);
  private waiting = 0;
  /** The work's outcome; errors are the work's own (an activity translates them in its own context). */
  readonly result: Promise<T>;

  constructor(work: (signal: AbortSignal) => Promise<T>) {
    this.result = asyncLocalStorage.exit(() => this.liveness.run(() => work(this.controller.signal)));
    // Nobody may be waiting when it fails (every waiter was cancelled): not an unhandled rejection.
    this.result.catch(() => undefined);
  }

  /** Aborted because every activity that waited for it was cancelled: start a new one instead. */
  get abandoned(): boolean {
    return this.controller.signal.aborted;
  }

  /** Waits for the work in the current attempt; rejects with a CancelledFailure when the attempt is cancelled. */
  async join(): Promise<T> {
    const context = activityContext();
    // Called directly (tests and tools): nothing to cancel.
    if (!context) return this.result;
    this.waiting += 1;
    try {
      const wait = () => Promise.race([this.result, context.cancelled]);
      const attempt = currentLiveness();
      return await (attempt ? attempt.awaiting(() => this.liveness.busy(), wait) : wait());
    } finally {
      this.waiting -= 1;
      if (this.waiting === 0 && context.cancellationSignal.aborted) this.controller.abort();
    }
  }
}
