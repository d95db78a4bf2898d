/** Churn and RPO bandwidth are never derived from missing data: no disk write data = the documented assumption. */
import { describe, expect, it } from 'vitest';
import { planSummaryLines } from '../../cli/plan/plan-summary.ts';
import { defaultPlanOptions } from '../../domain/plan/plan-options.ts';
import { serverFacts } from '../../domain/plan/planning-input.ts';
import { disk, server } from '../assess/fixtures.ts';
import { estateOf, planOf } from './plan-fixtures.ts';

const options = defaultPlanOptions('2026-01-05');

describe('churn', () => {
  it('derives churn from measured write throughput', () => {
    const facts = serverFacts(
      server({ name: 'measured', usedGiB: 100, disks: [disk({ id: 'os', sizeGiB: 128, writeMBps: 1 })] }),
      options,
    );
    // 1 MB/s at the 5 % duty cycle: 1 × 86,400 × 0.05 / 1000 GB a day.
    expect(facts).toMatchObject({ churnGBPerDay: 4.32, peakChurnMBps: 1 });
    expect(facts.churnAssumed).toBeUndefined();
  });

  it('assumes the default share of used storage when the write counter has no data, never a measured 0', () => {
    const flagged = server({
      name: 'nodata',
      usedGiB: 100,
      disks: [disk({ id: 'os', sizeGiB: 128, writeMBps: 0, writeIops: 0 })],
      missingPerformance: ['disk'],
    });
    const facts = serverFacts(flagged, options);
    // 100 GiB = 107.37 GB × 1 % a day, arriving at the duty cycle's rate: 1.0737 × 1000 / (86,400 × 0.05).
    expect(facts).toEqual({
      usedGiB: 100,
      disks: 1,
      iops: 0,
      churnGBPerDay: 1.07,
      peakChurnMBps: 0.25,
      churnAssumed: true,
    });
    // Same when the assessment found no disk data for the server.
    const unflagged = server({ ...flagged, missingPerformance: [] });
    expect(serverFacts(unflagged, options, true)).toEqual(facts);
    expect(serverFacts(unflagged, options).churnAssumed).toBeUndefined();
  });

  it('plans RPO bandwidth with the assumed churn and says how many servers it was assumed for', () => {
    const estate = estateOf([{ name: 'erp', vms: 4 }]);
    for (const s of estate.servers.slice(2)) {
      s.missingPerformance = ['disk'];
      s.disks = s.disks.map((d) => ({ ...d, writeMBps: 0, writeIops: 0 }));
    }
    const plan = planOf(estate);
    expect(plan.summary.assumedChurnServers).toBe(2);
    expect(plan.servers.map((s) => s.churnAssumed ?? false)).toEqual([false, false, true, true]);
    // (1 + 1 measured + 0.25 + 0.25 assumed MB/s) × growth 1.3 × 8 bits = 26 Mbps, not the 21 of "zero churn".
    expect(plan.capacity.peak.rpoBandwidthMbps).toBe(26);
    expect(plan.warnings).toContain(
      '2 of 4 servers have no disk write data: their churn is assumed at 1 % of used storage per day (replication.defaultDailyChurnShare), not measured',
    );
    expect(planSummaryLines(plan)).toContain(
      'Churn: 2 of 4 servers assumed (no disk write data: 1 % of used storage per day), the rest from measured write throughput',
    );
  });
});
