import { describe, expect, it } from 'vitest';
import type { Plan } from '../../domain/plan/plan-schema.ts';
import { validatePlan } from '../../domain/plan/validate-plan.ts';
import { estateOf, planOf } from './plan-fixtures.ts';

/** Two production waves: "base" (3 VMs) in wave-01, "front" (depends on base) in wave-02. */
function validPlan(): Plan {
  const estate = estateOf(
    [
      { name: 'base', vms: 3, priority: 1 },
      { name: 'front', vms: 2, priority: 3 },
    ],
    [['front', 'base', 'weak']],
    [
      {
        id: 'base-003/ledger',
        name: 'ledger',
        application: 'base',
        hostServer: 'base-003',
        hostServerId: 'base-003',
      },
    ],
  );
  return planOf(estate, (o) => {
    o.waves.maxApplications = 1;
    o.waves.rampUp = [];
  });
}
const rules = (plan: Plan) => validatePlan(plan).map((e) => e.rule);
const batch = (plan: Plan, wave: number) => {
  const b = plan.waves[wave]?.batches[0];
  if (b === undefined) throw new Error('fixture has no batch');
  return b;
};
const group = (plan: Plan, wave: number) => {
  const g = batch(plan, wave).bootGroups[0];
  if (g === undefined) throw new Error('fixture has no boot group');
  return g;
};

describe('factory plan validate', () => {
  it("accepts the planner's own plan", () => {
    expect(validatePlan(validPlan())).toEqual([]);
  });

  it('rejects a batch over 100 VMs', () => {
    const plan = validPlan();
    const extra = Array.from({ length: 101 }, (_, i) => ({
      ...plan.servers[0]!,
      id: `x${i}`,
      name: `x${i}`,
      application: 'base',
    }));
    plan.servers.push(...extra);
    group(plan, 0).servers.push(...extra.map((s) => s.id));
    const errors = validatePlan(plan);
    expect(errors.find((e) => e.rule === 'batch-size')?.message).toBe(
      'wave-01-batch-01 has 104 VMs; a Site Recovery recovery plan holds at most 100',
    );
  });

  it('rejects a hand-edited server name, VM UUID or vCenter that Azure cannot take as a name', () => {
    const plan = validPlan();
    const placed = group(plan, 0).servers[0]!;
    const server = plan.servers.find((s) => s.id === placed)!;
    server.name = '../../x/replicationProtectedItems/victim?y=';
    server.uuid = '..';
    const errors = validatePlan(plan).filter((e) => e.rule === 'azure-name');
    expect(errors.map((e) => e.server)).toEqual([placed, placed]);
    expect(errors[0]).toMatchObject({ wave: plan.waves[0]!.id, batch: batch(plan, 0).id });
    expect(errors[0]!.message).toMatch(
      /contains "\/": an Azure VM name .* rename the VM in vCenter .* plan again/,
    );
    expect(errors[1]!.message).toMatch(/must be the VM UUID vCenter reports/);
  });

  it('rejects an unknown server, naming wave and batch', () => {
    const plan = validPlan();
    group(plan, 0).servers.push('ghost');
    expect(validatePlan(plan)).toContainEqual(
      expect.objectContaining({
        rule: 'unknown-server',
        wave: 'wave-01',
        batch: 'wave-01-batch-01',
        server: 'ghost',
      }),
    );
  });

  it('rejects a server in two batches and a server in none', () => {
    const plan = validPlan();
    const moved = group(plan, 0).servers[0] ?? '';
    group(plan, 1).servers.push(moved);
    expect(rules(plan)).toContain('duplicate-server');
    group(plan, 1).servers.pop();
    group(plan, 0).servers.shift();
    expect(rules(plan)).toContain('unplaced-server');
  });

  it('rejects a split application', () => {
    const plan = validPlan();
    const moved = group(plan, 0).servers.shift() ?? '';
    group(plan, 1).servers.push(moved);
    expect(validatePlan(plan).find((e) => e.rule === 'split-application')?.message).toBe(
      'application base is split across waves wave-01, wave-02',
    );
  });

  it('rejects a dependency moved after its dependent', () => {
    const plan = validPlan();
    [plan.waves[0]!.batches, plan.waves[1]!.batches] = [plan.waves[1]!.batches, plan.waves[0]!.batches];
    [plan.waves[0]!.databases, plan.waves[1]!.databases] = [
      plan.waves[1]!.databases,
      plan.waves[0]!.databases,
    ];
    expect(validatePlan(plan).find((e) => e.rule === 'dependency-order')?.message).toContain(
      'front (wave-01) depends on base (wave-02, later)',
    );
  });

  it('rejects a wave mixing production and non-production', () => {
    const plan = validPlan();
    plan.applications[1]!.environment = 'non-production';
    const [base, front] = [plan.waves[0]!, plan.waves[1]!];
    base.batches.push(...front.batches);
    front.batches = [];
    expect(rules(plan)).toContain('mixed-environment');
  });

  it('rejects a wave over its caps', () => {
    const plan = validPlan();
    plan.waves[0]!.caps.applications = 1;
    plan.waves[0]!.batches.push(...plan.waves[1]!.batches);
    plan.waves[1]!.batches = [];
    expect(validatePlan(plan).find((e) => e.rule === 'wave-capacity')?.message).toBe(
      'wave-01 exceeds its caps: 2 applications > 1',
    );
  });

  it('rejects an overloaded appliance and a server without one', () => {
    const plan = validPlan();
    for (const server of plan.servers) server.appliance = 'appliance-01';
    plan.options.appliances.maxVms = 2;
    expect(rules(plan)).toContain('appliance-capacity');
    delete plan.servers[0]!.appliance;
    expect(rules(plan)).toContain('missing-appliance');
  });

  it('rejects a database outside its application wave', () => {
    const plan = validPlan();
    plan.waves[1]!.databases = plan.waves[0]!.databases;
    plan.waves[0]!.databases = [];
    expect(validatePlan(plan).find((e) => e.rule === 'database-wave')?.message).toBe(
      'database base-003/ledger is in wave-02 but its application base moves in wave-01',
    );
  });

  it('rejects a cutover window before replication ends or ending before it starts', () => {
    const plan = validPlan();
    batch(plan, 0).cutoverWindow = {
      start: plan.waves[0]!.replicationStart,
      end: plan.waves[0]!.replicationEnd,
    };
    expect(rules(plan)).toContain('cutover-window');
    batch(plan, 0).cutoverWindow = { start: '2026-02-02T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' };
    expect(validatePlan(plan).find((e) => e.rule === 'cutover-window')?.message).toContain(
      'ends before it starts',
    );
  });

  it('rejects an excluded server that is placed, a bad pin and a duplicate id', () => {
    const plan = validPlan();
    plan.excluded.push({ kind: 'server', id: 'base-001', reason: 'excluded by pins.exclude.servers' });
    plan.pins.applications.base = 'third wave';
    plan.waves[1]!.id = 'wave-01';
    expect(rules(plan)).toEqual(expect.arrayContaining(['excluded-server-placed', 'pin', 'duplicate-id']));
  });
});
