/** What each importer extracts from its rows, before the estate merges them. */
import type {
  AzureMigrateView,
  Classification,
  Disk,
  DbEngine,
  DbTarget,
  Firmware,
  Host,
  PerformanceCounter,
  Platform,
  Provenance,
} from './estate-schema.ts';

/**
 * How a row names its machine: a display name plus whatever identity facts the source has. Two rows
 * with one display name are one machine unless a fact they both carry differs (see merge.ts).
 */
export interface VmRef {
  name: string;
  /** vCenter instance UUID (RVTools "VM UUID"), or the import template's "Virtual machine ID". */
  uuid?: string;
  /** SMBIOS / BIOS UUID (RVTools "SMBIOS UUID", import template "BIOS ID"). */
  biosUuid?: string;
  vcenter?: string;
  /** ESXi / Hyper-V host the machine ran on when the source was taken. */
  host?: string;
  /** Lower case, ':'-separated. */
  macs?: string[];
}

/** Lower ranks win when sources disagree: RVTools reads vCenter directly, assessments are derived. */
export const sourceRank = { rvtools: 0, 'azure-migrate-import': 1, 'azure-migrate-assessment': 2 } as const;
export type ServerSource = keyof typeof sourceRank;

export interface ServerObservation {
  ref: VmRef;
  source: ServerSource;
  from: Provenance;
  template?: boolean;
  platform?: Platform;
  os?: string;
  cpus?: number;
  memoryMiB?: number;
  firmware?: Firmware;
  poweredOn?: boolean;
  nics?: number;
  ips?: string[];
  macs?: string[];
  datacenter?: string;
  cluster?: string;
  host?: string;
  createdOn?: string;
  cpuPct?: number;
  memoryPct?: number;
  /** Counters the source says it had no data for; their utilisation cells were not taken. */
  missingPerformance?: PerformanceCounter[];
  /** Azure Migrate's own assessment of the machine (assessment export only). */
  azureMigrate?: Omit<AzureMigrateView, 'from'>;
  /** Disks listed on the machine row itself (Azure Migrate import "Disk N" blocks). */
  disks?: Disk[];
  /** Server-level disk totals when no per-disk figures exist. */
  totals?: { readIops?: number; writeIops?: number; readMBps?: number; writeMBps?: number; usedGiB?: number };
}

export interface DiskRow {
  ref: VmRef;
  source: ServerSource;
  from: Provenance;
  disk: Disk;
}

export interface PartitionRow {
  ref: VmRef;
  from: Provenance;
  consumedMiB: number;
}

export interface NicRow {
  ref: VmRef;
  from: Provenance;
  ips: string[];
  macs: string[];
}

export interface ApplicationRow {
  name: string;
  owner?: string;
  environment?: 'Production' | 'Staging' | 'Test' | 'Development';
  slaPct?: number;
  servers: string[];
  databases: string[];
  classification: Classification;
  from: Provenance;
}

export interface DatabaseRow {
  name: string;
  engine: DbEngine;
  version: string;
  sizeGB: number;
  logRateMBps?: number;
  changeRateGBPerDay?: number;
  hostServer?: string;
  application?: string;
  wantedTarget?: DbTarget;
  from: Provenance;
}

export interface ConnectionRow {
  sourceName?: string;
  sourceIp?: string;
  sourceApplication?: string;
  sourceProcess?: string;
  destinationName?: string;
  destinationIp?: string;
  destinationApplication?: string;
  destinationProcess?: string;
  port: number;
  /** The export's time slot as ISO 8601 UTC instants (start = end for a single timestamp). */
  slot?: { start: string; end: string };
  from: Provenance;
}

export interface SourceFile {
  file: string;
  sheet?: string;
  format: string;
  rows: number;
}

/** Everything read from all input files; the merge turns it into one estate. */
export interface Collected {
  sources: SourceFile[];
  servers: ServerObservation[];
  disks: DiskRow[];
  partitions: PartitionRow[];
  nics: NicRow[];
  hosts: Host[];
  applications: ApplicationRow[];
  databases: DatabaseRow[];
  connections: ConnectionRow[];
}

export const emptyCollected = (): Collected => ({
  sources: [],
  servers: [],
  disks: [],
  partitions: [],
  nics: [],
  hosts: [],
  applications: [],
  databases: [],
  connections: [],
});

export const provenance = (file: string, sheet: string | undefined, row: number): Provenance =>
  sheet === undefined ? { file, row } : { file, sheet, row };
