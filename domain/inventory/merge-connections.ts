/**
 * Merges dependency-export rows into one connection per source, destination and port, resolving each
 * endpoint to an imported server by name or IP where that is unambiguous. Each connection keeps both
 * sides' processes and applications (the most observed few, with a count of the rest), when it was
 * first and last seen and in how many time slots.
 */
import { MAX_CONNECTION_NAMES, type Connection } from './estate-schema.ts';
import type { IssueLog } from './issues.ts';
import type { Collected, ConnectionRow } from './observations.ts';
import { resolveName, type ServerIndex } from './server-index.ts';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const nameLists = [
  ['sourceProcesses', 'sourceProcess'],
  ['destinationProcesses', 'destinationProcess'],
  ['sourceApplications', 'sourceApplication'],
  ['destinationApplications', 'destinationApplication'],
] as const satisfies readonly (readonly [keyof Connection, keyof ConnectionRow])[];
type NameList = (typeof nameLists)[number][0];

/**
 * Working state while rows are merged. Counters and the slot set are created only when a row has
 * something to count, so the common row (no names, one slot) costs one object per connection; they
 * are dropped once the connection is final.
 */
interface Draft {
  connection: Connection;
  names?: Partial<Record<NameList, Map<string, number>>>;
  slots?: Set<string>;
}

/** The most observed names (ties by name) and how many distinct others were seen. */
function topNames(counts: Map<string, number>): { kept: string[]; dropped: number } {
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
  return {
    kept: ranked
      .slice(0, MAX_CONNECTION_NAMES)
      .map(([name]) => name)
      .sort(compare),
    dropped: Math.max(0, ranked.length - MAX_CONNECTION_NAMES),
  };
}

function finish({ connection, names, slots }: Draft): Connection {
  const out: Connection = { ...connection };
  const dropped: NonNullable<Connection['namesDropped']> = {};
  for (const [list] of nameLists) {
    const counts = names?.[list];
    if (counts === undefined) continue;
    const { kept, dropped: extra } = topNames(counts);
    out[list] = kept;
    if (extra > 0) dropped[list] = extra;
  }
  if (Object.keys(dropped).length > 0) out.namesDropped = dropped;
  if (slots !== undefined) out.timeSlots = slots.size;
  return out;
}

export function mergeConnections(collected: Collected, index: ServerIndex, log: IssueLog): Connection[] {
  const byKey = new Map<string, Draft>();
  const unresolvedByFile = new Map<string, number>();
  const endpoint = (name: string | undefined, ip: string | undefined) => {
    const byName = name === undefined ? undefined : resolveName(name, index);
    const byIp = byName !== undefined || ip === undefined ? undefined : index.ip(ip);
    const serverId = byName ?? (byIp?.length === 1 ? byIp[0] : undefined);
    return {
      ...(serverId === undefined ? {} : { serverId }),
      ...(name === undefined ? {} : { name }),
      ...(ip === undefined ? {} : { ip }),
    };
  };
  for (const row of collected.connections) {
    const source = endpoint(row.sourceName, row.sourceIp);
    const destination = endpoint(row.destinationName, row.destinationIp);
    if (source.serverId === undefined || destination.serverId === undefined) {
      unresolvedByFile.set(row.from.file, (unresolvedByFile.get(row.from.file) ?? 0) + 1);
    }
    const side = (e: typeof source) => e.serverId ?? `ip:${e.ip ?? ''}:${(e.name ?? '').toLowerCase()}`;
    const key = `${side(source)}|${side(destination)}|${row.port}`;
    let draft = byKey.get(key);
    if (draft === undefined) {
      draft = { connection: { source, destination, port: row.port, observations: 0 } };
      byKey.set(key, draft);
    }
    const c = draft.connection;
    c.observations += 1;
    for (const [list, field] of nameLists) {
      const name = row[field];
      if (typeof name !== 'string') continue;
      draft.names ??= {};
      const counts = (draft.names[list] ??= new Map<string, number>());
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    if (row.slot !== undefined) {
      (draft.slots ??= new Set()).add(row.slot.start);
      if (c.firstSeen === undefined || row.slot.start < c.firstSeen) c.firstSeen = row.slot.start;
      if (c.lastSeen === undefined || row.slot.end > c.lastSeen) c.lastSeen = row.slot.end;
    }
  }
  for (const [file, count] of unresolvedByFile) {
    log.warn(
      { file },
      `${count} connection rows have an endpoint that matches no imported server; they are kept by IP/name only`,
    );
  }
  return [...byKey.entries()].sort((a, b) => compare(a[0], b[0])).map(([, draft]) => finish(draft));
}
