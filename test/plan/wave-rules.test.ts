import { describe, expect, it } from 'vitest';
import { batchSpecsFromPlan } from '../../domain/plan/batch-specs.ts';
import { explain } from '../../domain/plan/explain.ts';
import { validatePlan } from '../../domain/plan/validate-plan.ts';
import { estateOf, planOf, waveOf } from './plan-fixtures.ts';

describe('waves', () => {
  it('moves what an application depends on in the same or an earlier wave, with the reason recorded', () => {
    const estate = estateOf(
      [
        { name: 'orders', vms: 3, priority: 1 },
        { name: 'billing', vms: 3, priority: 3 },
      ],
      [['orders', 'billing', 'weak']],
    );
    const plan = planOf(estate, (o) => (o.waves.maxApplications = 1));
    const [orders, billing] = [waveOf(plan, 'orders') ?? '', waveOf(plan, 'billing') ?? ''];
    expect(billing < orders).toBe(true);
    expect(plan.applications.find((a) => a.name === 'orders')?.reasons.join('\n')).toContain(
      `at or after ${billing}, where its dependency billing moves`,
    );
    expect(validatePlan(plan)).toEqual([]);
  });

  it('keeps strongly two-way coupled applications in one wave', () => {
    const estate = estateOf(
      [
        { name: 'a', vms: 2 },
        { name: 'b', vms: 2 },
      ],
      [
        ['a', 'b', 'strong'],
        ['b', 'a', 'weak'],
      ],
    );
    const plan = planOf(estate, (o) => (o.waves.maxApplications = 1));
    expect(waveOf(plan, 'a')).toBe(waveOf(plan, 'b'));
    expect(plan.applications.find((x) => x.name === 'a')?.moveGroup).toEqual(['b']);
  });

  it('flags a dependency cycle it cannot honour with its risk', () => {
    const estate = estateOf(
      [
        { name: 'a', vms: 1 },
        { name: 'b', vms: 1 },
      ],
      [
        ['a', 'b', 'weak'],
        ['b', 'a', 'weak'],
      ],
    );
    const plan = planOf(estate, (o) => (o.waves.maxApplications = 1));
    expect(plan.crossWaveDependencies).toHaveLength(1);
    expect(plan.crossWaveDependencies[0]?.risk).toBe('low');
    expect(plan.crossWaveDependencies[0]?.reason).toContain('dependency cycle');
  });

  it('puts dev/test before production and never mixes them in a wave', () => {
    const estate = estateOf([
      { name: 'prod1', vms: 2 },
      { name: 'test1', vms: 2, environment: 'Test' },
      { name: 'dev1', vms: 2, environment: 'Development' },
    ]);
    const plan = planOf(estate);
    expect(plan.waves.map((w) => w.environment)).toEqual(['non-production', 'production']);
    expect(waveOf(plan, 'dev1')).toBe('wave-01');
    expect(waveOf(plan, 'prod1')).toBe('wave-02');
  });

  it('puts POC candidates first and respects migration priority', () => {
    const estate = estateOf([
      { name: 'p3', vms: 1, priority: 3, criticality: 3 },
      { name: 'p1', vms: 1, priority: 1, criticality: 3 },
      { name: 'pilot', vms: 1, priority: 3, poc: true },
    ]);
    const plan = planOf(estate, (o) => {
      o.waves.maxApplications = 1;
      o.waves.rampUp = [];
    });
    expect([waveOf(plan, 'pilot'), waveOf(plan, 'p1'), waveOf(plan, 'p3')]).toEqual([
      'wave-01',
      'wave-02',
      'wave-03',
    ]);
  });

  it('keeps high-criticality applications out of the first waves', () => {
    const estate = estateOf([
      { name: 'core', vms: 1, criticality: 5, priority: 1 },
      { name: 'x', vms: 1 },
      { name: 'y', vms: 1 },
    ]);
    const plan = planOf(estate, (o) => {
      o.waves.maxApplications = 1;
      o.waves.rampUp = [];
    });
    expect(waveOf(plan, 'core')).toBe('wave-03');
    expect(explain(plan, 'core')?.join('\n')).toContain('kept out of the first 2 production waves');
  });

  it('caps waves by VMs with ramp-up', () => {
    const estate = estateOf(Array.from({ length: 10 }, (_, i) => ({ name: `app${i}`, vms: 10 })));
    const plan = planOf(estate, (o) => {
      o.waves.maxVms = 40;
      o.waves.rampUp = [0.25, 0.5];
    });
    expect(plan.waves.map((w) => w.totals.vms)).toEqual([10, 20, 40, 30]);
    expect(plan.waves.map((w) => w.caps.vms)).toEqual([10, 20, 40, 40]);
  });
});

