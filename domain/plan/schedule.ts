/**
 * The schedule: initial replication of the waves runs back to back over the uplink (the next wave
 * starts replicating when the previous one has finished its initial copy), sharing it with the churn
 * of every VM that is replicating and not yet cut over. After validation a batch cuts over in the
 * next maintenance window of its business group, never before an earlier wave's cutover starts (so
 * dependencies move first). The makespan lower bound is what no schedule can beat with the same
 * resources: every byte that must cross the uplink (the initial copy, plus each VM's churn while it is
 * protected for at least the validation time) over the uplink, or failovers over the failover rate, or
 * ARM writes over the write budget, whichever is larger; plus one window for the last batch.
 */
import type { DraftBatch } from './batching.ts';
import type { PlanOptions } from './plan-options.ts';
import type { CutoverWindow, Pins } from './plan-schema.ts';
import { nextWindow, windowsFor } from './time-windows.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** ARM writes per VM over the whole run: enable, test failover + cleanup, failover, commit, complete. */
export const armWritesPerVm = 6;

export interface ScheduledWave {
  id: string;
  replicationStart: number;
  replicationEnd: number;
  cutoverStart: number;
  cutoverEnd: number;
  batchWindows: Map<string, CutoverWindow>;
}

export interface Schedule {
  waves: ScheduledWave[];
  makespanDays: number;
  lowerBoundDays: number;
  lowerBoundBinding: string;
  warnings: string[];
}

const bytesOf = (batches: readonly DraftBatch[]) =>
  batches.reduce((sum, b) => sum + b.servers.reduce((s, vm) => s + vm.usedGiB * 1024 ** 3, 0), 0);
const churnBytesPerSecond = (batches: readonly DraftBatch[]) =>
  batches.reduce((sum, b) => sum + b.servers.reduce((s, vm) => s + (vm.churnGBPerDay * 1e9) / 86_400, 0), 0);
const iso = (ms: number) => new Date(ms).toISOString();
const days = (ms: number) => Math.round((ms / DAY_MS) * 100) / 100;

/**
 * When a wave's initial copy ends: the uplink minus the churn of everything protected, re-evaluated
 * each time an earlier wave cuts over and stops replicating (never below 10 % of the uplink).
 */
function initialCopyEnd(
  start: number,
  bytes: number,
  ownChurn: number,
  uplink: number,
  earlier: readonly ScheduledWave[],
  churnOf: ReadonlyMap<string, number>,
  starved: (share: number) => void,
): number {
  const releases = earlier
    .filter((w) => w.cutoverEnd > start)
    .map((w) => ({ at: w.cutoverEnd, churn: churnOf.get(w.id) ?? 0 }))
    .sort((a, b) => a.at - b.at);
  let churn = ownChurn + releases.reduce((s, r) => s + r.churn, 0);
  let t = start;
  let left = bytes;
  let warned = false;
  for (;;) {
    const effective = Math.max(uplink * 0.1, uplink - churn);
    if (effective === uplink * 0.1 && !warned) {
      starved(Math.max(0, (uplink - churn) / uplink));
      warned = true;
    }
    const next = releases.shift();
    const finish = t + (left / effective) * 1000;
    if (next === undefined || finish <= next.at) return finish;
    left -= (effective * (next.at - t)) / 1000;
    t = next.at;
    churn -= next.churn;
  }
}

