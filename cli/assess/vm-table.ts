/**
 * The per-VM table people sign off: readiness with its reasons, our size and cost next to Azure
 * Migrate's, confidence, data gaps and exclusion candidates. One definition feeds report.html, vms.csv
 * and vms.xlsx, so the three never disagree.
 */
import type { Assessment, VmAssessment } from '../../domain/assess/assess-estate.ts';
import type { Readiness } from '../../domain/assess/readiness.ts';
import type { VmSizing } from '../../domain/assess/sizing.ts';

export interface VmTableRow {
  server: string;
  serverId: string;
  platform: string;
  readiness: Readiness;
  readinessReasons: string;
  azureMigrateReadiness?: string;
  azureMigrateIssues?: string;
  ourSize?: string;
  azureMigrateSize?: string;
  ourMonthlyUsd?: number;
  azureMigrateMonthlyUsd?: number;
  confidenceStars?: number;
  azureMigrateConfidenceStars?: number;
  sizingBasis?: string;
  dataGaps: string;
  exclusion?: string;
  exclusionReasons: string;
  exclusionNotes: string;
}

export interface VmTableColumn {
  key: keyof VmTableRow;
  header: string;
  kind: 'text' | 'number' | 'usd';
  /** Shown in report.html too (the files carry every column). */
  html: boolean;
  /** Column width in the xlsx, in characters. */
  width: number;
}

export const vmTableColumns: readonly VmTableColumn[] = [
  { key: 'server', header: 'Server', kind: 'text', html: true, width: 28 },
  { key: 'serverId', header: 'Server id', kind: 'text', html: false, width: 40 },
  { key: 'platform', header: 'Platform', kind: 'text', html: true, width: 10 },
  { key: 'readiness', header: 'Readiness', kind: 'text', html: true, width: 18 },
  { key: 'readinessReasons', header: 'Readiness reasons', kind: 'text', html: true, width: 60 },
  { key: 'azureMigrateReadiness', header: 'Azure Migrate readiness', kind: 'text', html: true, width: 20 },
  {
    key: 'azureMigrateIssues',
    header: 'Azure Migrate readiness issues',
    kind: 'text',
    html: false,
    width: 50,
  },
  { key: 'ourSize', header: 'Our size', kind: 'text', html: true, width: 20 },
  { key: 'azureMigrateSize', header: 'Azure Migrate size', kind: 'text', html: true, width: 20 },
  { key: 'ourMonthlyUsd', header: 'Our monthly cost (USD)', kind: 'usd', html: true, width: 14 },
  {
    key: 'azureMigrateMonthlyUsd',
    header: 'Azure Migrate monthly cost (USD)',
    kind: 'usd',
    html: true,
    width: 14,
  },
  { key: 'confidenceStars', header: 'Confidence (stars)', kind: 'number', html: true, width: 10 },
  {
    key: 'azureMigrateConfidenceStars',
    header: 'Azure Migrate confidence (stars)',
    kind: 'number',
    html: true,
    width: 10,
  },
  { key: 'sizingBasis', header: 'Sizing basis', kind: 'text', html: true, width: 16 },
  { key: 'dataGaps', header: 'Data gaps', kind: 'text', html: true, width: 20 },
  { key: 'exclusion', header: 'Exclusion suggestion', kind: 'text', html: true, width: 14 },
  { key: 'exclusionReasons', header: 'Exclusion reasons', kind: 'text', html: true, width: 24 },
  { key: 'exclusionNotes', header: 'Exclusion notes', kind: 'text', html: false, width: 60 },
];

/** Fields the sizing slice adds; read defensively so an assessment without them still renders. */
type SizingWithBasis = VmSizing & { basis?: string; missingData?: readonly string[] };

const round2 = (n: number) => Math.round(n * 100) / 100;

export function vmTableRow(vm: VmAssessment, defaultBasis: string): VmTableRow {
  const sizing: SizingWithBasis | undefined = vm.sizing;
  const am = vm.azureMigrate;
  const amCost =
    am?.monthlyComputeCost === undefined && am?.monthlyStorageCost === undefined
      ? undefined
      : round2((am.monthlyComputeCost ?? 0) + (am.monthlyStorageCost ?? 0));
  const optional = <K extends keyof VmTableRow>(key: K, value: VmTableRow[K] | undefined) =>
    value === undefined || value === '' ? {} : { [key]: value };
  return {
    server: vm.name,
    serverId: vm.serverId,
    platform: vm.platform ?? 'vmware',
    readiness: vm.readiness.status,
    readinessReasons: vm.readiness.findings.map((f) => f.reason).join('; '),
    ...optional('azureMigrateReadiness', am?.readiness),
    ...optional('azureMigrateIssues', am?.readinessIssues?.join('; ')),
    ...optional('ourSize', sizing?.vmSize),
    ...optional('azureMigrateSize', am?.recommendedSize),
    ...optional(
      'ourMonthlyUsd',
      sizing === undefined ? undefined : round2(sizing.monthlyCompute + sizing.monthlyStorage),
    ),
    ...optional('azureMigrateMonthlyUsd', amCost),
    ...optional('confidenceStars', sizing?.confidence),
    ...optional('azureMigrateConfidenceStars', am?.confidenceStars),
    ...optional('sizingBasis', sizing === undefined ? undefined : (sizing.basis ?? defaultBasis)),
    dataGaps: (sizing?.missingData ?? []).join(', '),
    ...optional('exclusion', vm.exclusion?.suggestion),
    exclusionReasons: (vm.exclusion?.reasons ?? []).join(', '),
    exclusionNotes: (vm.exclusion?.notes ?? []).join('; '),
  };
}

/** Every VM, by name (then id, as two machines may share a name). */
export function vmTableRows(assessment: Assessment): VmTableRow[] {
  const basis = assessment.options.sizing.mode;
  return [...assessment.vms]
    .sort((a, b) => a.name.localeCompare(b.name) || a.serverId.localeCompare(b.serverId))
    .map((vm) => vmTableRow(vm, basis));
}
