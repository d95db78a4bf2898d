/**
 * Merges dependency-export rows into one connection per source, destination and port, resolving each
 * endpoint to an imported server by name or IP where that is unambiguous. Each connection keeps both
 * sides' processes and applications (the most observed few, with a count of the rest), when it was
 * first and last seen and in how many time slots.
 */
import { MAX_CONNECTION_NAMES, type Connection } from './estate-schema.ts';
import type { IssueLog } from './issues.ts';
import type { Collected } from './observations.ts';
import { resolveName, type ServerIndex } from './server-index.ts';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const nameLists = [
  'sourceProcesses',
  'destinationProcesses',
  'sourceApplications',
  'destinationApplications',
] as const satisfies readonly (keyof Connection)[];

/**
 * A name tally that stays a single string until a second distinct name arrives: most connections
 * show one process and one application per side, and a Map per list per connection would
 * dominate the cost of merging 50,000 rows.
 */
type Tally = { only: string; count: number } | Map<string, number>;

const tally = (current: Tally | undefined, name: string): Tally => {
  if (current === undefined) return { only: name, count: 1 };
  if (current instanceof Map) return current.set(name, (current.get(name) ?? 0) + 1);
  if (current.only === name) {
    current.count += 1;
    return current;
  }
  return new Map([
    [current.only, current.count],
    [name, 1],
  ]);
};

/** Working state while rows are merged; dropped once the connection is final. */
interface Draft {
  connection: Connection;
  sourceProcesses?: Tally;
  destinationProcesses?: Tally;
  sourceApplications?: Tally;
  destinationApplications?: Tally;
  /** Distinct slot starts, as one string until a second one shows up. */
  slots?: string | Set<string>;
}

/** The most observed names (ties by name) and how many distinct others were seen. */
function topNames(counts: Tally): { kept: string[]; dropped: number } {
  if (!(counts instanceof Map)) return { kept: [counts.only], dropped: 0 };
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
  return {
    kept: ranked
      .slice(0, MAX_CONNECTION_NAMES)
      .map(([name]) => name)
      .sort(compare),
    dropped: Math.max(0, ranked.length - MAX_CONNECTION_NAMES),
  };
}

function finish(draft: Draft): Connection {
  const out = draft.connection;
  let dropped: Connection['namesDropped'];
  for (const list of nameLists) {
    const counts = draft[list];
    if (counts === undefined) continue;
    const { kept, dropped: extra } = topNames(counts);
    out[list] = kept;
    if (extra > 0) (dropped ??= {})[list] = extra;
  }
  if (dropped !== undefined) out.namesDropped = dropped;
  if (draft.slots !== undefined) out.timeSlots = typeof draft.slots === 'string' ? 1 : draft.slots.size;
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
    if (row.sourceProcess !== undefined)
      draft.sourceProcesses = tally(draft.sourceProcesses, row.sourceProcess);
    if (row.destinationProcess !== undefined)
      draft.destinationProcesses = tally(draft.destinationProcesses, row.destinationProcess);
    if (row.sourceApplication !== undefined)
      draft.sourceApplications = tally(draft.sourceApplications, row.sourceApplication);
    if (row.destinationApplication !== undefined)
      draft.destinationApplications = tally(draft.destinationApplications, row.destinationApplication);
    const slot = row.slot;
    if (slot !== undefined) {
      const slots = draft.slots;
      if (slots === undefined) draft.slots = slot.start;
      else if (typeof slots === 'string') {
        if (slots !== slot.start) draft.slots = new Set([slots, slot.start]);
      } else slots.add(slot.start);
      if (c.firstSeen === undefined || slot.start < c.firstSeen) c.firstSeen = slot.start;
      if (c.lastSeen === undefined || slot.end > c.lastSeen) c.lastSeen = slot.end;
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
