/**
 * `factory assess --compare`: our readiness next to the readiness Azure Migrate's own assessment gave
 * each machine. Every disagreement is listed with both readiness values and both sets of reasons, and
 * says whether one of our deliberately stricter rules (Site Recovery, Azure VM) explains it.
 */
import type { VmAssessment } from './assess-estate.ts';
import { readinessStates, type Finding, type Readiness, type ReadinessNote } from './readiness.ts';

export interface ReadinessDisagreement {
  serverId: string;
  name: string;
  ours: Readiness;
  azureMigrate: Readiness;
  /** Azure Migrate's value as the export wrote it. */
  azureMigrateValue: string;
  ourReasons: Pick<Finding, 'code' | 'status' | 'basis' | 'reason'>[];
  /** Our notes (end of support): they do not lower readiness but often are what Azure Migrate flags. */
  ourNotes: Pick<ReadinessNote, 'code' | 'reason'>[];
  azureMigrateReasons: string[];
  /** True when our stricter Site Recovery / Azure VM rules alone make the difference. */
  expected: boolean;
  explanation: string;
}

export interface ReadinessComparison {
  /** Machines with an Azure Migrate readiness we understood. */
  compared: number;
  /** Machines without an imported Azure Migrate readiness. */
  withoutAzureMigrate: number;
  agree: number;
  disagree: number;
  /** Disagreements counted by (ours, Azure Migrate's), most frequent first. */
  pairs: { ours: Readiness; azureMigrate: Readiness; machines: number }[];
  /** Azure Migrate readiness values we could not map (listed, never silently dropped). */
  unrecognised: { serverId: string; name: string; value: string }[];
  disagreements: ReadinessDisagreement[];
}

/** Azure Migrate's wordings over its portal, exports and API (letters only, lower case). */
const azureMigrateWordings: Record<string, Readiness> = {
  ready: 'Ready',
  readyforazure: 'Ready',
  suitable: 'Ready',
  readywithconditions: 'Conditionally ready',
  conditionallyready: 'Conditionally ready',
  conditionallyreadyforazure: 'Conditionally ready',
  conditionallysuitable: 'Conditionally ready',
  notready: 'Not ready',
  notreadyforazure: 'Not ready',
  notsuitable: 'Not ready',
  readinessunknown: 'Unknown',
  unknownreadiness: 'Unknown',
  azurereadinessunknown: 'Unknown',
  unknown: 'Unknown',
};

export function azureMigrateReadiness(value: string): Readiness | undefined {
  return azureMigrateWordings[value.toLowerCase().replace(/[^a-z]/g, '')];
}

const rank: Record<Readiness, number> = { Ready: 0, 'Conditionally ready': 1, Unknown: 2, 'Not ready': 3 };
const stricterBases = new Set<Finding['basis']>(['site-recovery', 'azure-vm']);

function explain(
  vm: VmAssessment,
  azureMigrate: Readiness,
): Pick<ReadinessDisagreement, 'expected' | 'explanation'> {
  const ours = vm.readiness.status;
  if (rank[ours] > rank[azureMigrate]) {
    const driving = vm.readiness.findings.filter((f) => rank[f.status] > rank[azureMigrate]);
    const bases = new Set(driving.map((f) => f.basis));
    const codes = driving.map((f) => f.code).join(', ');
    if ([...bases].every((b) => stricterBases.has(b))) {
      return {
        expected: true,
        explanation: `our stricter migration rules (${[...bases].join(', ')}: ${codes}) go beyond Azure Migrate's Azure VM readiness`,
      };
    }
    if (bases.has('inventory')) {
      return { expected: false, explanation: `our inventory lacks data Azure Migrate had (${codes})` };
    }
    return {
      expected: false,
      explanation: `we apply Azure Migrate's published rule (${codes}) to what our inventory says; check the OS name and data Azure Migrate saw`,
    };
  }
  return {
    expected: false,
    explanation:
      'Azure Migrate found issues our inventory does not show: compare its reasons with the imported data (OS name, disks, boot type)',
  };
}

