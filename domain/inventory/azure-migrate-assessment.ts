/**
 * Azure Migrate Azure VM assessment export (xlsx): sheets All_Assessed_Machines and All_Assessed_Disks.
 *
 * Column layout as the portal's "Export assessment" writes it (the sheet and header names used by the
 * published walkthroughs, e.g. Microsoft's "Rehost with Azure Migrate assessment" pipelines:
 * Machine, VM host, Azure VM readiness, Azure readiness issues, Data collection issues, Recommended size,
 * Compute monthly cost estimate USD, Storage monthly cost estimate USD, Operating system, Boot type, Cores,
 * Memory(MB), CPU usage(%), Memory usage(%), Storage(GB), …, Confidence Rating (% of utilization data
 * collected), Network adapters, IP address, MAC address, Network in(MBPS), Network out(MBPS), Group name;
 * disks: Machine, Disk name, Azure disk readiness, …, Data collection issues, …, Source disk size(GB),
 * Disk read(MBPS), Disk write(MBPS), Disk read(ops/sec), Disk write(ops/sec)).
 *
 * What is read, and how strictly:
 * - Source facts sizing needs (Machine, Cores, Memory(MB), CPU/Memory usage, disk size and I/O) are
 *   strict: a bad cell is an error naming file, sheet, row and column.
 * - Identity evidence (VM host, IP address, MAC address) and Azure Migrate's own opinion (readiness,
 *   issues, recommended size, costs, confidence) are lenient: a cell that does not parse is a warning
 *   and the value is dropped, the machine is still imported.
 * - Every other column (disk counts per tier, network throughput, Group name, …) is not read at all, so
 *   nothing in it can block a row.
 * - "Data collection issues" names counters Azure Migrate had no data for; their 0 in the usage columns
 *   is not a sample (see data-collection-issues.ts), and the machine records them as missingPerformance.
 * Azure Migrate's readiness, size, cost and confidence are kept as `azureMigrate` on the server, next
 * to what `factory assess` derives itself.
 */
import { z } from 'zod';
import { amount, decimal, ipList, macList, oneOf, text, wholeNumber, type CellSchema } from './cells.ts';
import { column, readRecords, required } from './columns.ts';
import { missingCounters } from './data-collection-issues.ts';
import type { AzureMigrateView } from './estate-schema.ts';
import type { IssueLog } from './issues.ts';
import { provenance, type Collected } from './observations.ts';
import type { Table } from './table.ts';

const MAX_OPS = 10_000_000;
const MAX_MONTHLY_COST = 10_000_000;

/**
 * Azure Migrate's rating from the share of data points it had (Microsoft Learn, "Assessment
 * calculations" / "Confidence ratings"): 0-20 % one star, 21-40 % two, 41-60 % three, 61-80 % four,
 * 81-100 % five.
 */
export const starsFromPercent = (pct: number): number =>
  pct <= 20 ? 1 : pct <= 40 ? 2 : pct <= 60 ? 3 : pct <= 80 ? 4 : 5;

/** "Not applicable" (as-on-premises and imported-server assessments have no rating) reads as no value. */
const NOT_RATED = /^(n\/?a|not applicable|-+|none)$/i;

const percentRating: CellSchema<number | undefined> = z.string().transform((value, ctx) => {
  if (NOT_RATED.test(value)) return undefined;
  const parsed = decimal(0, 100).safeParse(value);
  if (parsed.success) return starsFromPercent(parsed.data);
  ctx.addIssue({ code: 'custom', message: 'must be a percentage from 0 to 100 (or "Not applicable")' });
  return z.NEVER;
});

/** Azure Migrate writes "NA" / "Unknown" where it has no value; that is an empty cell, not a bad one. */
const unlessNotApplicable = <T>(cell: CellSchema<T>): CellSchema<T | undefined> =>
  z.string().transform((value, ctx) => {
    if (NOT_RATED.test(value) || /^unknown$/i.test(value)) return undefined;
    const parsed = cell.safeParse(value);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'is invalid' });
    return z.NEVER;
  });

