/** Terminal summary of a plan: waves, schedule, capacity, risks. */
import type { Plan } from '../../domain/plan/plan-schema.ts';

/** What the plan left out, by why: `plan --json` prints it too. */
export function excludedCounts(plan: Plan) {
  const servers = plan.excluded.filter((e) => e.kind === 'server');
  return {
    total: plan.excluded.length,
    servers: servers.length,
    notVmware: servers.filter((e) => e.category === 'not-vmware').length,
    exclusionCandidates: servers.filter((e) => e.category === 'exclusion-candidate').length,
    applications: plan.excluded.filter((e) => e.kind === 'application').length,
    databases: plan.excluded.filter((e) => e.kind === 'database').length,
  };
}

export function planSummaryLines(plan: Plan): string[] {
  const s = plan.summary;
  const c = plan.capacity.peak;
  const excluded = excludedCounts(plan);
  return [
    `Plan: ${s.waves} waves, ${s.batches} batches, ${s.vms} VMs, ${s.databases} databases, ${s.usedTB} TB`,
    `Makespan: ${s.makespanDays} days (lower bound ${s.lowerBoundDays} days: ${s.lowerBoundBinding}; ratio ${s.lowerBoundDays > 0 ? (s.makespanDays / s.lowerBoundDays).toFixed(3) : '-'})`,
    `Churn: ${s.assumedChurnServers ?? 0} of ${s.vms} servers assumed (no disk write data: ${plan.options.replication.defaultDailyChurnShare * 100} % of used storage per day), the rest from measured write throughput`,
    `Capacity at peak: ${c.appliances} appliances, ${c.storageAccounts} cache storage accounts, ${c.targetSubscriptions} target subscriptions, RPO bandwidth ${c.rpoBandwidthMbps} Mbps, initial replication ${c.initialReplicationMbps} Mbps (uplink ${plan.options.network.uplinkMbps} Mbps)`,
    ...plan.waves.map(
      (w) =>
        `  ${w.id} ${w.environment.padEnd(14)} ${String(w.totals.vms).padStart(4)} VMs ${String(w.totals.usedTB).padStart(7)} TB ${String(w.batches.length).padStart(3)} batches  replicate ${w.replicationStart.slice(0, 10)} → ${w.replicationEnd.slice(0, 10)}  cutover ${w.cutoverStart.slice(0, 16)} → ${w.cutoverEnd.slice(0, 16)}`,
    ),
    `Cross-wave dependencies: ${plan.crossWaveDependencies.length} (high risk ${plan.crossWaveDependencies.filter((d) => d.risk === 'high').length})`,
    `Capacity violations: ${plan.capacity.violations.length}${plan.capacity.violations[0] === undefined ? '' : ` (first: ${plan.capacity.violations[0].message}${plan.capacity.violations.length > 1 ? `; … and ${plan.capacity.violations.length - 1} more in plan-report.html` : ''})`}`,
    `Excluded: ${plan.excluded.length} (not VMware VMs ${excluded.notVmware}, exclusion candidates ${excluded.exclusionCandidates}); warnings: ${plan.warnings.length}`,
  ];
}
