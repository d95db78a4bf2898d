/**
 * Dependency tier of each server inside its application, for the recovery plan's boot groups
 * (databases boot first, then application servers, then web front ends). The estate has no tier
 * column, so it is read from facts: a server hosting a database, or called by its application on a
 * database port, is "db"; a server nobody in the application calls but that calls others is the
 * entry point, "web"; everything else is "app".
 */
import type { ServerEdge } from '../assess/dependency-graph.ts';

export type Tier = 'db' | 'app' | 'web';

/** SQL Server, MySQL, PostgreSQL, Oracle, MongoDB, Redis. */
export const databasePorts = new Set([1433, 1434, 3306, 5432, 1521, 27017, 6379]);

export interface TieredServer {
  tier: Tier;
  reason: string;
}

export function serverTiers(
  applications: readonly { name: string; servers: readonly string[] }[],
  edges: readonly ServerEdge[],
  databaseHosts: ReadonlyMap<string, string>,
): Map<string, TieredServer> {
  const appOf = new Map<string, string>();
  for (const app of applications) for (const id of app.servers) if (!appOf.has(id)) appOf.set(id, app.name);
  const inbound = new Map<string, { db: boolean }>();
  const outbound = new Set<string>();
  for (const edge of edges) {
    const app = appOf.get(edge.from);
    if (app === undefined || app !== appOf.get(edge.to)) continue;
    outbound.add(edge.from);
    const entry = inbound.get(edge.to) ?? { db: false };
    entry.db ||= edge.ports.some((p) => databasePorts.has(p));
    inbound.set(edge.to, entry);
  }
  const tiers = new Map<string, TieredServer>();
  for (const id of appOf.keys()) {
    const hosted = databaseHosts.get(id);
    const calledBy = inbound.get(id);
    if (hosted !== undefined) tiers.set(id, { tier: 'db', reason: `tier db: hosts database ${hosted}` });
    else if (calledBy?.db === true)
      tiers.set(id, { tier: 'db', reason: 'tier db: its application calls it on a database port' });
    else if (calledBy === undefined && outbound.has(id))
      tiers.set(id, {
        tier: 'web',
        reason: 'tier web: calls its application, nothing in it calls this server',
      });
    else
      tiers.set(id, {
        tier: 'app',
        reason:
          calledBy === undefined
            ? 'tier app: no dependency data inside its application'
            : 'tier app: called by its application, not on a database port',
      });
  }
  return tiers;
}
