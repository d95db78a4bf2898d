import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAssess } from '../../cli/assess/assess-command.ts';
import type { VmAssessment } from '../../domain/assess/assess-estate.ts';
import {
  azureMigrateReadiness,
  compareReadiness,
  comparisonLines,
} from '../../domain/assess/compare-readiness.ts';
import { assessReadiness } from '../../domain/assess/readiness.ts';
import { ESTATE_FORMAT_VERSION, type Server } from '../../domain/inventory/estate-schema.ts';
import { disk, server } from './fixtures.ts';
import { tempDir } from './helpers.ts';

const asOf = '2025-11-28';
const from = { file: 'assessment.xlsx', sheet: 'All_Assessed_Machines', row: 2 };

function machine(
  name: string,
  os: string,
  readiness?: string,
  readinessIssues: string[] = [],
  extra: Partial<Server> = {},
): Server {
  return server({
    name,
    os,
    ...(readiness === undefined ? {} : { azureMigrate: { readiness, readinessIssues, from } }),
    ...extra,
  });
}

const vmOf = (s: Server): VmAssessment => ({
  serverId: s.id,
  name: s.name,
  readiness: assessReadiness(s, asOf),
  ...(s.azureMigrate === undefined ? {} : { azureMigrate: s.azureMigrate }),
});

const servers = [
  machine('app01', 'Microsoft Windows Server 2012 R2 Standard', 'Ready'),
  machine('rh01', 'Red Hat Enterprise Linux 7 (64-bit)', 'Ready with conditions', [
    'Conditionally endorsed Linux OS',
  ]),
  machine('old01', 'Microsoft Windows Server 2003 Standard (64-bit)', 'Conditionally ready for Azure', [
    'Conditionally supported Windows operating system',
  ]),
  machine('ubu01', 'Ubuntu Linux (64-bit)', 'Ready'),
  machine('db01', 'Microsoft Windows Server 2019 Datacenter', 'Not ready', ['One or more unsuitable disks']),
  machine('nodata', 'Microsoft Windows Server 2019 Datacenter'),
  machine('weird', 'Microsoft Windows Server 2019 Datacenter', 'Maybe'),
  machine('busy', 'Microsoft Windows Server 2022 Datacenter', 'Ready', [], {
    disks: [disk({ id: 'os', label: 'Hard disk 1', sizeGiB: 128, writeMBps: 30 })],
  }),
];
const estate = servers.map(vmOf);

describe('readiness compared with Azure Migrate', () => {
  it("maps Azure Migrate's readiness wordings", () => {
    expect(azureMigrateReadiness('Ready')).toBe('Ready');
    expect(azureMigrateReadiness('Ready with conditions')).toBe('Conditionally ready');
    expect(azureMigrateReadiness('ConditionallySuitable')).toBe('Conditionally ready');
    expect(azureMigrateReadiness('Not ready for Azure')).toBe('Not ready');
    expect(azureMigrateReadiness('Readiness unknown')).toBe('Unknown');
    expect(azureMigrateReadiness('Maybe')).toBeUndefined();
  });

  it('agrees on end-of-support Windows and conditionally endorsed Linux, and lists every disagreement', () => {
    const comparison = compareReadiness(estate);
    expect(comparison).toMatchObject({ compared: 6, withoutAzureMigrate: 1, agree: 2, disagree: 4 });
    expect(comparison.unrecognised).toEqual([{ serverId: 'weird', name: 'weird', value: 'Maybe' }]);
    expect(comparison.pairs).toEqual([
      { ours: 'Ready', azureMigrate: 'Not ready', machines: 1 },
      { ours: 'Conditionally ready', azureMigrate: 'Ready', machines: 1 },
      { ours: 'Not ready', azureMigrate: 'Ready', machines: 1 },
      { ours: 'Not ready', azureMigrate: 'Conditionally ready', machines: 1 },
    ]);
    expect(comparisonLines(comparison)).toEqual(EXPECTED_LINES);
  });

  it('gives the full list as JSON with both reasons', () => {
    const comparison = compareReadiness(estate);
    const json = JSON.parse(JSON.stringify(comparison)) as typeof comparison;
    expect(json.disagreements.map((d) => d.name)).toEqual(['busy', 'db01', 'old01', 'ubu01']);
    expect(json.disagreements[2]).toEqual(EXPECTED_OLD01);
  });

  it('caps the text at the limit and says how many more the JSON has', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      vmOf(machine(`vm${String(i).padStart(2, '0')}`, 'Ubuntu Linux (64-bit)', 'Ready')),
    );
    const comparison = compareReadiness(many);
    expect(comparison.disagreements).toHaveLength(30);
    const lines = comparisonLines(comparison, 25);
    expect(lines.at(-1)).toBe('… and 5 more (use --json)');
    expect(lines.filter((l) => l.startsWith('vm')).length).toBe(25);
  });

  it('runs as factory assess --compare: text after the summary, full list in --json, azureMigrate kept per VM', async () => {
    const workspace = tempDir();
    writeFileSync(
      join(workspace, 'estate.json'),
      JSON.stringify({
        formatVersion: ESTATE_FORMAT_VERSION,
        sources: [],
        servers,
        hosts: [],
        applications: [],
        databases: [],
        connections: [],
        warnings: [],
      }),
    );
    const text: string[] = [];
    const assessment = await runAssess({ workspace, asOf, compare: true, print: (l) => text.push(l) });
    const start = text.indexOf(EXPECTED_LINES[0] ?? '');
    expect(text.slice(start, start + EXPECTED_LINES.length)).toEqual(EXPECTED_LINES);
    expect(text.at(-1)).toMatch(/^Wrote /);
    expect(assessment.vms.find((vm) => vm.name === 'rh01')?.azureMigrate?.readiness).toBe(
      'Ready with conditions',
    );
    const saved = JSON.parse(readFileSync(join(workspace, 'assessment.json'), 'utf8')) as {
      vms: { name: string; azureMigrate?: { readinessIssues?: string[] } }[];
    };
    expect(saved.vms.find((vm) => vm.name === 'db01')?.azureMigrate?.readinessIssues).toEqual([
      'One or more unsuitable disks',
    ]);
    const json: string[] = [];
    await runAssess({ workspace, asOf, compare: true, json: true, print: (l) => json.push(l) });
    const summary = JSON.parse(json.join('\n')) as { readinessComparison: { disagreements: unknown[] } };
    expect(summary.readinessComparison).toEqual(JSON.parse(JSON.stringify(compareReadiness(estate))));
    expect(summary.readinessComparison.disagreements).toHaveLength(4);
  });

  it('says when nothing can be compared', () => {
    expect(comparisonLines(compareReadiness([vmOf(machine('a', 'Windows Server 2019'))]))).toEqual([
      'Readiness comparison: no machine has an Azure Migrate readiness (import an Azure Migrate assessment export first)',
    ]);
  });
});

