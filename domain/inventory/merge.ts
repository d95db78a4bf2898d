/**
 * Merges what the importers read into one estate: the same server seen by several sources becomes
 * one record with every source row in its provenance. When sources disagree the higher-ranked source
 * (RVTools, then the Azure Migrate import CSV, then an assessment export) wins and the conflict is
 * recorded on the server and reported as a warning.
 */
import type {
  Application,
  Conflict,
  Database,
  Disk,
  Estate,
  Provenance,
  Sample,
  Server,
} from './estate-schema.ts';
import { ESTATE_FORMAT_VERSION } from './estate-schema.ts';
import type { IssueLog } from './issues.ts';
import {
  sourceRank,
  type Collected,
  type ServerObservation,
  type ServerSource,
  type VmRef,
} from './observations.ts';
import { mergeConnections } from './merge-connections.ts';
import { resolveName, ServerIndex } from './server-index.ts';

type MergedField =
  'os' | 'cpus' | 'memoryMiB' | 'firmware' | 'poweredOn' | 'nics' | 'datacenter' | 'cluster' | 'host';
const MERGED_FIELDS: readonly MergedField[] = [
  'os',
  'cpus',
  'memoryMiB',
  'firmware',
  'poweredOn',
  'nics',
  'datacenter',
  'cluster',
  'host',
];

interface Builder {
  id: string;
  name: string;
  uuid?: string;
  vcenter?: string;
  createdOn?: string;
  fields: Partial<Record<MergedField, { value: string | number | boolean; from: Provenance }>>;
  ips: Set<string>;
  disksBySource: Map<ServerSource, Disk[]>;
  totals: NonNullable<Server['io']>;
  usedGiB?: number;
  partitionMiB: number;
  hasPartitions: boolean;
  cpu: Sample[];
  memory: Sample[];
  provenance: Provenance[];
  conflicts: Conflict[];
}

const where = (from: Provenance) => ({
  file: from.file,
  ...(from.sheet === undefined ? {} : { sheet: from.sheet }),
  row: from.row,
});
const describe = (from: Provenance) =>
  `${from.file}${from.sheet === undefined ? '' : ` sheet ${from.sheet}`} row ${from.row}`;

export function mergeEstate(collected: Collected, log: IssueLog): Estate {
  const builders = new Map<string, Builder>();
  const index = new ServerIndex();
  /** First row that introduced each server per file, to catch duplicates inside one file. */
  const firstInFile = new Map<string, Provenance>();

  const observations = [...collected.servers].sort((a, b) => sourceRank[a.source] - sourceRank[b.source]);
  for (const observation of observations) {
    if (observation.template === true) continue;
    const id = resolveOrCreate(observation, builders, index, log);
    if (id === undefined) continue;
    const fileKey = `${observation.from.file}\u0000${observation.from.sheet ?? ''}\u0000${id}`;
    const first = firstInFile.get(fileKey);
    if (first !== undefined) {
      log.error(
        { ...where(observation.from), column: identityColumn(observation) },
        `each VM may appear once per file (also at row ${first.row})`,
        observation.ref.uuid ?? observation.ref.name,
      );
      continue;
    }
    firstInFile.set(fileKey, observation.from);
    const builder = builders.get(id);
    if (builder !== undefined) absorb(builder, observation, log);
  }

  for (const row of collected.disks) {
    const builder = findBuilder(row.ref, builders, index);
    if (builder === undefined) {
      log.warn(
        { ...where(row.from), column: 'VM' },
        'disk row names a VM that no machine list contains; ignored',
        row.ref.name,
      );
      continue;
    }
    const list = builder.disksBySource.get(row.source) ?? [];
    list.push(row.disk);
    builder.disksBySource.set(row.source, list);
    builder.provenance.push(row.from);
  }
  for (const row of collected.partitions) {
    const builder = findBuilder(row.ref, builders, index);
    if (builder === undefined) {
      log.warn(
        { ...where(row.from), column: 'VM' },
        'partition row names a VM that vInfo does not list; ignored',
        row.ref.name,
      );
      continue;
    }
    builder.partitionMiB += row.consumedMiB;
    builder.hasPartitions = true;
  }
  for (const row of collected.nics) {
    const builder = findBuilder(row.ref, builders, index);
    if (builder === undefined) {
      log.warn(
        { ...where(row.from), column: 'VM' },
        'network row names a VM that vInfo does not list; ignored',
        row.ref.name,
      );
      continue;
    }
    for (const ip of row.ips) builder.ips.add(ip);
  }

  const servers = [...builders.values()].map(finish).sort((a, b) => compare(a.id, b.id));
  for (const server of servers) for (const ip of server.ips) index.addIp(server.id, ip);

  return {
    formatVersion: ESTATE_FORMAT_VERSION,
    sources: collected.sources,
    servers,
    hosts: [...collected.hosts].sort((a, b) => compare(a.name, b.name)),
    applications: mergeApplications(collected, index, log),
    databases: mergeDatabases(collected, index, log),
    connections: mergeConnections(collected, index, log),
    warnings: [],
  };
}

