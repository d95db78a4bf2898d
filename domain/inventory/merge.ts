/**
 * Merges what the importers read into one estate: the same server seen by several sources becomes
 * one record with every source row in its provenance. When sources disagree the higher-ranked source
 * (RVTools, then the Azure Migrate import CSV, then an assessment export) wins and the conflict is
 * recorded on the server and reported as a warning.
 *
 * Machine identity. A row names a machine by display name plus whatever identity facts its source has:
 * VM UUID, BIOS UUID, vCenter, host, MAC addresses. Two rows are one machine unless a fact both carry
 * differs — UUIDs, vCenter and MACs (no address in common) always tell machines apart; the host only
 * within one file or sheet, because a VM moves between hosts between two exports (vMotion). So two
 * machines with one display name (the Azure Migrate appliance often appears twice) are two servers,
 * reported once as a shared name; two rows of one file with the same name and nothing that differs
 * are a duplicate (an error). Disk, partition and network rows find their machine the same way; a
 * row that could belong to several machines is reported with the candidates, never silently dropped.
 *
 * Sources are merged in rank order, each source's machine rows before its disk and network rows, so
 * RVTools' MAC addresses (vNetwork) are known when the Azure Migrate rows are matched.
 */
import type {
  Application,
  AzureMigrateView,
  Conflict,
  Database,
  Disk,
  Estate,
  PerformanceCounter,
  Provenance,
  Sample,
  Server,
} from './estate-schema.ts';
import { ESTATE_FORMAT_VERSION, performanceCounters, platforms } from './estate-schema.ts';
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
  | 'os'
  | 'cpus'
  | 'memoryMiB'
  | 'firmware'
  | 'poweredOn'
  | 'nics'
  | 'datacenter'
  | 'cluster'
  | 'host'
  | 'platform';
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
  'platform',
];

const SOURCES = (Object.keys(sourceRank) as ServerSource[]).sort((a, b) => sourceRank[a] - sourceRank[b]);

interface Builder {
  id: string;
  name: string;
  uuid?: string;
  biosUuid?: string;
  vcenter?: string;
  createdOn?: string;
  template: boolean;
  fields: Partial<Record<MergedField, { value: string | number | boolean; from: Provenance }>>;
  ips: Set<string>;
  macs: Set<string>;
  /** Every host any row placed the machine on, lower case. */
  hosts: Set<string>;
  /** The host per file and sheet: one snapshot cannot show one machine on two hosts. */
  hostBySheet: Map<string, string>;
  disksBySource: Map<ServerSource, Disk[]>;
  /** Counters each source said it had no data for. */
  missingBySource: Map<ServerSource, Set<PerformanceCounter>>;
  azureMigrate?: AzureMigrateView;
  totals: NonNullable<Server['io']>;
  usedGiB?: number;
  partitionMiB: number;
  hasPartitions: boolean;
  cpu: Sample[];
  memory: Sample[];
  provenance: Provenance[];
  /** The column that named the machine in its first row, for reports about the machine. */
  identityColumn: string;
  conflicts: Conflict[];
}

const where = (from: Provenance) => ({
  file: from.file,
  ...(from.sheet === undefined ? {} : { sheet: from.sheet }),
  row: from.row,
});
const describe = (from: Provenance) =>
  `${from.file}${from.sheet === undefined ? '' : ` sheet ${from.sheet}`} row ${from.row}`;
const sheetKey = (from: Provenance) => `${from.file}\u0000${from.sheet ?? ''}`;
const lower = (s: string) => s.toLowerCase();

/** The header that names the machine in each source, for error locations. */
function identityColumn(source: ServerSource, ref: VmRef): string {
  if (source === 'azure-migrate-import') return 'Server name';
  if (source === 'azure-migrate-assessment') return 'Machine';
  return ref.uuid === undefined ? 'VM' : 'VM UUID';
}

/** The header of the display name in each source. */
const nameColumn = (source: ServerSource) => identityColumn(source, { name: '' });

