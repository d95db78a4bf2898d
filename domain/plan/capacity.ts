/**
 * The capacity plan for the schedule: replication appliances (~200 VMs and 2 TB/day churn each),
 * target subscriptions (protected-disk cap), cache storage accounts (sum of IOPS / 20,000), bandwidth
 * for the RPO (95th-percentile churn × growth factor of everything replicating at once) and for the
 * initial-replication goal, the ARM write budget and the failover rate. Violations are listed, not hidden.
 * Each figure is an option whose default cites its Microsoft Learn page in `defaultPlanOptions`.
 */
import type { DraftBatch } from './batching.ts';
import type { PlanOptions } from './plan-options.ts';
import type { Capacity } from './plan-schema.ts';
import { assignPool } from './resource-pools.ts';
import type { ScheduledWave } from './schedule.ts';

export interface CapacityResult {
  capacity: Capacity;
  applianceOf: Map<string, string>;
  subscriptionOf: Map<string, string>;
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const unit = (prefix: string) => (i: number) => `${prefix}-${String(i + 1).padStart(2, '0')}`;

export function planCapacity(
  waves: readonly { id: string; batches: readonly DraftBatch[] }[],
  schedule: readonly ScheduledWave[],
  options: PlanOptions,
  say: (subject: string, text: string) => void,
): CapacityResult {
  const timing = new Map(schedule.map((s) => [s.id, s]));
  const span = (id: string) => ({
    start: timing.get(id)?.replicationStart ?? 0,
    end: timing.get(id)?.cutoverEnd ?? 0,
  });
  const { maxVms, maxChurnGBPerDay, bandwidthMbps } = options.appliances;

  // A wave replicates at the uplink's rate only through enough appliances: its VMs are spread over at
  // least uplink ÷ appliance bandwidth of them (never more than there are VMs), least loaded first.
  const vmCount = waves.reduce((sum, w) => sum + w.batches.reduce((n, b) => n + b.servers.length, 0), 0);
  const appliances = assignPool(
    waves.map((w) => ({
      id: w.id,
      ...span(w.id),
      groups: w.batches.map((b) => b.servers.map((s) => ({ key: s.id, load: [1, s.churnGBPerDay] }))),
    })),
    [maxVms, maxChurnGBPerDay],
    unit('appliance'),
    { minUnits: Math.min(Math.ceil(options.network.uplinkMbps / bandwidthMbps), vmCount), spread: true },
  );
  for (const [id, name] of appliances.unitOf) {
    const [vms = 0, churn = 0] = appliances.loadAfter.get(id) ?? [];
    say(
      id,
      `appliance ${name}: least loaded with room while its wave replicates (${vms}/${maxVms} VMs, ${round(churn / 1000, 2)}/${round(maxChurnGBPerDay / 1000, 2)} TB/day churn)`,
    );
  }
  const subscriptions = assignPool(
    waves.map((w) => ({
      id: w.id,
      ...span(w.id),
      groups: [w.batches.map((b) => ({ key: b.id, load: [b.servers.reduce((s, vm) => s + vm.disks, 0)] }))],
    })),
    [options.subscriptions.maxProtectedDisks],
    unit('target-subscription'),
  );

  const violations: Capacity['violations'] = [];
  for (const id of appliances.oversized)
    violations.push({
      rule: 'appliance-churn',
      subject: id,
      message: `server ${id} alone churns more than ${maxChurnGBPerDay} GB/day, the most one process server handles`,
    });
  for (const id of subscriptions.oversized)
    violations.push({
      rule: 'protected-disks',
      subject: id,
      message: `${id} alone has more than ${options.subscriptions.maxProtectedDisks} protected disks`,
    });

  const uplink = options.network.uplinkMbps;
  const perWave: Capacity['perWave'] = waves.map((w) => {
    const t = timing.get(w.id);
    const start = t?.replicationStart ?? 0;
    const inFlight = waves.filter((x) => {
      const s = timing.get(x.id);
      return s !== undefined && s.replicationStart <= start && s.cutoverEnd > start;
    });
    const vms = inFlight.flatMap((x) => x.batches.flatMap((b) => b.servers));
    const own = w.batches.flatMap((b) => b.servers);
    const rpoMbps = vms.reduce((s, vm) => s + vm.peakChurnMBps, 0) * options.replication.growthFactor * 8;
    const churnMbps = vms.reduce((s, vm) => s + (vm.churnGBPerDay * 8000) / 86_400, 0);
    const goalHours = options.replication.initialReplicationGoalHours;
    const bytes = own.reduce((s, vm) => s + vm.usedGiB * 1024 ** 3, 0);
    const irMbps = (bytes * 8) / 1e6 / (goalHours * 3600) + churnMbps;
    const irHours = t === undefined ? 0 : (t.replicationEnd - t.replicationStart) / 3_600_000;
    const subs = new Set(w.batches.map((b) => subscriptions.unitOf.get(b.id))).size;
    const failoverHours = own.length / (options.failover.perHourPerSubscription * Math.max(1, subs));
    const entry = {
      wave: w.id,
      inFlightVms: vms.length,
      storageAccounts: Math.max(
        1,
        Math.ceil(vms.reduce((s, vm) => s + vm.iops, 0) / options.storage.iopsPerAccount),
      ),
      rpoBandwidthMbps: Math.round(rpoMbps),
      initialReplicationMbps: Math.round(irMbps),
      initialReplicationHours: round(irHours),
      // One enable-replication PUT per VM: the burst absorbs the first ones, the refill rate paces the rest.
      enableReplicationMinutes: round(
        Math.max(0, own.length - options.arm.burst) / options.arm.writesPerSecond / 60,
      ),
      failoverHours: round(failoverHours, 2),
    };
    if (rpoMbps > uplink)
      violations.push({
        rule: 'rpo-bandwidth',
        subject: w.id,
        message: `${w.id}: ${entry.rpoBandwidthMbps} Mbps needed for a ${options.replication.rpoMinutes}-minute RPO while ${vms.length} VMs replicate (95th-percentile churn × ${options.replication.growthFactor}), uplink is ${uplink} Mbps`,
      });
    if (irHours > goalHours)
      violations.push({
        rule: 'initial-replication-goal',
        subject: w.id,
        message: `${w.id}: initial replication takes ≈ ${entry.initialReplicationHours} h, over the ${goalHours} h goal; it needs ${entry.initialReplicationMbps} Mbps`,
      });
    for (const batch of w.batches) {
      const window = t?.batchWindows.get(batch.id);
      if (window === undefined) continue;
      const hours = (Date.parse(window.end) - Date.parse(window.start)) / 3_600_000;
      const sameWindow = waves
        .flatMap((x) =>
          x.batches.filter((b) => timing.get(x.id)?.batchWindows.get(b.id)?.start === window.start),
        )
        .reduce((s, b) => s + b.servers.length, 0);
      if (
        sameWindow >
        options.failover.perHourPerSubscription * hours * Math.max(1, subscriptions.peaks.length)
      )
        violations.push({
          rule: 'failover-rate',
          subject: batch.id,
          message: `${sameWindow} VMs fail over in the window opening ${window.start}: more than ${options.failover.perHourPerSubscription}/h per subscription allows in ${hours} h`,
        });
    }
    return entry;
  });
  const peakOf = (key: keyof Capacity['perWave'][number]) =>
    Math.max(0, ...perWave.map((p) => Number(p[key])));
  return {
    applianceOf: appliances.unitOf,
    subscriptionOf: subscriptions.unitOf,
    capacity: {
      appliances: appliances.peaks.map((p) => ({
        name: p.name,
        peakVms: p.peak[0] ?? 0,
        peakChurnGBPerDay: round(p.peak[1] ?? 0),
      })),
      targetSubscriptions: subscriptions.peaks.map((p) => ({
        name: p.name,
        peakProtectedDisks: p.peak[0] ?? 0,
      })),
      perWave,
      peak: {
        appliances: appliances.peaks.length,
        storageAccounts: peakOf('storageAccounts'),
        rpoBandwidthMbps: peakOf('rpoBandwidthMbps'),
        initialReplicationMbps: peakOf('initialReplicationMbps'),
        targetSubscriptions: subscriptions.peaks.length,
      },
      violations: violations.sort(
        (a, b) => a.subject.localeCompare(b.subject) || a.rule.localeCompare(b.rule),
      ),
    },
  };
}