describe('batches', () => {
  it('packs whole applications into batches of at most 100 VMs with db → app → web boot groups', () => {
    const estate = estateOf([
      { name: 'big', vms: 60 },
      { name: 'mid', vms: 50 },
      { name: 'small', vms: 3 },
    ]);
    const plan = planOf(estate, (o) => (o.waves.rampUp = []));
    const batches = plan.waves.flatMap((w) => w.batches);
    expect(batches.map((b) => b.applications)).toEqual([['big', 'small'], ['mid']]);
    const small = batches[0]?.bootGroups.map((g) => [g.tier, g.servers.filter((s) => s.startsWith('small'))]);
    expect(small).toEqual([
      ['db', ['small-003']],
      ['app', expect.arrayContaining(['small-002'])],
      ['web', ['small-001']],
    ]);
    expect(validatePlan(plan)).toEqual([]);
  });

  it('splits an application above 100 VMs along tiers, with a warning', () => {
    const plan = planOf(estateOf([{ name: 'huge', vms: 130 }]), (o) => (o.waves.rampUp = []));
    const batches = plan.waves.flatMap((w) => w.batches);
    expect(batches.map((b) => b.bootGroups.reduce((s, g) => s + g.servers.length, 0))).toEqual([100, 30]);
    expect(batches[0]?.warnings[0]).toContain('split along tiers');
    expect(batches[0]?.bootGroups[0]?.tier).toBe('db');
  });

  it('spreads the VMs over enough appliances to fill the uplink, each within its VM and churn caps', () => {
    const plan = planOf(
      estateOf([
        { name: 'a', vms: 90 },
        { name: 'b', vms: 90 },
        { name: 'c', vms: 90 },
      ]),
      (o) => {
        o.waves.rampUp = [];
        o.appliances.maxVms = 100;
      },
    );
    // 10 Gbps uplink ÷ 2 Gbps per appliance: five appliances, least loaded first.
    expect(plan.capacity.appliances.map((a) => a.peakVms)).toEqual([54, 54, 54, 54, 54]);
    expect(plan.servers.every((s) => s.appliance !== undefined)).toBe(true);
  });
});

describe('databases, schedule, pins', () => {
  it('attaches databases to their application wave with DMS target and mode', () => {
    const estate = estateOf(
      [{ name: 'erp', vms: 3 }],
      [],
      [
        {
          id: 'erp-003/ledger',
          name: 'ledger',
          application: 'erp',
          hostServer: 'erp-003',
          hostServerId: 'erp-003',
        },
      ],
    );
    const plan = planOf(estate);
    expect(plan.databases[0]).toMatchObject({
      id: 'erp-003/ledger',
      application: 'erp',
      target: 'Azure SQL Managed Instance',
      mode: 'offline',
    });
    expect(plan.waves[0]?.databases).toEqual(['erp-003/ledger']);
  });

  it('cuts over in the business group window in its time zone, skipping blackout dates', () => {
    const estate = estateOf([{ name: 'erp', vms: 1, group: 'Finance' }]);
    const plan = planOf(estate, (o) => {
      o.schedule.validationDays = 0;
      o.schedule.maintenanceWindows = [
        { businessGroup: 'Finance', timeZone: 'Europe/Berlin', days: ['Sat'], start: '22:00', hours: 6 },
        { businessGroup: '*', timeZone: 'UTC', days: ['Mon'], start: '01:00', hours: 4 },
      ];
      o.schedule.blackouts = [{ from: '2026-01-10', to: '2026-01-10', businessGroup: 'Finance' }];
    });
    // 2026-01-10 is a blacked-out Saturday; the next Saturday 22:00 in Berlin (UTC+1) is 21:00Z.
    expect(plan.waves[0]?.batches[0]?.cutoverWindow).toEqual({
      start: '2026-01-17T21:00:00.000Z',
      end: '2026-01-18T03:00:00.000Z',
    });
    expect(plan.summary.lowerBoundDays).toBeLessThanOrEqual(plan.summary.makespanDays);
  });

  it('keeps pins and exclusions when re-planning from the previous plan', () => {
    const estate = estateOf([
      { name: 'a', vms: 1 },
      { name: 'b', vms: 1 },
      { name: 'c', vms: 1 },
    ]);
    const first = planOf(estate);
    const pins = {
      ...first.pins,
      applications: { a: 'wave-03' },
      exclude: { servers: [], applications: ['c'] },
      windows: { 'wave-03': { start: '2026-03-01T20:00:00.000Z', end: '2026-03-02T02:00:00.000Z' } },
    };
    const second = planOf(estate, () => undefined, pins);
    const third = planOf(estate, () => undefined, second.pins);
    for (const plan of [second, third]) {
      expect(waveOf(plan, 'a')).toBe('wave-03');
      expect(waveOf(plan, 'c')).toBeUndefined();
      expect(plan.excluded).toContainEqual({
        kind: 'application',
        id: 'c',
        reason: 'excluded by pins.exclude.applications',
      });
      expect(plan.waves.find((w) => w.id === 'wave-03')?.batches[0]?.cutoverWindow.start).toBe(
        '2026-03-01T20:00:00.000Z',
      );
    }
    expect(explain(third, 'a')?.join('\n')).toContain('pinned by pins.applications');
  });

  it('turns a wave into BatchSpecs with machine ids, tiers, appliances and windows', () => {
    const plan = planOf(estateOf([{ name: 'erp', vms: 3 }]));
    const specs = batchSpecsFromPlan(plan, 'wave-01', {
      subscriptionId: 'sub',
      resourceGroup: 'rg',
      vmwareSites: { 'vc01.contoso.local': 'site1' },
    });
    expect(specs).toHaveLength(1);
    expect(specs[0]?.spec.vms.map((v) => [v.name, v.tier])).toEqual([
      ['erp-003', 'db'],
      ['erp-002', 'app'],
      ['erp-001', 'web'],
    ]);
    expect(specs[0]?.spec.vms[0]?.machineId).toBe(
      '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.OffAzure/VMwareSites/site1/machines/vc01-contoso-local_00000000-0000-4000-8000-000000000002',
    );
    // Spread over the appliances the uplink needs: three VMs, three appliances.
    expect(new Set(specs[0]?.spec.vms.map((v) => v.appliance))).toEqual(
      new Set(['appliance-01', 'appliance-02', 'appliance-03']),
    );
    expect(specs[0]?.cutoverWindow).toEqual(plan.waves[0]?.batches[0]?.cutoverWindow);
    expect(() =>
      batchSpecsFromPlan(plan, 'wave-09', { subscriptionId: 's', resourceGroup: 'r', vmwareSites: {} }),
    ).toThrow('no wave wave-09');
  });
});
