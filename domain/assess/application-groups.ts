/**
 * Applications as groups of servers: from the service catalog where known, inferred from the
 * dependency graph (connected components of uncatalogued servers) where not. Then application-to-
 * application edges with their strength.
 */
import type { Application, Server } from '../inventory/estate-schema.ts';
import type { DependencyGraph } from './dependency-graph.ts';

export interface ApplicationGroup {
  name: string;
  source: 'catalog' | 'inferred';
  servers: string[];
  /** For inferred groups: the catalogued application it talks to most, a hint for the owner. */
  likelyPartOf?: string;
}

export interface ApplicationEdge {
  from: string;
  to: string;
  /** Distinct server pairs carrying the dependency. */
  serverPairs: number;
  observations: number;
  ports: number[];
  strength: 'strong' | 'medium' | 'weak';
}

export function groupApplications(
  servers: readonly Server[],
  applications: readonly Application[],
  graph: DependencyGraph,
): ApplicationGroup[] {
  const groups: ApplicationGroup[] = applications.map((a) => ({
    name: a.name,
    source: 'catalog',
    servers: a.servers,
  }));
  const catalogued = new Map<string, string>();
  for (const app of applications)
    for (const id of app.servers) if (!catalogued.has(id)) catalogued.set(id, app.name);
  const infra = new Set(graph.infrastructureServers);

  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    let node = id;
    while (node !== root) {
      const next = parent.get(node) ?? root;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const loose = servers.filter((s) => !catalogued.has(s.id) && !infra.has(s.id));
  for (const s of loose) parent.set(s.id, s.id);
  const towardsCatalog = new Map<string, Map<string, number>>();
  for (const edge of graph.edges) {
    const a = parent.has(edge.from);
    const b = parent.has(edge.to);
    if (a && b) parent.set(find(edge.from), find(edge.to));
    else if (a !== b) {
      const looseId = a ? edge.from : edge.to;
      const app = catalogued.get(a ? edge.to : edge.from);
      if (app === undefined) continue;
      const counts = towardsCatalog.get(looseId) ?? new Map<string, number>();
      counts.set(app, (counts.get(app) ?? 0) + edge.observations);
      towardsCatalog.set(looseId, counts);
    }
  }
  const components = new Map<string, string[]>();
  for (const s of loose) {
    const root = find(s.id);
    const members = components.get(root);
    if (members === undefined) components.set(root, [s.id]);
    else members.push(s.id);
  }
  const names = new Map(servers.map((s) => [s.id, s.name]));
  for (const members of components.values()) {
    const sorted = members.sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b));
    const first = names.get(sorted[0] ?? '') ?? 'server';
    const votes = new Map<string, number>();
    for (const id of sorted)
      for (const [app, n] of towardsCatalog.get(id) ?? []) votes.set(app, (votes.get(app) ?? 0) + n);
    const likely = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
    groups.push({
      name: sorted.length === 1 ? `standalone: ${first}` : `inferred: ${first} (+${sorted.length - 1})`,
      source: 'inferred',
      servers: sorted,
      ...(likely === undefined ? {} : { likelyPartOf: likely }),
    });
  }
  // Shared services nobody catalogued still cost money: keep them together as one group.
  const strayInfra = [...infra].filter((id) => !catalogued.has(id)).sort();
  if (strayInfra.length > 0)
    groups.push({ name: 'shared infrastructure (detected)', source: 'inferred', servers: strayInfra });
  return groups.sort((a, b) => a.name.localeCompare(b.name));
}

export function applicationEdges(
  groups: readonly ApplicationGroup[],
  graph: DependencyGraph,
): ApplicationEdge[] {
  const appsOf = new Map<string, string[]>();
  for (const g of groups) {
    for (const id of g.servers) {
      const list = appsOf.get(id);
      if (list === undefined) appsOf.set(id, [g.name]);
      else list.push(g.name);
    }
  }
  const byPair = new Map<string, { pairs: Set<string>; observations: number; ports: Set<number> }>();
  for (const edge of graph.edges) {
    for (const from of appsOf.get(edge.from) ?? []) {
      for (const to of appsOf.get(edge.to) ?? []) {
        if (from === to) continue;
        const key = `${from}\u0000${to}`;
        const entry = byPair.get(key) ?? {
          pairs: new Set<string>(),
          observations: 0,
          ports: new Set<number>(),
        };
        entry.pairs.add(`${edge.from}|${edge.to}`);
        entry.observations += edge.observations;
        for (const p of edge.ports) entry.ports.add(p);
        byPair.set(key, entry);
      }
    }
  }
  return [...byPair.entries()]
    .map(([key, e]): ApplicationEdge => {
      const [from = '', to = ''] = key.split('\u0000');
      const strength =
        e.pairs.size >= 3 || e.observations >= 20
          ? 'strong'
          : e.pairs.size === 1 && e.observations < 3
            ? 'weak'
            : 'medium';
      return {
        from,
        to,
        serverPairs: e.pairs.size,
        observations: e.observations,
        ports: [...e.ports].sort((a, b) => a - b),
        strength,
      };
    })
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}