/** "3", "3 Star", "3 Stars" or "★★★". */
const starRating: CellSchema<number | undefined> = z.string().transform((value, ctx) => {
  if (NOT_RATED.test(value)) return undefined;
  const match = /^([1-5])(\.0)?\s*(stars?)?$/i.exec(value);
  if (match?.[1] !== undefined) return Number(match[1]);
  if (/^★{1,5}$/.test(value)) return value.length;
  ctx.addIssue({ code: 'custom', message: 'must be a rating of 1 to 5 stars (or "Not applicable")' });
  return z.NEVER;
});

/** Readiness issues, one per ';' or line; commas stay inside an issue's sentence. */
const issueList: CellSchema<string[]> = z.string().transform((value) => [
  ...new Set(
    value
      .split(/[;\n]+/)
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ),
]);

const lenient = { lenient: true } as const;

const machines = {
  machine: required('Machine', text(255)),
  host: column('VM host', text(255), { ...lenient, aliases: ['Host'] }),
  readiness: column('Azure VM readiness', text(255), lenient),
  readinessIssues: column('Azure readiness issues', issueList, {
    ...lenient,
    aliases: ['Readiness issues', 'Azure VM readiness issues'],
  }),
  dataCollectionIssues: column('Data collection issues', text(100_000)),
  recommendedSize: column('Recommended size', text(255), lenient),
  computeCost: column('Compute monthly cost estimate USD', amount(MAX_MONTHLY_COST), {
    ...lenient,
    aliases: [
      'Monthly compute cost estimate',
      'Compute monthly cost estimate',
      'Monthly compute cost estimate USD',
      'Compute monthly cost estimate (USD)',
    ],
  }),
  storageCost: column('Storage monthly cost estimate USD', amount(MAX_MONTHLY_COST), {
    ...lenient,
    aliases: [
      'Monthly storage cost estimate',
      'Storage monthly cost estimate',
      'Monthly storage cost estimate USD',
      'Storage monthly cost estimate (USD)',
    ],
  }),
  confidencePct: column('Confidence Rating (% of utilization data collected)', percentRating, {
    ...lenient,
    aliases: ['Confidence rating (%)', 'Performance coverage (%)'],
  }),
  confidenceStars: column('Confidence rating', starRating, {
    ...lenient,
    aliases: ['Confidence rating (stars)', 'Performance coverage'],
  }),
  os: column('Operating system', text()),
  bootType: column('Boot type', unlessNotApplicable(oneOf(['BIOS', 'UEFI'], { efi: 'UEFI' }))),
  cores: required('Cores', wholeNumber(1, 1024)),
  memoryMB: required('Memory(MB)', wholeNumber(1, 64 * 1024 * 1024), ['Memory (MB)']),
  cpuPct: column('CPU usage(%)', unlessNotApplicable(decimal(0, 100)), { aliases: ['CPU usage (%)'] }),
  memoryPct: column('Memory usage(%)', unlessNotApplicable(decimal(0, 100)), {
    aliases: ['Memory usage (%)'],
  }),
  storageGB: column('Storage(GB)', decimal(0, 1e9), { ...lenient, aliases: ['Storage (GB)'] }),
  nics: column('Network adapters', wholeNumber(0, 64), lenient),
  ips: column('IP address', ipList, { ...lenient, aliases: ['IP addresses'] }),
  macs: column('MAC address', macList, { ...lenient, aliases: ['MAC addresses'] }),
};

const disks = {
  machine: required('Machine', text(255)),
  disk: required('Disk name', text(255)),
  sizeGB: required('Source disk size(GB)', decimal(0, 64 * 1024), ['Source disk size (GB)']),
  dataCollectionIssues: column('Data collection issues', text(100_000)),
  readOps: column('Disk read(ops/sec)', unlessNotApplicable(decimal(0, MAX_OPS)), {
    aliases: ['Disk read (ops/sec)'],
  }),
  writeOps: column('Disk write(ops/sec)', unlessNotApplicable(decimal(0, MAX_OPS)), {
    aliases: ['Disk write (ops/sec)'],
  }),
  readMBps: column('Disk read(MBPS)', unlessNotApplicable(decimal(0, 1e6)), {
    aliases: ['Disk read (MBPS)'],
  }),
  writeMBps: column('Disk write(MBPS)', unlessNotApplicable(decimal(0, 1e6)), {
    aliases: ['Disk write (MBPS)'],
  }),
};