const EXPECTED_LINES = [
  'Readiness compared with Azure Migrate: 6 machines (1 without an Azure Migrate readiness)',
  'Agree: 2  Disagree: 4',
  '  ours Ready, Azure Migrate Not ready: 1',
  '  ours Conditionally ready, Azure Migrate Ready: 1',
  '  ours Not ready, Azure Migrate Ready: 1',
  '  ours Not ready, Azure Migrate Conditionally ready: 1',
  'Not compared: weird: Azure Migrate readiness "Maybe" is not a readiness value we know',
  "busy: ours Not ready, Azure Migrate Ready (expected: our stricter migration rules (site-recovery: disk-churn, vm-churn-sustained) go beyond Azure Migrate's Azure VM readiness)",
  '  ours: [disk-churn] Hard disk 1 writes 30 MB/s, above the 20 MB/s a Premium disk replicates',
  '  ours: [vm-churn-sustained] VM writes 30.0 MB/s in total',
  '  Azure Migrate: no readiness issues given',
  'db01: ours Ready, Azure Migrate Not ready (check: Azure Migrate found issues our inventory does not show: compare its reasons with the imported data (OS name, disks, boot type))',
  '  ours: no findings (every check passed)',
  '  Azure Migrate: One or more unsuitable disks',
  "old01: ours Not ready, Azure Migrate Conditionally ready (expected: our stricter migration rules (site-recovery: os-not-replicable) go beyond Azure Migrate's Azure VM readiness)",
  '  ours: [os-windows-out-of-support] Windows Server 2003 is past end of support and needs a Custom Support Agreement in Azure (Azure Migrate: Conditionally supported Windows OS)',
  '  ours: [os-not-replicable] Windows Server 2003 cannot be replicated by Site Recovery (stricter than Azure Migrate, which rates it Conditionally ready)',
  '  ours (note, does not lower readiness): [os-end-of-support] Windows Server 2003 support ended 2015-07-14',
  '  Azure Migrate: Conditionally supported Windows operating system',
  "ubu01: ours Conditionally ready, Azure Migrate Ready (check: we apply Azure Migrate's published rule (linux-version-unknown) to what our inventory says; check the OS name and data Azure Migrate saw)",
  '  ours: [linux-version-unknown] Ubuntu version unknown ("Ubuntu Linux (64-bit)" names none): Azure Migrate rates it Conditionally ready (Conditionally endorsed Linux OS) until the version is confirmed',
  '  Azure Migrate: no readiness issues given',
];

const EXPECTED_OLD01 = {
  serverId: 'old01',
  name: 'old01',
  ours: 'Not ready',
  azureMigrate: 'Conditionally ready',
  azureMigrateValue: 'Conditionally ready for Azure',
  ourReasons: [
    {
      code: 'os-windows-out-of-support',
      status: 'Conditionally ready',
      basis: 'azure-migrate',
      reason:
        'Windows Server 2003 is past end of support and needs a Custom Support Agreement in Azure (Azure Migrate: Conditionally supported Windows OS)',
    },
    {
      code: 'os-not-replicable',
      status: 'Not ready',
      basis: 'site-recovery',
      reason:
        'Windows Server 2003 cannot be replicated by Site Recovery (stricter than Azure Migrate, which rates it Conditionally ready)',
    },
  ],
  ourNotes: [{ code: 'os-end-of-support', reason: 'Windows Server 2003 support ended 2015-07-14' }],
  azureMigrateReasons: ['Conditionally supported Windows operating system'],
  expected: true,
  explanation:
    "our stricter migration rules (site-recovery: os-not-replicable) go beyond Azure Migrate's Azure VM readiness",
};