export function compareReadiness(vms: readonly VmAssessment[]): ReadinessComparison {
  const unrecognised: ReadinessComparison['unrecognised'] = [];
  const disagreements: ReadinessDisagreement[] = [];
  let compared = 0;
  let withoutAzureMigrate = 0;
  for (const vm of vms) {
    const value = vm.azureMigrate?.readiness;
    if (value === undefined || value.trim() === '') {
      withoutAzureMigrate += 1;
      continue;
    }
    const azureMigrate = azureMigrateReadiness(value);
    if (azureMigrate === undefined) {
      unrecognised.push({ serverId: vm.serverId, name: vm.name, value });
      continue;
    }
    compared += 1;
    if (azureMigrate === vm.readiness.status) continue;
    disagreements.push({
      serverId: vm.serverId,
      name: vm.name,
      ours: vm.readiness.status,
      azureMigrate,
      azureMigrateValue: value,
      ourReasons: vm.readiness.findings.map(({ code, status, basis, reason }) => ({
        code,
        status,
        basis,
        reason,
      })),
      ourNotes: vm.readiness.notes.map(({ code, reason }) => ({ code, reason })),
      azureMigrateReasons: vm.azureMigrate?.readinessIssues ?? [],
      ...explain(vm, azureMigrate),
    });
  }
  disagreements.sort((a, b) => a.name.localeCompare(b.name) || a.serverId.localeCompare(b.serverId));
  const pairCounts = new Map<string, { ours: Readiness; azureMigrate: Readiness; machines: number }>();
  for (const d of disagreements) {
    const key = `${d.ours}|${d.azureMigrate}`;
    const pair = pairCounts.get(key) ?? { ours: d.ours, azureMigrate: d.azureMigrate, machines: 0 };
    pair.machines += 1;
    pairCounts.set(key, pair);
  }
  const order = (r: Readiness) => readinessStates.indexOf(r);
  const pairs = [...pairCounts.values()].sort(
    (a, b) =>
      b.machines - a.machines ||
      order(a.ours) - order(b.ours) ||
      order(a.azureMigrate) - order(b.azureMigrate),
  );
  return {
    compared,
    withoutAzureMigrate,
    agree: compared - disagreements.length,
    disagree: disagreements.length,
    pairs,
    unrecognised,
    disagreements,
  };
}

/** Text lines; at most `limit` disagreements, then an explicit count of the rest. */
export function comparisonLines(comparison: ReadinessComparison, limit = 25): string[] {
  const c = comparison;
  if (c.compared === 0 && c.unrecognised.length === 0) {
    return [
      `Readiness comparison: no machine has an Azure Migrate readiness (import an Azure Migrate assessment export first)`,
    ];
  }
  const lines = [
    `Readiness compared with Azure Migrate: ${c.compared} machines (${c.withoutAzureMigrate} without an Azure Migrate readiness)`,
    `Agree: ${c.agree}  Disagree: ${c.disagree}`,
    ...c.pairs.map((p) => `  ours ${p.ours}, Azure Migrate ${p.azureMigrate}: ${p.machines}`),
  ];
  for (const u of c.unrecognised) {
    lines.push(
      `Not compared: ${u.name}: Azure Migrate readiness "${u.value}" is not a readiness value we know`,
    );
  }
  for (const d of c.disagreements.slice(0, limit)) {
    lines.push(
      `${d.name}: ours ${d.ours}, Azure Migrate ${d.azureMigrate} (${d.expected ? 'expected' : 'check'}: ${d.explanation})`,
    );
    if (d.ourReasons.length === 0) lines.push('  ours: no findings (every check passed)');
    for (const r of d.ourReasons) lines.push(`  ours: [${r.code}] ${r.reason}`);
    for (const n of d.ourNotes)
      lines.push(`  ours (note, does not lower readiness): [${n.code}] ${n.reason}`);
    if (d.azureMigrateReasons.length === 0) lines.push('  Azure Migrate: no readiness issues given');
    for (const r of d.azureMigrateReasons) lines.push(`  Azure Migrate: ${r}`);
  }
  const rest = c.disagreements.length - limit;
  if (rest > 0) lines.push(`… and ${rest} more (use --json)`);
  return lines;
}
