/**
 * The merged estate as stored in the workspace (estate.json). The zod schemas are the single
 * definition of its shape: types are inferred from them and `factory assess` validates the file
 * with them, so a hand-edited or truncated workspace is reported instead of crashing the run.
 */
import { z } from 'zod';

export const ESTATE_FORMAT_VERSION = 1;

export const provenanceSchema = z.object({
  file: z.string(),
  sheet: z.string().optional(),
  row: z.number().int(),
});
export type Provenance = z.infer<typeof provenanceSchema>;

export const sampleSchema = z.object({ value: z.number(), from: provenanceSchema });
export type Sample = z.infer<typeof sampleSchema>;

export const diskSchema = z.object({
  id: z.string(),
  label: z.string().optional(),
  sizeGiB: z.number().nonnegative(),
  usedGiB: z.number().nonnegative().optional(),
  readIops: z.number().nonnegative().optional(),
  writeIops: z.number().nonnegative().optional(),
  readMBps: z.number().nonnegative().optional(),
  writeMBps: z.number().nonnegative().optional(),
  /** Raw device mapping (RDM): not a VMDK, replicated differently. */
  raw: z.boolean().optional(),
  /** Multi-writer / shared-bus disks: shared cluster disks are not supported by Site Recovery. */
  shared: z.boolean().optional(),
});
export type Disk = z.infer<typeof diskSchema>;

export const firmwareSchema = z.enum(['BIOS', 'UEFI']);
export type Firmware = z.infer<typeof firmwareSchema>;

export const conflictSchema = z.object({
  field: z.string(),
  chosen: z.string(),
  chosenFrom: provenanceSchema,
  other: z.string(),
  otherFrom: provenanceSchema,
});
export type Conflict = z.infer<typeof conflictSchema>;

export const platforms = ['vmware', 'hyper-v', 'physical', 'aws', 'gcp', 'azure', 'other'] as const;
export type Platform = (typeof platforms)[number];

/** Performance counters a source can lack; a missing counter is unknown, never 0 %. */
export const performanceCounters = ['cpu', 'memory', 'disk', 'network'] as const;
export type PerformanceCounter = (typeof performanceCounters)[number];

/** What an imported Azure Migrate assessment said about a machine, kept beside our own result. */
export const azureMigrateViewSchema = z.object({
  /** As Azure Migrate words it: Ready, Ready with conditions, Not ready, Readiness unknown. */
  readiness: z.string().optional(),
  /** Azure Migrate's readiness issues / reasons, one per entry. */
  readinessIssues: z.array(z.string()).optional(),
  recommendedSize: z.string().optional(),
  monthlyComputeCost: z.number().nonnegative().optional(),
  monthlyStorageCost: z.number().nonnegative().optional(),
  /** 1-5 stars as Azure Migrate rated its own sizing. */
  confidenceStars: z.number().min(0).max(5).optional(),
  from: provenanceSchema,
});
export type AzureMigrateView = z.infer<typeof azureMigrateViewSchema>;

export const serverSchema = z.object({
  /**
   * Stable key: the VM UUID when known, else "<vcenter>/<name>" or "name:<name>", lower case; a further
   * machine with the same display name gets "@<host>" (or BIOS UUID, or first MAC) or "#<n>" appended.
   * Not an Azure name: `name` becomes the Azure VM name.
   */
  id: z.string(),
  name: z.string(),
  uuid: z.string().optional(),
  /** SMBIOS / BIOS UUID, an identity fact beside the vCenter instance UUID in `uuid`. */
  biosUuid: z.string().optional(),
  vcenter: z.string().optional(),
  datacenter: z.string().optional(),
  cluster: z.string().optional(),
  host: z.string().optional(),
  ips: z.array(z.string()),
  os: z.string().optional(),
  cpus: z.number().int().positive(),
  memoryMiB: z.number().positive(),
  firmware: firmwareSchema.optional(),
  poweredOn: z.boolean().optional(),
  nics: z.number().int().nonnegative().optional(),
  createdOn: z.string().optional(),
  /** Absent = a VMware VM (RVTools and the VMware appliance only see those). */
  platform: z.enum(platforms).optional(),
  /** Kept (not dropped) so assessment can flag it as an exclude/decommission candidate. */
  template: z.boolean().optional(),
  macs: z.array(z.string()).optional(),
  /** Counters the sources had no data for (Azure Migrate writes 0 and a "No data for …" issue). */
  missingPerformance: z.array(z.enum(performanceCounters)).optional(),
  azureMigrate: azureMigrateViewSchema.optional(),
  disks: z.array(diskSchema),
  /** Guest storage in use (vPartition consumed, or the source's "storage in use"). */
  usedGiB: z.number().nonnegative().optional(),
  /** Server-level disk I/O when a source gives totals rather than per-disk figures. */
  io: z
    .object({
      readIops: z.number().nonnegative().optional(),
      writeIops: z.number().nonnegative().optional(),
      readMBps: z.number().nonnegative().optional(),
      writeMBps: z.number().nonnegative().optional(),
    })
    .optional(),
  /** Utilisation observations (percent); sizing takes the chosen percentile over them. */
  cpuUtilisation: z.array(sampleSchema),
  memoryUtilisation: z.array(sampleSchema),
  /** Every source row that described this server. */
  provenance: z.array(provenanceSchema),
  conflicts: z.array(conflictSchema),
});
export type Server = z.infer<typeof serverSchema>;