export function scheduleWaves(
  waves: readonly { id: string; batches: readonly DraftBatch[] }[],
  options: PlanOptions,
  pins: Pins,
  say: (subject: string, text: string) => void,
): Schedule {
  const warnings: string[] = [];
  const startMs = Date.parse(`${options.start}T00:00:00Z`);
  const uplink = (options.network.uplinkMbps * 1e6) / 8;
  const validationMs = options.schedule.validationDays * DAY_MS;
  const scheduled: ScheduledWave[] = [];
  const churnOf = new Map(waves.map((w) => [w.id, churnBytesPerSecond(w.batches)]));
  let replicationFree = startMs;
  let previousCutoverStart = startMs;
  for (const wave of waves) {
    const replicationStart = replicationFree;
    const replicationEnd = initialCopyEnd(
      replicationStart,
      bytesOf(wave.batches),
      churnBytesPerSecond(wave.batches),
      uplink,
      scheduled,
      churnOf,
      (share) =>
        warnings.push(
          `${wave.id}: churn of the VMs replicating at once leaves ${Math.round(share * 100)} % of the uplink for the initial copy`,
        ),
    );
    const readyAt = Math.max(replicationEnd + validationMs, previousCutoverStart);
    const batchWindows = new Map<string, CutoverWindow>();
    for (const batch of wave.batches) {
      const pinned = pins.windows[batch.id] ?? pins.windows[wave.id];
      let window: CutoverWindow;
      if (pinned !== undefined) {
        window = pinned;
        say(batch.id, `cutover window ${pinned.start} – ${pinned.end} pinned by pins.windows`);
        if (Date.parse(pinned.start) < replicationEnd + validationMs)
          warnings.push(
            `${batch.id}: pinned window opens ${pinned.start}, before replication and validation can finish (${iso(replicationEnd + validationMs)})`,
          );
      } else {
        const found = nextWindow(
          readyAt,
          batch.businessGroup,
          options.schedule.maintenanceWindows,
          options.schedule.blackouts,
        );
        if (found === undefined) {
          warnings.push(
            `${batch.id}: no maintenance window of ${batch.businessGroup} within a year; cut over when ready`,
          );
          window = { start: iso(readyAt), end: iso(readyAt + 8 * HOUR_MS) };
        } else {
          window = { start: iso(found.start), end: iso(found.end) };
          say(
            batch.id,
            `cutover window ${window.start} – ${window.end}: first ${batch.businessGroup} maintenance window (${found.localStart} – ${found.localEnd} ${found.timeZone}) after replication ends ${iso(replicationEnd)} + ${options.schedule.validationDays} days validation${readyAt > replicationEnd + validationMs ? ' and after the previous wave starts cutting over' : ''}, skipping blackout dates`,
          );
        }
      }
      batchWindows.set(batch.id, window);
    }
    const starts = [...batchWindows.values()].map((w) => Date.parse(w.start));
    const ends = [...batchWindows.values()].map((w) => Date.parse(w.end));
    const entry: ScheduledWave = {
      id: wave.id,
      replicationStart,
      replicationEnd,
      cutoverStart: Math.min(...starts),
      cutoverEnd: Math.max(...ends),
      batchWindows,
    };
    scheduled.push(entry);
    replicationFree = replicationEnd;
    previousCutoverStart = Math.max(previousCutoverStart, ...starts);
  }

  const end = Math.max(startMs, ...scheduled.map((w) => w.cutoverEnd));
  const all = waves.flatMap((w) => w.batches);
  const vms = all.reduce((s, b) => s + b.servers.length, 0);
  const bounds: [string, number][] = [
    [
      'initial copy + churn during validation over the uplink',
      ((bytesOf(all) + churnBytesPerSecond(all) * (validationMs / 1000)) / uplink) * 1000,
    ],
    ['failovers over the failover rate', (vms / options.failover.perHourPerSubscription) * HOUR_MS],
    ['ARM writes over the write budget', ((vms * armWritesPerVm) / options.arm.writesPerSecond) * 1000],
  ];
  const [binding, boundMs] = bounds.reduce((a, b) => (b[1] > a[1] ? b : a));
  const shortestWindow = Math.min(
    ...[...new Set(all.map((b) => b.businessGroup))].flatMap((g) =>
      windowsFor(g, options.schedule.maintenanceWindows).map((w) => w.hours),
    ),
  );
  // The last batch still needs its validation after its last byte and a window to cut over in.
  const tail = validationMs + shortestWindow * HOUR_MS;
  const lowerBound = all.length === 0 ? 0 : Math.max(boundMs + shortestWindow * HOUR_MS, tail);
  return {
    waves: scheduled,
    makespanDays: days(end - startMs),
    lowerBoundDays: days(lowerBound),
    lowerBoundBinding: `${binding} + one ${shortestWindow} h window`,
    warnings,
  };
}
