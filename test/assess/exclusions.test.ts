import { describe, expect, it } from 'vitest';
import { assessEstate, defaultAssessOptions } from '../../domain/assess/assess-estate.ts';
import {
  defaultExclusionOptions,
  exclusionCandidate,
  notVmwareReason,
} from '../../domain/assess/exclusions.ts';
import type { Estate, Server } from '../../domain/inventory/estate-schema.ts';
import { server } from './fixtures.ts';

const asOf = '2026-01-15';
const none = new Set<string>();
const candidate = (s: Server, appliances: ReadonlySet<string> = none) =>
  exclusionCandidate(s, asOf, defaultExclusionOptions, appliances);

describe('exclusion and decommission candidates', () => {
  it('leaves a powered-on VMware VM alone', () => {
    expect(candidate(server({ name: 'web01', poweredOn: true, createdOn: '2010-01-01' }))).toBeUndefined();
    expect(candidate(server({ name: 'web02', platform: 'vmware' }))).toBeUndefined();
  });

  it('suggests decommissioning a VM powered off and created at least a year before the assessment', () => {
    expect(candidate(server({ name: 'old01', poweredOn: false, createdOn: '2025-01-15T08:00:00Z' }))).toEqual(
      {
        reasons: ['powered-off'],
        suggestion: 'decommission',
        notes: [
          'powered off and created 2025-01-15 (365 days before 2026-01-15): likely unused, confirm with its owner and decommission it',
        ],
      },
    );
  });

  it('asks for a review of a recently created or undated powered-off VM', () => {
    expect(candidate(server({ name: 'new01', poweredOn: false, createdOn: '2025-01-16' }))).toEqual({
      reasons: ['powered-off'],
      suggestion: 'review',
      notes: [
        'powered off, created 2025-01-16 (364 days before 2026-01-15): confirm with its owner whether it is still needed',
      ],
    });
    expect(candidate(server({ name: 'undated', poweredOn: false }))?.notes).toEqual([
      'powered off, creation date unknown: confirm with its owner whether it is still needed',
    ]);
  });

  it('excludes a template without calling it powered off', () => {
    const c = candidate(
      server({ name: 'tpl-w2019', template: true, poweredOn: false, createdOn: '2015-01-01' }),
    );
    expect(c?.reasons).toEqual(['template']);
    expect(c?.suggestion).toBe('exclude');
  });

  it('flags servers that are not VMware VMs with how to migrate them', () => {
    const physical = candidate(server({ name: 'phys01', platform: 'physical' }));
    expect(physical).toEqual({
      reasons: ['not-vmware'],
      suggestion: 'review',
      notes: [
        "physical server: the factory migrates VMware VMs only; migrate it with Azure Migrate's agent-based migration for physical servers (replication appliance and Mobility service) outside the factory's waves",
      ],
    });
    expect(candidate(server({ name: 'hv01', platform: 'hyper-v' }))?.notes[0]).toContain(
      "Azure Migrate's Hyper-V migration",
    );
    expect(candidate(server({ name: 'az01', platform: 'azure' }))?.suggestion).toBe('exclude');
    expect(notVmwareReason('aws')).toMatch(/^AWS instance: the factory migrates VMware VMs only/);
  });

  it('excludes a known migration appliance, and the strongest suggestion wins', () => {
    const c = candidate(server({ name: 'azmigrate01', poweredOn: false }), new Set(['azmigrate01']));
    expect(c?.reasons).toEqual(['migration-appliance', 'powered-off']);
    expect(c?.suggestion).toBe('exclude');
  });

  it('copies platform and Azure Migrate view onto the VM and counts candidates in the totals', () => {
    const from = { file: 'assessment.xlsx', sheet: 'All_Assessed_Machines', row: 3 };
    const estate: Estate = {
      formatVersion: 1,
      sources: [],
      servers: [
        server({
          name: 'web01',
          azureMigrate: {
            readiness: 'Ready',
            recommendedSize: 'Standard_D2s_v5',
            monthlyComputeCost: 70,
            from,
          },
        }),
        server({ name: 'old01', poweredOn: false, createdOn: '2019-03-01' }),
        server({ name: 'phys01', platform: 'physical' }),
        server({ name: 'tpl01', template: true, poweredOn: false }),
      ],
      hosts: [],
      applications: [],
      databases: [],
      connections: [],
      warnings: [],
    };
    const assessment = assessEstate(estate, defaultAssessOptions(asOf));
    const vm = (name: string) => assessment.vms.find((v) => v.name === name);
    expect(vm('web01')?.azureMigrate?.recommendedSize).toBe('Standard_D2s_v5');
    expect(vm('web01')?.exclusion).toBeUndefined();
    expect(vm('web01')?.platform).toBeUndefined();
    expect(vm('phys01')?.platform).toBe('physical');
    const totals = assessment.totals.exclusionCandidates;
    expect(totals.servers).toBe(3);
    expect(totals.byReason).toEqual({
      'not-vmware': 1,
      template: 1,
      'migration-appliance': 0,
      'powered-off': 1,
    });
    expect(totals.bySuggestion).toEqual({ exclude: 1, decommission: 1, review: 1 });
    const candidatesCost = ['old01', 'phys01', 'tpl01']
      .map((n) => (vm(n)?.sizing?.monthlyCompute ?? 0) + (vm(n)?.sizing?.monthlyStorage ?? 0))
      .reduce((a, b) => a + b, 0);
    expect(totals.monthlyCost).toBeCloseTo(candidatesCost, 2);
    expect(totals.monthlyCost).toBeGreaterThan(0);
  });
});