export const hostSchema = z.object({
  name: z.string(),
  vcenter: z.string().optional(),
  cluster: z.string().optional(),
  cores: z.number().optional(),
  memoryMiB: z.number().optional(),
  cpuUsagePct: z.number().optional(),
  esxVersion: z.string().optional(),
  from: provenanceSchema,
});
export type Host = z.infer<typeof hostSchema>;

export const strategies = ['Rehost', 'Refactor', 'Rearchitect', 'Rebuild'] as const;
export const debtLevels = ['None', 'Some', 'Severe'] as const;
export const environments = ['Production', 'Staging', 'Test', 'Development'] as const;

export const classificationSchema = z.object({
  businessGroup: z.string(),
  pocCandidate: z.boolean(),
  technicalDebt: z.enum(debtLevels),
  firewallImplications: z.boolean(),
  securityIssues: z.boolean(),
  migrationStrategy: z.enum(strategies),
  technicalComplexity: z.number().int().min(1).max(5),
  businessCriticality: z.number().int().min(1).max(5),
  migrationPriority: z.number().int().min(1).max(3),
  migrationRisk: z.number().int().min(1).max(5),
});
export type Classification = z.infer<typeof classificationSchema>;

export const applicationSchema = z.object({
  name: z.string(),
  owner: z.string().optional(),
  environment: z.enum(environments).optional(),
  /** Availability target in percent, e.g. 99.9. */
  slaPct: z.number().optional(),
  /** Server ids resolved from the catalog's server names. */
  servers: z.array(z.string()),
  /** Catalog server names that matched no imported server. */
  unresolvedServers: z.array(z.string()),
  databases: z.array(z.string()),
  classification: classificationSchema,
  from: provenanceSchema,
});
export type Application = z.infer<typeof applicationSchema>;

export const dbEngines = ['SQL Server', 'MySQL', 'PostgreSQL'] as const;
export type DbEngine = (typeof dbEngines)[number];
export const dbTargets = [
  'Azure SQL Database',
  'Azure SQL Managed Instance',
  'SQL Server on Azure VM',
  'Azure Database for MySQL flexible server',
  'Azure Database for PostgreSQL flexible server',
] as const;
export type DbTarget = (typeof dbTargets)[number];

export const databaseSchema = z.object({
  /** "<host>/<name>" lower case, or the name alone when no host is given. */
  id: z.string(),
  name: z.string(),
  engine: z.enum(dbEngines),
  version: z.string(),
  sizeGB: z.number().nonnegative(),
  logRateMBps: z.number().nonnegative().optional(),
  changeRateGBPerDay: z.number().nonnegative().optional(),
  hostServer: z.string().optional(),
  /** Server id when the host name matched an imported server. */
  hostServerId: z.string().optional(),
  application: z.string().optional(),
  wantedTarget: z.enum(dbTargets).optional(),
  from: provenanceSchema,
});
export type Database = z.infer<typeof databaseSchema>;

export const endpointSchema = z.object({
  /** Server id when the name or IP matched an imported server. */
  serverId: z.string().optional(),
  name: z.string().optional(),
  ip: z.string().optional(),
});

/** Names kept per connection and list: the most observed ones; the rest are only counted. */
export const MAX_CONNECTION_NAMES = 8;
const connectionNames = z.array(z.string()).max(MAX_CONNECTION_NAMES).optional();
const droppedCount = z.number().int().positive().optional();

export const connectionSchema = z.object({
  source: endpointSchema,
  destination: endpointSchema,
  port: z.number().int().min(0).max(65535),
  /** How many export rows (time slots × processes) showed this connection. */
  observations: z.number().int().positive(),
  /** Processes and applications as the export names them on each side; absent when none was known. */
  sourceProcesses: connectionNames,
  destinationProcesses: connectionNames,
  sourceApplications: connectionNames,
  destinationApplications: connectionNames,
  /** Distinct names seen beyond the kept ones, per list; absent when nothing was dropped. */
  namesDropped: z
    .object({
      sourceProcesses: droppedCount,
      destinationProcesses: droppedCount,
      sourceApplications: droppedCount,
      destinationApplications: droppedCount,
    })
    .optional(),
  /** Start of the earliest and end of the latest time slot that showed it (ISO 8601 UTC). */
  firstSeen: z.string().optional(),
  lastSeen: z.string().optional(),
  /** Distinct time slots that showed it; absent when the export had no time slots. */
  timeSlots: z.number().int().positive().optional(),
});
export type Connection = z.infer<typeof connectionSchema>;

export const sourceFileSchema = z.object({
  file: z.string(),
  sheet: z.string().optional(),
  format: z.string(),
  rows: z.number().int().nonnegative(),
});

export const issueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  sheet: z.string().optional(),
  row: z.number().optional(),
  column: z.string().optional(),
  value: z.string().optional(),
  rule: z.string(),
});

/** One input file the estate was built from (`factory import`; `--add` appends): its content hash. */
export const inputFileSchema = z.object({
  /** The name used in provenance and messages (parent/name when two inputs share a name). */
  file: z.string(),
  sha256: z.string(),
  bytes: z.number().int().nonnegative(),
});
export type InputFile = z.infer<typeof inputFileSchema>;

export const estateSchema = z.object({
  formatVersion: z.literal(ESTATE_FORMAT_VERSION),
  /** The input files, in import order; absent in estates imported before inputs were recorded. */
  inputs: z.array(inputFileSchema).optional(),
  sources: z.array(sourceFileSchema),
  servers: z.array(serverSchema),
  hosts: z.array(hostSchema),
  applications: z.array(applicationSchema),
  databases: z.array(databaseSchema),
  connections: z.array(connectionSchema),
  warnings: z.array(issueSchema),
});
export type Estate = z.infer<typeof estateSchema>;