export function readAssessedMachines(table: Table, log: IssueLog, into: Collected): number {
  const records = readRecords(table, machines, log);
  for (const { line, values: v } of records) {
    const from = provenance(table.file, table.sheet, line);
    const missing = v.dataCollectionIssues === undefined ? [] : missingCounters(v.dataCollectionIssues);
    const confidenceStars = v.confidenceStars ?? v.confidencePct;
    const view: Omit<AzureMigrateView, 'from'> = {
      ...(v.readiness === undefined ? {} : { readiness: v.readiness }),
      ...(v.readinessIssues === undefined || v.readinessIssues.length === 0
        ? {}
        : { readinessIssues: v.readinessIssues }),
      ...(v.recommendedSize === undefined ? {} : { recommendedSize: v.recommendedSize }),
      ...(v.computeCost === undefined ? {} : { monthlyComputeCost: v.computeCost }),
      ...(v.storageCost === undefined ? {} : { monthlyStorageCost: v.storageCost }),
      ...(confidenceStars === undefined ? {} : { confidenceStars }),
    };
    into.servers.push({
      ref: {
        name: v.machine,
        ...(v.host === undefined ? {} : { host: v.host }),
        ...(v.macs === undefined || v.macs.length === 0 ? {} : { macs: v.macs }),
      },
      source: 'azure-migrate-assessment',
      from,
      ...(v.os === undefined ? {} : { os: v.os }),
      cpus: v.cores,
      memoryMiB: v.memoryMB,
      ...(v.bootType === undefined ? {} : { firmware: v.bootType }),
      ...(v.host === undefined ? {} : { host: v.host }),
      // Azure Migrate writes 0 where it had no data; that 0 is not a utilisation sample.
      ...(v.cpuPct === undefined || missing.includes('cpu') ? {} : { cpuPct: v.cpuPct }),
      ...(v.memoryPct === undefined || missing.includes('memory') ? {} : { memoryPct: v.memoryPct }),
      ...(missing.length === 0 ? {} : { missingPerformance: missing }),
      ...(v.nics === undefined ? {} : { nics: v.nics }),
      ...(v.ips === undefined ? {} : { ips: v.ips }),
      ...(v.macs === undefined || v.macs.length === 0 ? {} : { macs: v.macs }),
      ...(v.storageGB === undefined ? {} : { totals: { usedGiB: v.storageGB } }),
      ...(Object.keys(view).length === 0 ? {} : { azureMigrate: view }),
    });
  }
  return records.length;
}

export function readAssessedDisks(table: Table, log: IssueLog, into: Collected): number {
  const records = readRecords(table, disks, log);
  for (const { line, values: v } of records) {
    // A disk whose I/O Azure Migrate could not collect carries 0s that are not measurements.
    const noIo =
      v.dataCollectionIssues !== undefined && missingCounters(v.dataCollectionIssues).includes('disk');
    into.disks.push({
      ref: { name: v.machine },
      source: 'azure-migrate-assessment',
      from: provenance(table.file, table.sheet, line),
      disk: {
        id: v.disk,
        label: v.disk,
        sizeGiB: v.sizeGB,
        ...(v.readOps === undefined || noIo ? {} : { readIops: v.readOps }),
        ...(v.writeOps === undefined || noIo ? {} : { writeIops: v.writeOps }),
        ...(v.readMBps === undefined || noIo ? {} : { readMBps: v.readMBps }),
        ...(v.writeMBps === undefined || noIo ? {} : { writeMBps: v.writeMBps }),
      },
    });
  }
  return records.length;
}
