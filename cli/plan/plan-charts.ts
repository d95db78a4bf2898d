/**
 * The plan's charts, aggregated for any size of plan (per wave, per batch, per UTC day — never per
 * VM): the wave and batch Gantt, VMs replicating and RPO bandwidth per day against their limits, the
 * planned burn-up, initial replication per wave against its goal, and appliance load against the cap.
 * Capacity follows the planner's model (`domain/plan/capacity.ts`): a wave's VMs hold replication
 * capacity from its replication start to its cutover end.
 */
import type { Plan } from '../../domain/plan/plan-schema.ts';
import { barChart } from '../charts/bar-chart.ts';
import { ganttChart, type GanttRow } from '../charts/gantt.ts';
import { formatNumber, utcDay } from '../charts/html.ts';

const DAY = 86_400_000;
const vmsOf = (batch: Plan['waves'][number]['batches'][number]) =>
  batch.bootGroups.reduce((n, g) => n + g.servers.length, 0);

export function planGantt(plan: Plan): string {
  const rows: GanttRow[] = plan.waves.flatMap((wave) => [
    {
      label: wave.id,
      detail: `${wave.environment}, ${wave.totals.vms} VMs, ${wave.batches.length} batches`,
      spans: [
        {
          kind: wave.environment === 'production' ? 0 : 1,
          start: wave.replicationStart,
          end: wave.replicationEnd,
        },
        { kind: 2, start: wave.replicationEnd, end: wave.cutoverStart },
        { kind: 3, start: wave.cutoverStart, end: wave.cutoverEnd },
      ],
    },
    ...wave.batches.map((batch) => ({
      label: `  ${batch.id}`,
      detail: `${wave.id}, ${vmsOf(batch)} VMs, ${batch.businessGroup}`,
      spans: [
        { kind: 2, start: wave.replicationStart, end: batch.cutoverWindow.start },
        { kind: 3, start: batch.cutoverWindow.start, end: batch.cutoverWindow.end },
      ],
    })),
  ]);
  return ganttChart({
    id: 'gantt',
    title: 'Waves and batches',
    description:
      'Each wave row: initial replication (blue production, green non-production), then replicating until cutover (grey: validation and waiting for the window), then the wave’s cutover windows (red). Each batch row below its wave: replicating from the wave’s start until the batch’s cutover window (red). Time axis in UTC; the dashed line is the plan’s start. Hover a bar for its dates.',
    kinds: [
      { name: 'initial replication (production)', colour: '#3b6ea5' },
      { name: 'initial replication (non-production)', colour: '#7fb069' },
      { name: 'replicating until cutover', colour: '#b8c4d0' },
      { name: 'cutover window', colour: '#d1495b' },
    ],
    rows,
    markers: [{ label: `plan start ${plan.options.start}`, at: `${plan.options.start}T00:00:00Z` }],
    emptyText: 'No waves: the plan placed no VMs, so there is no schedule to draw. See the exclusions below.',
  });
}

/** Peak over each UTC day of quantities held by waves from replication start to cutover end. */
export function dailyPeaks(
  plan: Plan,
  amountsOf: (wave: Plan['waves'][number]) => number[],
): { days: string[]; peaks: number[][] } {
  if (plan.waves.length === 0) return { days: [], peaks: [] };
  const events = plan.waves
    .flatMap((wave) => {
      const amounts = amountsOf(wave);
      return [
        { at: Date.parse(wave.replicationStart), amounts },
        { at: Date.parse(wave.cutoverEnd), amounts: amounts.map((a) => -a) },
      ];
    })
    // Ends before starts at the same instant: the planner frees a wave's capacity as the next one starts.
    .sort((a, b) => a.at - b.at || (a.amounts[0] ?? 0) - (b.amounts[0] ?? 0));
  const first =
    Math.floor(Math.min(Date.parse(`${plan.options.start}T00:00:00Z`), events[0]!.at) / DAY) * DAY;
  const last = Math.ceil(events[events.length - 1]!.at / DAY) * DAY;
  const width = events[0]!.amounts.length;
  const days: string[] = [];
  const peaks: number[][] = [];
  const current = new Array<number>(width).fill(0);
  let e = 0;
  for (let day = first; day < last; day += DAY) {
    // The level at the day's start, then after each change during the day.
    while (e < events.length && events[e]!.at <= day) add(current, events[e++]!.amounts);
    const peak = [...current];
    while (e < events.length && events[e]!.at < day + DAY) {
      add(current, events[e++]!.amounts);
      current.forEach((v, i) => (peak[i] = Math.max(peak[i]!, v)));
    }
    days.push(utcDay(day));
    peaks.push(peak);
  }
  return { days, peaks };
}

