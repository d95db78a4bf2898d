/** Small, pure pieces of the terminal views: progress bars, durations, ETA from observed progress. */

/** `[########------------]  40%` */
export function progressBar(percent: number, width = 20): string {
  const clamped = Math.max(0, Math.min(100, percent));
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(clamped)).padStart(3)}%`;
}

/** 45 s, 3m 20s, 2h 05m, 3d 04h */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** Cuts a line to the terminal width (an ellipsis marks the cut), so redraws never wrap. */
export function fitWidth(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Estimates time to 100 % per key from the progress seen over the last `windowMs`: the rate is the
 * change between the oldest and newest sample in the window. No estimate without progress.
 */
export class EtaTracker {
  private readonly samples = new Map<string, { atMs: number; percent: number }[]>();

  constructor(private readonly windowMs = 120_000) {}

  observe(key: string, percent: number, atMs: number): number | undefined {
    const list = (this.samples.get(key) ?? []).filter(
      (s) => atMs - s.atMs <= this.windowMs && s.percent <= percent,
    );
    list.push({ atMs, percent });
    this.samples.set(key, list);
    const first = list[0];
    if (!first || percent >= 100) return percent >= 100 ? 0 : undefined;
    const rate = (percent - first.percent) / ((atMs - first.atMs) / 1000);
    return rate > 0 && Number.isFinite(rate) ? (100 - percent) / rate : undefined;
  }
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of the results. */
export async function mapBounded<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await work(items[index] as T);
  });
  await Promise.all(lanes);
  return results;
}
