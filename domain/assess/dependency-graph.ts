/**
 * Builds the server dependency graph from connection data with the noise removed: replies to
 * ephemeral ports, shared infrastructure services (by port; by the servers `infrastructure.ts` finds
 * from processes, traffic patterns and fan-in; by configured server), unresolved endpoints and
 * self-connections. Each edge keeps what explains it: ports, processes, observations and when it was
 * seen.
 */
import type { Connection, Server } from '../inventory/estate-schema.ts';
import { detectInfrastructure, type InfrastructureServer } from './infrastructure.ts';

export interface DependencyOptions {
  /** Destination ports at or above this are client-side ephemeral ports (IANA: 49152). */
  ephemeralPortFrom: number;
  /** DNS, Kerberos, NTP, LDAP/GC, SNMP, syslog, monitoring agents, backup agents. */
  infrastructurePorts: number[];
  /** Server names or ids of shared services (DNS, AD, monitoring, backup), always filtered. */
  infrastructureServers: string[];
  /** A destination reached from more than this share of all servers is treated as shared infrastructure. */
  fanInShare: number;
  /** Distinct peers on a well-known service port before the port alone identifies the service. */
  signaturePeers: number;
  /** Servers reached over WinRM/SSH/SMB/RPC before a source counts as administering the estate. */
  applianceMinServers: number;
  /** Share of the servers in the dependency data the appliance reaches when no vCenter link shows. */
  applianceShare: number;
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
  signaturePeers: 3,
  applianceMinServers: 10,
  applianceShare: 0.5,
  quickWinMaxDependencies: 1,
};

/** Process names kept per edge and side; the connections keep up to eight each. */
const EDGE_PROCESSES = 4;

export interface ServerEdge {
  from: string;
  to: string;
  ports: number[];
  observations: number;
  /** Processes at each end, as the export names them (a few at most). */
  sourceProcesses?: string[];
  destinationProcesses?: string[];
  firstSeen?: string;
  lastSeen?: string;
}

export interface DependencyGraph {
  edges: ServerEdge[];
  infrastructure: InfrastructureServer[];
  /**
   * Per server, the application name the export reports most for it on the kept edges (Azure
   * Migrate's "Source/Destination application"); a hint for naming inferred applications.
   */
  applicationHints: Map<string, string>;
  filtered: { ephemeral: number; infrastructure: number; unresolved: number; selfLoops: number };
}

const addNames = (into: string[] | undefined, names: readonly string[] | undefined): string[] | undefined => {
  if (names === undefined || names.length === 0) return into;
  const out = into ?? [];
  for (const n of names) if (out.length < EDGE_PROCESSES && !out.includes(n)) out.push(n);
  return out;
};

export function buildDependencyGraph(
  servers: readonly Server[],
  connections: readonly Connection[],
  options: DependencyOptions,
): DependencyGraph {
  const infraPorts = new Set(options.infrastructurePorts);
  const infrastructure = detectInfrastructure(servers, connections, options);
  const infra = new Set(infrastructure.map((s) => s.serverId));

  const filtered = { ephemeral: 0, infrastructure: 0, unresolved: 0, selfLoops: 0 };
  const edges = new Map<string, ServerEdge>();
  const applicationCounts = new Map<string, Map<string, number>>();
  const countApplications = (id: string, names: readonly string[] | undefined, weight: number) => {
    if (names === undefined) return;
    let counts = applicationCounts.get(id);
    if (counts === undefined) applicationCounts.set(id, (counts = new Map<string, number>()));
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + weight);
  };
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
      let edge = edges.get(key);
      if (edge === undefined) {
        edge = { from, to, ports: [c.port], observations: c.observations };
        edges.set(key, edge);
      } else {
        edge.observations += c.observations;
        if (!edge.ports.includes(c.port)) edge.ports.push(c.port);
      }
      countApplications(from, c.sourceApplications, c.observations);
      countApplications(to, c.destinationApplications, c.observations);
      const sourceProcesses = addNames(edge.sourceProcesses, c.sourceProcesses);
      const destinationProcesses = addNames(edge.destinationProcesses, c.destinationProcesses);
      if (sourceProcesses !== undefined) edge.sourceProcesses = sourceProcesses;
      if (destinationProcesses !== undefined) edge.destinationProcesses = destinationProcesses;
      if (c.firstSeen !== undefined && (edge.firstSeen === undefined || c.firstSeen < edge.firstSeen))
        edge.firstSeen = c.firstSeen;
      if (c.lastSeen !== undefined && (edge.lastSeen === undefined || c.lastSeen > edge.lastSeen))
        edge.lastSeen = c.lastSeen;
    }
  }
  const applicationHints = new Map<string, string>();
  for (const [id, counts] of applicationCounts) {
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    if (top !== undefined) applicationHints.set(id, top[0]);
  }
  return {
    edges: [...edges.values()].map((e) => ({ ...e, ports: e.ports.sort((a, b) => a - b) })),
    infrastructure,
    applicationHints,
    filtered,
  };
}