function add(into: number[], amounts: number[]) {
  amounts.forEach((a, i) => (into[i] = (into[i] ?? 0) + a));
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function planCapacityCharts(plan: Plan): string[] {
  const churn = new Map(plan.servers.map((s) => [s.id, s.peakChurnMBps]));
  const { growthFactor, initialReplicationGoalHours } = plan.options.replication;
  const rpoMbpsOf = (wave: Plan['waves'][number]) =>
    wave.batches.reduce(
      (sum, b) =>
        sum + b.bootGroups.reduce((s, g) => s + g.servers.reduce((t, id) => t + (churn.get(id) ?? 0), 0), 0),
      0,
    ) *
    growthFactor *
    8;
  const { days, peaks } = dailyPeaks(plan, (wave) => [wave.totals.vms, rpoMbpsOf(wave)]);
  const bars = days.map((day) => ({ day }));
  const appliances = plan.capacity.appliances.length;
  const perAppliance = plan.options.appliances.maxVms;
  const uplink = plan.options.network.uplinkMbps;
  const empty = 'No waves: nothing replicates.';

  const migratedByDay = new Map<string, number>();
  for (const wave of plan.waves)
    for (const batch of wave.batches) {
      const day = utcDay(Date.parse(batch.cutoverWindow.end) - 1);
      migratedByDay.set(day, (migratedByDay.get(day) ?? 0) + vmsOf(batch));
    }
  let migrated = 0;
  const burnUp = days.map((day) => (migrated += migratedByDay.get(day) ?? 0));

  return [
    barChart({
      id: 'vms-replicating',
      title: 'VMs replicating per day',
      description: `Peak number of VMs protected at once during each UTC day (a wave holds its VMs from replication start to its cutover end), against the replication appliances’ capacity: ${appliances} appliances × ${perAppliance} VMs.`,
      bars,
      values: peaks.map((p) => p[0] ?? 0),
      xName: 'date (UTC)',
      yName: 'VMs replicating',
      unit: 'VMs',
      limit: {
        value: appliances * perAppliance,
        label: `appliance capacity ${formatNumber(appliances * perAppliance)} VMs`,
      },
      emptyText: empty,
    }),
    barChart({
      id: 'rpo-bandwidth',
      title: 'RPO bandwidth per day',
      description: `Peak bandwidth the VMs replicating during each UTC day need to hold a ${plan.options.replication.rpoMinutes}-minute RPO (95th-percentile churn × ${growthFactor}), against the uplink.`,
      bars,
      values: peaks.map((p) => Math.round(p[1] ?? 0)),
      xName: 'date (UTC)',
      yName: 'RPO bandwidth',
      unit: 'Mbps',
      limit: { value: uplink, label: `uplink ${formatNumber(uplink)} Mbps` },
      emptyText: empty,
    }),
    barChart({
      id: 'burn-up',
      title: 'VMs migrated (planned, cumulative)',
      description:
        'VMs whose batch’s cutover window has ended by the end of each UTC day, against all VMs in the plan.',
      bars,
      values: burnUp,
      kind: 'line',
      xName: 'date (UTC)',
      yName: 'VMs migrated',
      unit: 'VMs',
      limit: { value: plan.summary.vms, label: `all ${formatNumber(plan.summary.vms)} VMs` },
      emptyText: 'No waves: nothing to migrate.',
    }),
    barChart({
      id: 'initial-replication',
      title: 'Initial replication per wave',
      description: `Hours each wave’s initial copy takes over the uplink (shared with the churn of everything protected at the time), against the ${initialReplicationGoalHours}-hour goal.`,
      bars: plan.capacity.perWave.map((p) => ({ category: p.wave })),
      values: plan.capacity.perWave.map((p) => round1(p.initialReplicationHours)),
      xName: 'wave',
      yName: 'initial replication',
      unit: 'h',
      limit: { value: initialReplicationGoalHours, label: `goal ${initialReplicationGoalHours} h` },
      emptyText: 'No waves: nothing replicates.',
    }),
    barChart({
      id: 'appliance-load',
      title: 'Replication appliance peak load',
      description: `Most VMs each replication appliance protects at once, against the ${perAppliance}-VM cap of one appliance.`,
      bars: plan.capacity.appliances.map((a) => ({ category: a.name })),
      values: plan.capacity.appliances.map((a) => a.peakVms),
      xName: 'appliance',
      yName: 'peak VMs',
      unit: 'VMs',
      limit: { value: perAppliance, label: `cap ${perAppliance} VMs` },
      emptyText: 'No appliances: no VM replicates.',
    }),
  ];
}