/** The facts that tell this machine apart, for messages: "host esx01, MAC 00:50:56:aa:00:01". */
function facts(builder: Builder): string {
  const host = builder.fields.host?.value;
  const parts = [
    builder.uuid === undefined ? undefined : `VM UUID ${builder.uuid}`,
    builder.biosUuid === undefined ? undefined : `BIOS UUID ${builder.biosUuid}`,
    builder.vcenter === undefined ? undefined : `vCenter ${builder.vcenter}`,
    host === undefined ? undefined : `host ${String(host)}`,
    builder.macs.size === 0 ? undefined : `MAC ${[...builder.macs].join(' ')}`,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? 'no identity facts' : parts.join(', ');
}

const sameText = (a: string, b: string) => lower(a) === lower(b);

/**
 * Why this row cannot be that machine, or undefined when it may be. `sameSnapshot` lets the host
 * count: within one file a different host is a different machine.
 */
function differs(builder: Builder, ref: VmRef, from: Provenance): string | undefined {
  if (ref.uuid !== undefined && builder.uuid !== undefined && !sameText(ref.uuid, builder.uuid))
    return 'VM UUID';
  if (
    ref.biosUuid !== undefined &&
    builder.biosUuid !== undefined &&
    !sameText(ref.biosUuid, builder.biosUuid)
  )
    return 'BIOS UUID';
  if (ref.vcenter !== undefined && builder.vcenter !== undefined && !sameText(ref.vcenter, builder.vcenter))
    return 'vCenter';
  if (
    ref.macs !== undefined &&
    ref.macs.length > 0 &&
    builder.macs.size > 0 &&
    !ref.macs.some((m) => builder.macs.has(m))
  )
    return 'MAC address';
  const host = builder.hostBySheet.get(sheetKey(from));
  if (ref.host !== undefined && host !== undefined && !sameText(ref.host, host)) return 'host';
  return undefined;
}

/** Among several possible machines, the ones whose host or MACs match the row, if that decides it. */
function narrow(candidates: Builder[], ref: VmRef): Builder[] {
  const byHost = ref.host === undefined ? [] : candidates.filter((b) => b.hosts.has(lower(ref.host!)));
  if (byHost.length === 1) return byHost;
  const macs = ref.macs ?? [];
  const byMac = candidates.filter((b) => macs.some((m) => b.macs.has(m)));
  if (byMac.length === 1) return byMac;
  return candidates;
}

class EstateMerger {
  readonly builders = new Map<string, Builder>();
  readonly index = new ServerIndex();
  /** First row that introduced each server per file and sheet, to catch duplicates inside one file. */
  private readonly firstInSheet = new Map<string, Provenance>();
  /** Rows that could belong to several machines, reported together per file, sheet and name. */
  private readonly unattributed = new Map<
    string,
    {
      severity: 'error' | 'warning';
      kind: string;
      column: string;
      name: string;
      rows: Provenance[];
      ids: string[];
    }
  >();

  constructor(private readonly log: IssueLog) {}

  addServer(observation: ServerObservation): void {
    const id = this.resolveOrCreate(observation);
    if (id === undefined) return;
    const key = `${sheetKey(observation.from)}\u0000${id}`;
    const first = this.firstInSheet.get(key);
    if (first !== undefined) {
      this.log.error(
        { ...where(observation.from), column: identityColumn(observation.source, observation.ref) },
        `each VM may appear once per file (also at row ${first.row})`,
        observation.ref.uuid ?? observation.ref.name,
      );
      return;
    }
    this.firstInSheet.set(key, observation.from);
    const builder = this.builders.get(id);
    if (builder !== undefined) this.absorb(builder, observation);
  }

  private resolveOrCreate(observation: ServerObservation): string | undefined {
    const { ref, from, source } = observation;
    const exact =
      (ref.uuid === undefined ? undefined : this.index.uuid(ref.uuid)) ??
      (ref.biosUuid === undefined ? undefined : this.index.biosUuid(ref.biosUuid));
    if (exact !== undefined) return exact;
    // RVTools rows carry their own identity: without a UUID match they can only be the same VM of
    // the same vCenter. Other sources are matched by name.
    const pool =
      source === 'rvtools'
        ? ref.vcenter === undefined
          ? []
          : this.index.vcenterName(ref.vcenter, ref.name)
        : this.index.name(ref.name);
    const compatible = pool
      .map((id) => this.builders.get(id))
      .filter((b): b is Builder => b !== undefined && differs(b, ref, from) === undefined);
    const chosen = compatible.length > 1 ? narrow(compatible, ref) : compatible;
    if (chosen.length === 1 && chosen[0] !== undefined) return chosen[0].id;
    if (chosen.length > 1) {
      this.log.warn(
        { ...where(from), column: identityColumn(source, ref) },
        `name matches ${chosen.length} servers (${chosen
          .map((b) => `${b.id}: ${facts(b)}`)
          .join('; ')}) and the row has nothing that tells which; row not merged`,
        ref.name,
      );
      return undefined;
    }
    return this.create(observation);
  }

  private create(observation: ServerObservation): string {
    const { ref } = observation;
    const id = this.newId(ref);
    this.builders.set(id, {
      id,
      name: ref.name,
      ...(ref.uuid === undefined ? {} : { uuid: ref.uuid }),
      ...(ref.biosUuid === undefined ? {} : { biosUuid: ref.biosUuid }),
      ...(ref.vcenter === undefined ? {} : { vcenter: ref.vcenter }),
      template: false,
      fields: {},
      ips: new Set(),
      macs: new Set(),
      hosts: new Set(),
      hostBySheet: new Map(),
      disksBySource: new Map(),
      missingBySource: new Map(),
      totals: {},
      partitionMiB: 0,
      hasPartitions: false,
      cpu: [],
      memory: [],
      provenance: [],
      identityColumn: identityColumn(observation.source, ref),
      conflicts: [],
    });
    this.index.add(id, ref);
    return id;
  }

  /**
   * The VM UUID when known, else "<vcenter>/<name>" or "name:<name>", lower case; a second machine
   * with the same name adds what tells it apart ("name:appliance@esx02"), else a number.
   */
  private newId(ref: VmRef): string {
    const base = lower(
      ref.uuid ?? (ref.vcenter === undefined ? `name:${ref.name}` : `${ref.vcenter}/${ref.name}`),
    );
    if (!this.builders.has(base)) return base;
    const apart = ref.host ?? ref.biosUuid ?? ref.macs?.[0];
    const tagged = apart === undefined ? undefined : lower(`${base}@${apart}`);
    if (tagged !== undefined && !this.builders.has(tagged)) return tagged;
    let n = 2;
    while (this.builders.has(`${tagged ?? base}#${n}`)) n += 1;
    return `${tagged ?? base}#${n}`;
  }

  private absorb(builder: Builder, observation: ServerObservation): void {
    const { ref, from } = observation;
    builder.provenance.push(from);
    if (builder.uuid === undefined && ref.uuid !== undefined) {
      builder.uuid = ref.uuid;
      this.index.addUuid(builder.id, ref.uuid);
    }
    if (builder.biosUuid === undefined && ref.biosUuid !== undefined) {
      builder.biosUuid = ref.biosUuid;
      this.index.addBiosUuid(builder.id, ref.biosUuid);
    }
    if (ref.host !== undefined) {
      builder.hosts.add(lower(ref.host));
      builder.hostBySheet.set(sheetKey(from), ref.host);
    }
    for (const mac of [...(ref.macs ?? []), ...(observation.macs ?? [])]) builder.macs.add(mac);
    if (observation.template === true) builder.template = true;
    if (builder.createdOn === undefined && observation.createdOn !== undefined)
      builder.createdOn = observation.createdOn;
    for (const field of MERGED_FIELDS) {
      const value = observation[field];
      if (value === undefined) continue;
      const existing = builder.fields[field];
      if (existing === undefined) {
        builder.fields[field] = { value, from };
      } else if (!sameValue(existing.value, value)) {
        const conflict: Conflict = {
          field,
          chosen: String(existing.value),
          chosenFrom: existing.from,
          other: String(value),
          otherFrom: from,
        };
        builder.conflicts.push(conflict);
        this.log.warn(
          { ...where(from), column: field },
          `conflicts with ${describe(existing.from)} ("${conflict.chosen}") for server ${builder.name}; that value is kept`,
          conflict.other,
        );
      }
    }
    for (const ip of observation.ips ?? []) builder.ips.add(ip);
    if (observation.cpuPct !== undefined) builder.cpu.push({ value: observation.cpuPct, from });
    if (observation.memoryPct !== undefined) builder.memory.push({ value: observation.memoryPct, from });
    if (observation.missingPerformance !== undefined && observation.missingPerformance.length > 0) {
      const set = builder.missingBySource.get(observation.source) ?? new Set();
      for (const counter of observation.missingPerformance) set.add(counter);
      builder.missingBySource.set(observation.source, set);
    }
    if (observation.azureMigrate !== undefined && builder.azureMigrate === undefined)
      builder.azureMigrate = { ...observation.azureMigrate, from };
    if (observation.disks !== undefined && !builder.disksBySource.has(observation.source)) {
      builder.disksBySource.set(observation.source, observation.disks);
    }
    const totals = observation.totals ?? {};
    builder.usedGiB ??= totals.usedGiB;
    for (const key of ['readIops', 'writeIops', 'readMBps', 'writeMBps'] as const) {
      if (builder.totals[key] === undefined && totals[key] !== undefined) builder.totals[key] = totals[key];
    }
  }

  /**
   * The machine a disk, partition or network row belongs to: by UUID, else by name among machines
   * whose vCenter, host and MACs do not contradict the row. Several candidates are collected for one
   * report per name: an error where the format has identity columns that would have decided it
   * (RVTools), a warning where it has none (the assessment export's disk sheet names only the machine).
   */
  attribute(
    ref: VmRef,
    from: Provenance,
    source: ServerSource,
    kind: 'disk' | 'partition' | 'network',
  ): Builder | undefined {
    const exact =
      (ref.uuid === undefined ? undefined : this.index.uuid(ref.uuid)) ??
      (ref.biosUuid === undefined ? undefined : this.index.biosUuid(ref.biosUuid));
    if (exact !== undefined) return this.builders.get(exact);
    const named = this.index
      .name(ref.name)
      .map((id) => this.builders.get(id))
      .filter((b) => b !== undefined);
    const column = identityColumn(source, ref);
    const compatible = named.filter(
      (b) =>
        !(ref.uuid !== undefined && b.uuid !== undefined && !sameText(ref.uuid, b.uuid)) &&
        !(ref.vcenter !== undefined && b.vcenter !== undefined && !sameText(ref.vcenter, b.vcenter)) &&
        !(ref.host !== undefined && b.hosts.size > 0 && !b.hosts.has(lower(ref.host))) &&
        !(
          ref.macs !== undefined &&
          ref.macs.length > 0 &&
          b.macs.size > 0 &&
          !ref.macs.some((m) => b.macs.has(m))
        ),
    );
    if (compatible.length === 1) return compatible[0];
    if (compatible.length === 0) {
      const list = source === 'rvtools' ? 'vInfo' : 'the machine list';
      this.log.warn(
        { ...where(from), column },
        named.length === 0
          ? `${kind} row names a VM that ${list} does not contain; ignored`
          : `${kind} row names ${ref.name}, but its ${ref.uuid === undefined ? 'vCenter, host or MAC' : 'VM UUID'} matches none of the ${named.length} machines of that name (${named.map((b) => `${b.id}: ${facts(b)}`).join('; ')}); ignored`,
        ref.uuid ?? ref.name,
      );
      return undefined;
    }
    const key = `${sheetKey(from)}\u0000${kind}\u0000${lower(ref.name)}`;
    const entry = this.unattributed.get(key) ?? {
      severity: source === 'rvtools' ? 'error' : 'warning',
      kind,
      column: nameColumn(source),
      name: ref.name,
      rows: [],
      ids: compatible.map((b) => `${b.id} (${facts(b)})`),
    };
    entry.rows.push(from);
    this.unattributed.set(key, entry);
    return undefined;
  }

  reportUnattributed(): void {
    for (const entry of this.unattributed.values()) {
      const first = entry.rows[0];
      if (first === undefined) continue;
      const rows = entry.rows.map((r) => r.row).join(', ');
      const fix =
        entry.severity === 'error'
          ? 'export the tab with its VM UUID (or Host) column so each row names one VM'
          : 'the sheet names machines only by display name, so these rows are not attached; the machines keep the sizes their own rows give';
      const rule = `${entry.rows.length} ${entry.kind} row(s) (row ${rows}) name "${entry.name}", which is ${entry.ids.length} machines: ${entry.ids.join('; ')}; ${fix}`;
      const at = { ...where(first), column: entry.column };
      if (entry.severity === 'error') this.log.error(at, rule, entry.name);
      else this.log.warn(at, rule, entry.name);
    }
  }

  /** One warning per display name that several machines share; they become one Azure VM name. */
  reportSharedNames(): void {
    const byName = new Map<string, Builder[]>();
    for (const builder of this.builders.values()) {
      const list = byName.get(lower(builder.name)) ?? [];
      list.push(builder);
      byName.set(lower(builder.name), list);
    }
    for (const list of byName.values()) {
      const first = list[0];
      const from = first?.provenance[0];
      if (first === undefined || from === undefined || list.length < 2) continue;
      this.log.warn(
        { ...where(from), column: first.identityColumn },
        `display name is shared by ${list.length} machines, imported as separate servers: ${list
          .map((b) => `${b.id} (${facts(b)})`)
          .join(
            '; ',
          )}. Each would become the Azure VM "${first.name}": two VMs of one name cannot share a target resource group, so rename one or plan them into different resource groups`,
        first.name,
      );
    }
  }
}

export function mergeEstate(collected: Collected, log: IssueLog): Estate {
  const merger = new EstateMerger(log);
  for (const source of SOURCES) {
    for (const observation of collected.servers)
      if (observation.source === source) merger.addServer(observation);
    if (source === 'rvtools') {
      // vNetwork first: its MAC addresses help match the Azure Migrate rows that follow.
      for (const row of collected.nics) {
        const builder = merger.attribute(row.ref, row.from, 'rvtools', 'network');
        if (builder === undefined) continue;
        for (const ip of row.ips) builder.ips.add(ip);
        for (const mac of row.macs) builder.macs.add(mac);
      }
      for (const row of collected.partitions) {
        const builder = merger.attribute(row.ref, row.from, 'rvtools', 'partition');
        if (builder === undefined) continue;
        builder.partitionMiB += row.consumedMiB;
        builder.hasPartitions = true;
      }
    }
    for (const row of collected.disks) {
      if (row.source !== source) continue;
      const builder = merger.attribute(row.ref, row.from, row.source, 'disk');
      if (builder === undefined) continue;
      const list = builder.disksBySource.get(row.source) ?? [];
      list.push(row.disk);
      builder.disksBySource.set(row.source, list);
      builder.provenance.push(row.from);
    }
  }
  merger.reportUnattributed();
  merger.reportSharedNames();

  const { index } = merger;
  const servers = [...merger.builders.values()].map(finish).sort((a, b) => compare(a.id, b.id));
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

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Numbers compare exactly; text without regard to case and spacing, so "UEFI" equals "uefi". */
const sameValue = (a: string | number | boolean, b: string | number | boolean) =>
  typeof a === 'string' && typeof b === 'string'
    ? a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase()
    : a === b;

const IO_KEYS = ['readIops', 'writeIops', 'readMBps', 'writeMBps'] as const;

function finish(builder: Builder): Server {
  const f = builder.fields;
  const ranked = [...builder.disksBySource.entries()]
    .sort((a, b) => sourceRank[a[0]] - sourceRank[b[0]])
    .map(([source, list]): [ServerSource, Disk[]] => [
      source,
      // A source that had no disk data wrote 0s, which are not measurements.
      builder.missingBySource.get(source)?.has('disk') === true
        ? list.map(
            (disk) =>
              Object.fromEntries(
                Object.entries(disk).filter(([k]) => !(IO_KEYS as readonly string[]).includes(k)),
              ) as Disk,
          )
        : list,
    ]);
  const disks = (ranked[0]?.[1] ?? []).map((disk) => ({ ...disk }));
  // Performance from a lower-ranked source applies per disk when it lists the same number of disks.
  for (const [, other] of ranked.slice(1)) {
    if (other.length !== disks.length) continue;
    other.forEach((source, i) => {
      const target = disks[i];
      if (target === undefined) return;
      for (const key of IO_KEYS) {
        if (target[key] === undefined && source[key] !== undefined) target[key] = source[key];
      }
    });
  }
  const usedGiB = builder.hasPartitions ? builder.partitionMiB / 1024 : builder.usedGiB;
  const cpus = f.cpus?.value;
  const memory = f.memoryMiB?.value;
  const platform = f.platform?.value;
  // A counter one source lacked is still known when another source measured it.
  const declared = new Set([...builder.missingBySource.values()].flatMap((set) => [...set]));
  const measured: Record<PerformanceCounter, boolean> = {
    cpu: builder.cpu.length > 0,
    memory: builder.memory.length > 0,
    disk:
      disks.some((d) => IO_KEYS.some((k) => d[k] !== undefined)) || Object.keys(builder.totals).length > 0,
    network: false,
  };
  const missing = performanceCounters.filter((c) => declared.has(c) && !measured[c]);
  return {
    id: builder.id,
    name: builder.name,
    ...(builder.uuid === undefined ? {} : { uuid: builder.uuid }),
    ...(builder.biosUuid === undefined ? {} : { biosUuid: builder.biosUuid }),
    ...(builder.vcenter === undefined ? {} : { vcenter: builder.vcenter }),
    ...(f.datacenter === undefined ? {} : { datacenter: String(f.datacenter.value) }),
    ...(f.cluster === undefined ? {} : { cluster: String(f.cluster.value) }),
    ...(f.host === undefined ? {} : { host: String(f.host.value) }),
    ips: [...builder.ips].sort(),
    ...(builder.macs.size === 0 ? {} : { macs: [...builder.macs].sort() }),
    ...(f.os === undefined ? {} : { os: String(f.os.value) }),
    // Every machine source requires cores and memory, so these are always present.
    cpus: typeof cpus === 'number' ? cpus : 1,
    memoryMiB: typeof memory === 'number' ? memory : 1,
    ...(f.firmware === undefined ? {} : { firmware: f.firmware.value === 'UEFI' ? 'UEFI' : 'BIOS' }),
    ...(f.poweredOn === undefined ? {} : { poweredOn: f.poweredOn.value === true }),
    ...(f.nics === undefined ? {} : { nics: Number(f.nics.value) }),
    ...(builder.createdOn === undefined ? {} : { createdOn: builder.createdOn }),
    ...(typeof platform === 'string' && isPlatform(platform) ? { platform } : {}),
    ...(builder.template ? { template: true } : {}),
    ...(missing.length === 0 ? {} : { missingPerformance: missing }),
    ...(builder.azureMigrate === undefined ? {} : { azureMigrate: builder.azureMigrate }),
    disks,
    ...(usedGiB === undefined ? {} : { usedGiB }),
    ...(Object.keys(builder.totals).length === 0 ? {} : { io: builder.totals }),
    cpuUtilisation: builder.cpu,
    memoryUtilisation: builder.memory,
    provenance: builder.provenance,
    conflicts: builder.conflicts,
  };
}

const isPlatform = (value: string): value is NonNullable<Server['platform']> =>
  (platforms as readonly string[]).includes(value);

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
