/** Preflight's pure rules: ARM action matching and regional vCPU quota against planned sizes. */
import { describe, expect, it } from 'vitest';
import { actionMatches, isAllowed } from '../../domain/preflight/permissions.ts';
import { evaluateQuota } from '../../domain/preflight/quota.ts';
import { unwaivedFailures } from '../../domain/preflight/checks.ts';

describe('ARM permission evaluation', () => {
  const write = 'Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/write';

  it('matches wildcards anywhere, case-insensitively, and nothing else', () => {
    expect(actionMatches('*', write)).toBe(true);
    expect(actionMatches('Microsoft.RecoveryServices/*', write)).toBe(true);
    expect(actionMatches('microsoft.recoveryservices/*/WRITE', write)).toBe(true);
    expect(actionMatches('*/read', write)).toBe(false);
    expect(actionMatches('Microsoft.RecoveryServices/vaults/replicationRecoveryPlans', write)).toBe(false);
    expect(actionMatches('Microsoft.Recovery.Services/*', write)).toBe(false);
  });

  it("subtracts a role's notActions from that role only", () => {
    const contributorWithout = { actions: ['*'], notActions: ['Microsoft.RecoveryServices/*/write'] };
    expect(isAllowed([contributorWithout], write)).toBe(false);
    expect(isAllowed([contributorWithout], write.replace('/write', '/read'))).toBe(true);
    expect(isAllowed([contributorWithout, { actions: [write] }], write)).toBe(true);
    expect(isAllowed([], write)).toBe(false);
  });
});

describe('vCPU quota', () => {
  const skus = [
    { name: 'Standard_D4s_v5', family: 'standardDSv5Family', vcpus: 4 },
    { name: 'Standard_E8s_v5', family: 'standardESv5Family', vcpus: 8 },
  ];
  const usage = (name: string, currentValue: number, limit: number) => ({ name, currentValue, limit });
  const vm = (name: string, targetVmSize?: string) => ({
    name,
    machineId: `m/${name}`,
    appliance: 'a',
    ...(targetVmSize ? { targetVmSize } : {}),
  });

  it('sums vCPUs per family and in total against limit minus current use', () => {
    const vms = [vm('a', 'Standard_D4s_v5'), vm('b', 'standard_d4s_v5'), vm('c', 'Standard_E8s_v5'), vm('d')];
    const fits = evaluateQuota(vms, skus, [
      usage('cores', 10, 26),
      usage('standardDSv5Family', 0, 8),
      usage('standardESv5Family', 2, 10),
    ]);
    expect(fits.demand).toEqual({ cores: 16, standardDSv5Family: 8, standardESv5Family: 8 });
    expect(fits.shortfalls).toEqual([]);
    expect(fits.unsized).toEqual(['d']);
    const short = evaluateQuota(vms, skus, [
      usage('cores', 11, 26),
      usage('standardDSv5Family', 0, 8),
      usage('standardESv5Family', 3, 10),
    ]);
    expect(short.shortfalls).toEqual([
      'cores: the wave needs 16, 15 of 26 free (11 in use)',
      'standardESv5Family: the wave needs 8, 7 of 10 free (3 in use)',
    ]);
  });

  it('names sizes the region does not offer and families it reports no quota for', () => {
    const verdict = evaluateQuota([vm('a', 'Standard_M64s'), vm('b', 'Standard_E8s_v5')], skus, []);
    expect(verdict.unknownSizes).toEqual([{ size: 'Standard_M64s', vms: ['a'] }]);
    expect(verdict.shortfalls).toContain(
      'standardESv5Family: the wave needs 8, the region reports no quota for it',
    );
  });
});

it('a failing check passes the gate only when waived by name with a reason', () => {
  const checks = [
    { name: 'vcpu-quota' as const, ok: false, detail: 'x' },
    { name: 'permissions' as const, ok: false, detail: 'y' },
    { name: 'vault' as const, ok: true, detail: 'z' },
  ];
  expect(
    unwaivedFailures(checks, [
      { check: 'vcpu-quota', reason: 'increase requested' },
      { check: 'permissions', reason: ' ' },
    ]).map((c) => c.name),
  ).toEqual(['permissions']);
});
