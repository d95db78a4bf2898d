/**
 * Builds the server dependency graph from connection data with the noise removed: replies to
 * ephemeral ports, shared infrastructure services (by port, by configured server, or by fan-in: a
 * server that a large share of the estate talks to is a shared service, not an application tier),
 * unresolved endpoints and self-connections.
 */
import type { Connection, Server } from '../inventory/estate-schema.ts';

export interface DependencyOptions {
  /** Destination ports at or above this are client-side ephemeral ports (IANA: 49152). */
  ephemeralPortFrom: number;
  /** DNS, Kerberos, NTP, LDAP/GC, SNMP, syslog, monitoring agents, backup agents. */
  infrastructurePorts: number[];
  /** Server names or ids of shared services (DNS, AD, monitoring, backup), always filtered. */
  infrastructureServers: string[];
  /** A destination reached from more than this share of all servers is treated as shared infrastructure. */
  fanInShare: number;
  /** An application with at most this many application dependencies is a quick win. */
  quickWinMaxDependencies: number;
}

export const defaultDependencyOptions: DependencyOptions = {
  ephemeralPortFrom: 49_152,
  infrastructurePorts: [
    53, 67, 88, 123, 161, 162, 389, 464, 514, 636, 3268, 3269, 5666, 9100, 9102, 10050, 10051, 1556, 13724,
    13782,
  ],
  infrastructureServers: [],
  fanInShare: 0.05,
  quickWinMaxDependencies: 1,
};

export interface ServerEdge {
  from: string;
  to: string;
  ports: number[];
  observations: number;
}

export interface DependencyGraph {
  edges: ServerEdge[];
  infrastructureServers: string[];
  filtered: { ephemeral: number; infrastructure: number; unresolved: number; selfLoops: number };
}

export function buildDependencyGraph(
  servers: readonly Server[],
  connections: readonly Connection[],
  options: DependencyOptions,
): DependencyGraph {
  const infraPorts = new Set(options.infrastructurePorts);
  const named = new Set(options.infrastructureServers.map((s) => s.toLowerCase()));
  const infra = new Set(
    servers.filter((s) => named.has(s.name.toLowerCase()) || named.has(s.id)).map((s) => s.id),
  );

  const sourcesByDestination = new Map<string, Set<string>>();
  for (const c of connections) {
    const from = c.source.serverId;
    const to = c.destination.serverId;
    if (from === undefined || to === undefined || from === to) continue;
    const set = sourcesByDestination.get(to) ?? new Set<string>();
    set.add(from);
    sourcesByDestination.set(to, set);
  }
  const fanInLimit = Math.max(20, Math.ceil(servers.length * options.fanInShare));
  for (const [destination, sources] of sourcesByDestination)
    if (sources.size > fanInLimit) infra.add(destination);

  const filtered = { ephemeral: 0, infrastructure: 0, unresolved: 0, selfLoops: 0 };
  const edges = new Map<string, ServerEdge>();
  for (const c of connections) {
    const from = c.source.serverId;
    const to = c.destination.serverId;
    if (c.port >= options.ephemeralPortFrom) filtered.ephemeral += c.observations;
    else if (infraPorts.has(c.port)) filtered.infrastructure += c.observations;
    else if (from === undefined || to === undefined) filtered.unresolved += c.observations;
    else if (from === to) filtered.selfLoops += c.observations;
    else if (infra.has(from) || infra.has(to)) filtered.infrastructure += c.observations;
    else {
      const key = `${from}|${to}`;
      const edge = edges.get(key);
      if (edge === undefined) edges.set(key, { from, to, ports: [c.port], observations: c.observations });
      else {
        edge.observations += c.observations;
        if (!edge.ports.includes(c.port)) edge.ports.push(c.port);
      }
    }
  }
  return {
    edges: [...edges.values()].map((e) => ({ ...e, ports: e.ports.sort((a, b) => a - b) })),
    infrastructureServers: [...infra].sort(),
    filtered,
  };
}