/** The header that names the machine in each source, for error locations. */
function identityColumn(observation: ServerObservation): string {
  if (observation.source === 'azure-migrate-import') return 'Server name';
  if (observation.source === 'azure-migrate-assessment') return 'Machine';
  return observation.ref.uuid === undefined ? 'VM' : 'VM UUID';
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function newId(ref: VmRef): string {
  if (ref.uuid !== undefined) return ref.uuid.toLowerCase();
  if (ref.vcenter !== undefined) return `${ref.vcenter}/${ref.name}`.toLowerCase();
  return `name:${ref.name.toLowerCase()}`;
}

function findBuilder(ref: VmRef, builders: Map<string, Builder>, index: ServerIndex): Builder | undefined {
  const byKey =
    (ref.uuid === undefined ? undefined : index.uuid(ref.uuid)) ??
    (ref.vcenter === undefined ? undefined : index.vcenterName(ref.vcenter, ref.name));
  if (byKey !== undefined) return builders.get(byKey);
  // A disk row without UUID or vCenter can only be matched by a name that is unambiguous.
  const candidates = index.name(ref.name);
  return candidates.length === 1 && candidates[0] !== undefined ? builders.get(candidates[0]) : undefined;
}

function resolveOrCreate(
  observation: ServerObservation,
  builders: Map<string, Builder>,
  index: ServerIndex,
  log: IssueLog,
): string | undefined {
  const { ref } = observation;
  const known =
    (ref.uuid === undefined ? undefined : index.uuid(ref.uuid)) ??
    (ref.vcenter === undefined ? undefined : index.vcenterName(ref.vcenter, ref.name));
  if (known !== undefined) return known;
  // RVTools rows carry their own identity; other sources are matched by name when unambiguous.
  if (observation.source !== 'rvtools') {
    const candidates = index.name(ref.name);
    if (candidates.length > 1) {
      log.warn(
        { ...where(observation.from), column: identityColumn(observation) },
        `name matches ${candidates.length} servers (${candidates.slice(0, 3).join(', ')}); row not merged`,
        ref.name,
      );
      return undefined;
    }
    if (candidates[0] !== undefined) return candidates[0];
  }
  const id = newId(ref);
  builders.set(id, {
    id,
    name: ref.name,
    ...(ref.uuid === undefined ? {} : { uuid: ref.uuid }),
    ...(ref.vcenter === undefined ? {} : { vcenter: ref.vcenter }),
    fields: {},
    ips: new Set(),
    disksBySource: new Map(),
    totals: {},
    partitionMiB: 0,
    hasPartitions: false,
    cpu: [],
    memory: [],
    provenance: [],
    conflicts: [],
  });
  index.add(id, ref);
  return id;
}

function absorb(builder: Builder, observation: ServerObservation, log: IssueLog): void {
  builder.provenance.push(observation.from);
  if (builder.uuid === undefined && observation.ref.uuid !== undefined) builder.uuid = observation.ref.uuid;
  if (builder.createdOn === undefined && observation.createdOn !== undefined)
    builder.createdOn = observation.createdOn;
  for (const field of MERGED_FIELDS) {
    const value = observation[field];
    if (value === undefined) continue;
    const existing = builder.fields[field];
    if (existing === undefined) {
      builder.fields[field] = { value, from: observation.from };
    } else if (!sameValue(existing.value, value)) {
      const conflict: Conflict = {
        field,
        chosen: String(existing.value),
        chosenFrom: existing.from,
        other: String(value),
        otherFrom: observation.from,
      };
      builder.conflicts.push(conflict);
      log.warn(
        { ...where(observation.from), column: field },
        `conflicts with ${describe(existing.from)} ("${conflict.chosen}") for server ${builder.name}; that value is kept`,
        conflict.other,
      );
    }
  }
  for (const ip of observation.ips ?? []) builder.ips.add(ip);
  if (observation.cpuPct !== undefined)
    builder.cpu.push({ value: observation.cpuPct, from: observation.from });
  if (observation.memoryPct !== undefined)
    builder.memory.push({ value: observation.memoryPct, from: observation.from });
  if (observation.disks !== undefined && !builder.disksBySource.has(observation.source)) {
    builder.disksBySource.set(observation.source, observation.disks);
  }
  const totals = observation.totals ?? {};
  builder.usedGiB ??= totals.usedGiB;
  for (const key of ['readIops', 'writeIops', 'readMBps', 'writeMBps'] as const) {
    if (builder.totals[key] === undefined && totals[key] !== undefined) builder.totals[key] = totals[key];
  }
}

/** Numbers compare exactly; text without regard to case and spacing, so "UEFI" equals "uefi". */
const sameValue = (a: string | number | boolean, b: string | number | boolean) =>
  typeof a === 'string' && typeof b === 'string'
    ? a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase()
    : a === b;

function finish(builder: Builder): Server {
  const f = builder.fields;
  const ranked = [...builder.disksBySource.entries()].sort((a, b) => sourceRank[a[0]] - sourceRank[b[0]]);
  const disks = (ranked[0]?.[1] ?? []).map((disk) => ({ ...disk }));
  // Performance from a lower-ranked source applies per disk when it lists the same number of disks.
  for (const [, other] of ranked.slice(1)) {
    if (other.length !== disks.length) continue;
    other.forEach((source, i) => {
      const target = disks[i];
      if (target === undefined) return;
      for (const key of ['readIops', 'writeIops', 'readMBps', 'writeMBps'] as const) {
        if (target[key] === undefined && source[key] !== undefined) target[key] = source[key];
      }
    });
  }
  const usedGiB = builder.hasPartitions ? builder.partitionMiB / 1024 : builder.usedGiB;
  const cpus = f.cpus?.value;
  const memory = f.memoryMiB?.value;
  return {
    id: builder.id,
    name: builder.name,
    ...(builder.uuid === undefined ? {} : { uuid: builder.uuid }),
    ...(builder.vcenter === undefined ? {} : { vcenter: builder.vcenter }),
    ...(f.datacenter === undefined ? {} : { datacenter: String(f.datacenter.value) }),
    ...(f.cluster === undefined ? {} : { cluster: String(f.cluster.value) }),
    ...(f.host === undefined ? {} : { host: String(f.host.value) }),
    ips: [...builder.ips].sort(),
    ...(f.os === undefined ? {} : { os: String(f.os.value) }),
    // Every machine source requires cores and memory, so these are always present.
    cpus: typeof cpus === 'number' ? cpus : 1,
    memoryMiB: typeof memory === 'number' ? memory : 1,
    ...(f.firmware === undefined ? {} : { firmware: f.firmware.value === 'UEFI' ? 'UEFI' : 'BIOS' }),
    ...(f.poweredOn === undefined ? {} : { poweredOn: f.poweredOn.value === true }),
    ...(f.nics === undefined ? {} : { nics: Number(f.nics.value) }),
    ...(builder.createdOn === undefined ? {} : { createdOn: builder.createdOn }),
    disks,
    ...(usedGiB === undefined ? {} : { usedGiB }),
    ...(Object.keys(builder.totals).length === 0 ? {} : { io: builder.totals }),
    cpuUtilisation: builder.cpu,
    memoryUtilisation: builder.memory,
    provenance: builder.provenance,
    conflicts: builder.conflicts,
  };
}

function mergeApplications(collected: Collected, index: ServerIndex, log: IssueLog): Application[] {
  const databaseNames = new Set(collected.databases.map((d) => d.name.toLowerCase()));
  return collected.applications
    .map((row): Application => {
      const servers: string[] = [];
      const unresolved: string[] = [];
      for (const name of row.servers) {
        const id = resolveName(name, index);
        if (id === undefined) {
          unresolved.push(name);
          log.warn(
            { ...where(row.from), column: 'Servers' },
            'server matches no imported machine (or several)',
            name,
          );
        } else if (!servers.includes(id)) servers.push(id);
      }
      if (collected.databases.length > 0) {
        for (const name of row.databases) {
          if (!databaseNames.has(name.toLowerCase())) {
            log.warn(
              { ...where(row.from), column: 'Databases' },
              'database is not in the database inventory',
              name,
            );
          }
        }
      }
      return {
        name: row.name,
        ...(row.owner === undefined ? {} : { owner: row.owner }),
        ...(row.environment === undefined ? {} : { environment: row.environment }),
        ...(row.slaPct === undefined ? {} : { slaPct: row.slaPct }),
        servers: servers.sort(),
        unresolvedServers: unresolved,
        databases: row.databases,
        classification: row.classification,
        from: row.from,
      };
    })
    .sort((a, b) => compare(a.name.toLowerCase(), b.name.toLowerCase()));
}

function mergeDatabases(collected: Collected, index: ServerIndex, log: IssueLog): Database[] {
  const applications = new Set(collected.applications.map((a) => a.name.toLowerCase()));
  return collected.databases
    .map((row): Database => {
      const hostServerId = row.hostServer === undefined ? undefined : resolveName(row.hostServer, index);
      if (row.hostServer !== undefined && hostServerId === undefined) {
        log.warn(
          { ...where(row.from), column: 'Host server' },
          'host matches no imported machine (or several)',
          row.hostServer,
        );
      }
      if (
        row.application !== undefined &&
        collected.applications.length > 0 &&
        !applications.has(row.application.toLowerCase())
      ) {
        log.warn(
          { ...where(row.from), column: 'Application' },
          'application is not in the service catalog',
          row.application,
        );
      }
      const { from, ...rest } = row;
      return {
        id: `${row.hostServer ?? ''}/${row.name}`.toLowerCase(),
        ...rest,
        ...(hostServerId === undefined ? {} : { hostServerId }),
        from,
      };
    })
    .sort((a, b) => compare(a.id, b.id));
}
