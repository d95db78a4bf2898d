/**
 * `factory plan` as a pure function: estate + assessment + options + pins → the plan file. The
 * steps record their reasons as they decide, so `--explain` prints what the planner actually did.
 */
import type { Estate } from '../inventory/estate-schema.ts';
import type { AssessmentInput } from './assessment-input.ts';
import { attachDatabases } from './attach-databases.ts';
import { batchWave, bootOrder, type DraftBatch } from './batching.ts';
import { planCapacity } from './capacity.ts';
import { moveGroups } from './move-groups.ts';
import { waveTBCap, type PlanOptions } from './plan-options.ts';
import { PLAN_FORMAT_VERSION, type Pins, type Plan, type PlanWave } from './plan-schema.ts';
import { planningInput } from './planning-input.ts';
import { scheduleWaves } from './schedule.ts';
import { assignWaves, waveId } from './wave-assignment.ts';

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const iso = (ms: number) => new Date(ms).toISOString();

export function planEstate(
  estate: Estate,
  assessment: AssessmentInput,
  options: PlanOptions,
  pins: Pins,
): Plan {
  const input = planningInput(estate, assessment, options, pins);
  const groups = moveGroups(input.applications, input.sharedServers);
  const assignment = assignWaves(input, groups, pins, options);
  const reasons = assignment.reasons;
  const say = (subject: string, text: string) =>
    reasons.set(subject, [...(reasons.get(subject) ?? []), text]);

  const apps = new Map(input.applications.map((a) => [a.name, a]));
  const drafts = assignment.waves.map((slot) => ({
    id: waveId(slot.number),
    slot,
    batches: batchWave(
      waveId(slot.number),
      [...slot.members].sort().flatMap((name) => apps.get(name) ?? []),
      input.servers,
      options.batches.maxVms,
      say,
    ),
  }));
  const schedule = scheduleWaves(drafts, options, pins, say);
  const capacity = planCapacity(drafts, schedule.waves, options, (id, text) =>
    input.servers.get(id)?.reasons.push(text),
  );
  const waveOfApp = new Map([...assignment.waveOfApp].map(([app, n]) => [app, waveId(n)]));
  const dbs = attachDatabases(estate.databases, assessment.databases, input.servers, waveOfApp);
  for (const [id, server] of input.servers) {
    const appliance = capacity.applianceOf.get(id);
    if (appliance !== undefined) server.appliance = appliance;
  }

  const timing = new Map(schedule.waves.map((w) => [w.id, w]));
  const waves: PlanWave[] = drafts.map(({ id, slot, batches }) => {
    const t = timing.get(id);
    const caps = assignment.capsOf(slot);
    return {
      id,
      number: slot.number,
      environment: slot.environment ?? 'production',
      replicationStart: iso(t?.replicationStart ?? 0),
      replicationEnd: iso(t?.replicationEnd ?? 0),
      cutoverStart: iso(t?.cutoverStart ?? 0),
      cutoverEnd: iso(t?.cutoverEnd ?? 0),
      totals: { vms: slot.vms, usedTB: round(slot.usedTB), applications: slot.applications },
      caps,
      batches: batches.map((b) =>
        planBatch(b, t?.batchWindows.get(b.id), capacity.subscriptionOf.get(b.id), reasons, options),
      ),
      databases: [...dbs.waveOf]
        .filter(([, w]) => w === id)
        .map(([db]) => db)
        .sort(),
    };
  });

  const planned = [...input.servers.values()];
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    inputs: { assessmentAsOf: assessment.asOf },
    options: { ...options, waves: { ...options.waves, maxTB: waveTBCap(options) } },
    pins,
    summary: {
      waves: waves.length,
      batches: waves.reduce((s, w) => s + w.batches.length, 0),
      vms: planned.length,
      databases: dbs.databases.length,
      usedTB: round(
        planned.reduce((s, vm) => s + (vm.usedGiB * 1024 ** 3) / 1e12, 0),
        1,
      ),
      makespanDays: schedule.makespanDays,
      lowerBoundDays: schedule.lowerBoundDays,
      lowerBoundBinding: schedule.lowerBoundBinding,
      assumedChurnServers: input.assumedChurnServers,
    },
    waves,
    applications: input.applications.map((a) => ({
      ...a,
      moveGroup: (groups.members.get(groups.groupOf.get(a.name) ?? '') ?? [])
        .filter((n) => n !== a.name)
        .sort(),
      reasons: [...a.reasons, ...(reasons.get(a.name) ?? [])],
    })),
    servers: planned.sort((a, b) => a.id.localeCompare(b.id)),
    databases: dbs.databases,
    excluded: [...input.excluded, ...dbs.excluded].sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id),
    ),
    crossWaveDependencies: assignment.crossWave,
    capacity: capacity.capacity,
    warnings: [...input.warnings, ...assignment.warnings, ...schedule.warnings, ...dbs.warnings],
  };
}

function planBatch(
  batch: DraftBatch,
  window: { start: string; end: string } | undefined,
  subscription: string | undefined,
  reasons: ReadonlyMap<string, string[]>,
  options: PlanOptions,
): PlanWave['batches'][number] {
  const vms = batch.servers.length;
  return {
    id: batch.id,
    businessGroup: batch.businessGroup,
    applications: batch.applications,
    bootGroups: bootOrder
      .map((tier) => ({ tier, servers: batch.servers.filter((s) => s.tier === tier).map((s) => s.id) }))
      .filter((g) => g.servers.length > 0)
      .map((g, i) => ({ order: i + 1, ...g })),
    targetSubscription: subscription ?? 'target-subscription-01',
    cutoverWindow: window ?? { start: iso(0), end: iso(0) },
    // Per-VM calls for enable and complete; the recovery plan carries test failover, cleanup,
    // failover and commit as one call each.
    armWrites: {
      enableReplication: vms,
      recoveryPlan: 1,
      testFailover: 1,
      cleanup: 1,
      failover: 1,
      commit: 1,
      completeMigration: vms,
      busiestStepSeconds: round(Math.max(0, vms - options.arm.burst) / options.arm.writesPerSecond, 1),
    },
    reasons: reasons.get(batch.id) ?? [],
    warnings: batch.warnings,
  };
}
