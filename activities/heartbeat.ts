import { Context } from '@temporalio/activity';

/**
 * Runs `call` while heartbeating every second. A write waiting out ARM's Retry-After (or a slow answer),
 * or a poll waiting between reads, must not look like a lost worker, or Temporal starts a second attempt
 * (which, for a write, repeats it). The call gets the attempt's cancellation signal, so an attempt
 * Temporal gave up on stops instead of writing late.
 */
export async function beating<T>(
  details: unknown,
  call: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(details), 1000);
  try {
    return await call(context.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
