/**
 * Merges dependency-export rows into one connection per source, destination and port, resolving each
 * endpoint to an imported server by name or IP where that is unambiguous.
 */
import type { Connection } from './estate-schema.ts';
import type { IssueLog } from './issues.ts';
import type { Collected } from './observations.ts';
import { resolveName, type ServerIndex } from './server-index.ts';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function mergeConnections(collected: Collected, index: ServerIndex, log: IssueLog): Connection[] {
  const byKey = new Map<string, Connection & { processSet: Set<string> }>();
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
    const existing = byKey.get(key);
    if (existing === undefined) {
      const processSet = new Set(row.process === undefined ? [] : [row.process]);
      byKey.set(key, { source, destination, port: row.port, observations: 1, processes: [], processSet });
    } else {
      existing.observations += 1;
      // A handful of process names is enough to explain a connection; cap to bound memory.
      if (row.process !== undefined && existing.processSet.size < 8) existing.processSet.add(row.process);
    }
  }
  for (const [file, count] of unresolvedByFile) {
    log.warn(
      { file },
      `${count} connection rows have an endpoint that matches no imported server; they are kept by IP/name only`,
    );
  }
  return [...byKey.entries()]
    .sort((a, b) => compare(a[0], b[0]))
    .map(([, { processSet, ...connection }]) => ({ ...connection, processes: [...processSet].sort() }));
}
