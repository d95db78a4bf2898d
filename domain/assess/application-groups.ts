/**
 * Applications as groups of servers: from the service catalog where known, inferred from the
 * dependency graph (connected components of uncatalogued business servers) where not. An inferred
 * application is named after the application name its servers report in the dependency export when
 * most of them agree, else after its most connected server; shared infrastructure (the migration
 * appliance, DNS, directory…) never joins or names one. Every group carries the connections that
 * tie it together. Then application-to-application edges with their strength.
 */
import type { Application, Server } from '../inventory/estate-schema.ts';
import type { DependencyGraph, ServerEdge } from './dependency-graph.ts';

/** One connection (server pair) that ties a group together, as the export showed it. */
export interface EvidenceConnection {
  from: string;
  to: string;
  ports: number[];
  observations: number;
  sourceProcesses?: string[];
  destinationProcesses?: string[];
  firstSeen?: string;
  lastSeen?: string;
}

export interface GroupingEvidence {
  /** Why these servers are one application and why it has this name, in a sentence. */
  basis: string;
  /** The strongest connections between the group's servers, most observed first. */
  connections: EvidenceConnection[];
  /** Connections between the group's servers not listed (the list is bounded). */
  connectionsOmitted: number;
}

export interface ApplicationGroup {
  name: string;
  source: 'catalog' | 'inferred';
  servers: string[];
  /** For inferred groups: the catalogued application it talks to most, a hint for the owner. */
  likelyPartOf?: string;
  evidence: GroupingEvidence;
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

/** Evidence connections listed per group. */
export const MAX_EVIDENCE_CONNECTIONS = 10;

const byText = (a: string, b: string) => a.localeCompare(b);

export function groupApplications(
  servers: readonly Server[],
  applications: readonly Application[],
  graph: DependencyGraph,
): ApplicationGroup[] {
  const names = new Map(servers.map((s) => [s.id, s.name]));
  const nameOf = (id: string) => names.get(id) ?? id;
  const edgesOf = new Map<string, ServerEdge[]>();
  for (const edge of graph.edges)
    for (const id of [edge.from, edge.to]) {
      const list = edgesOf.get(id);
      if (list === undefined) edgesOf.set(id, [edge]);
      else list.push(edge);
    }
  const internalEdges = (members: ReadonlySet<string>): ServerEdge[] => {
    const seen = new Set<ServerEdge>();
    for (const id of members)
      for (const e of edgesOf.get(id) ?? []) if (members.has(e.from) && members.has(e.to)) seen.add(e);
    return [...seen];
  };
  const evidenceOf = (basis: string, edges: readonly ServerEdge[]): GroupingEvidence => {
    const strongest = [...edges]
      .sort(
        (a, b) =>
          b.observations - a.observations ||
          byText(nameOf(a.from), nameOf(b.from)) ||
          byText(nameOf(a.to), nameOf(b.to)),
      )
      .slice(0, MAX_EVIDENCE_CONNECTIONS);
    return {
      basis,
      connections: strongest.map((e) => ({
        from: nameOf(e.from),
        to: nameOf(e.to),
        ports: e.ports,
        observations: e.observations,
        ...(e.sourceProcesses === undefined ? {} : { sourceProcesses: e.sourceProcesses }),
        ...(e.destinationProcesses === undefined ? {} : { destinationProcesses: e.destinationProcesses }),
        ...(e.firstSeen === undefined ? {} : { firstSeen: e.firstSeen }),
        ...(e.lastSeen === undefined ? {} : { lastSeen: e.lastSeen }),
      })),
      connectionsOmitted: edges.length - strongest.length,
    };
  };

  const groups: ApplicationGroup[] = applications.map((a) => ({
    name: a.name,
    source: 'catalog',
    servers: a.servers,
    evidence: evidenceOf(
      `listed in the service catalog (${a.from.file} row ${a.from.row})`,
      internalEdges(new Set(a.servers)),
    ),
  }));
  const taken = new Set(applications.map((a) => a.name.toLowerCase()));
  const catalogued = new Map<string, string>();
  for (const app of applications)
    for (const id of app.servers) if (!catalogued.has(id)) catalogued.set(id, app.name);
  const infra = new Set(graph.infrastructure.map((s) => s.serverId));

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

  const inferred = [...components.values()].map((members) => {
    const set = new Set(members);
    const edges = internalEdges(set);
    const { central, neighbours } = mostConnected(members, edges, nameOf);
    return { members, edges, central, neighbours };
  });
  // Deterministic naming order, so a name clash always resolves the same way.
  inferred.sort((a, b) => byText(nameOf(a.central), nameOf(b.central)));
  for (const { members, edges, central, neighbours } of inferred) {
    const sorted = [...members].sort((a, b) => byText(nameOf(a), nameOf(b)));
    const centralName = nameOf(central);
    const hint = reportedApplication(sorted, graph.applicationHints);
    const fallback =
      sorted.length === 1 ? `standalone: ${centralName}` : `inferred: ${centralName} (+${sorted.length - 1})`;
    const candidates = hint === undefined ? [] : [hint.name, `${hint.name} (${centralName})`];
    const name = [...candidates, fallback].find((n) => !taken.has(n.toLowerCase())) ?? fallback;
    taken.add(name.toLowerCase());
    const votes = new Map<string, number>();
    for (const id of sorted)
      for (const [app, n] of towardsCatalog.get(id) ?? []) votes.set(app, (votes.get(app) ?? 0) + n);
    const likely = [...votes.entries()].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]))[0]?.[0];
    const tie =
      sorted.length === 1
        ? 'a server with no dependency on another uncatalogued business server'
        : `${sorted.length} servers tied by ${edges.length} server-to-server connection${edges.length === 1 ? '' : 's'}`;
    const naming =
      hint !== undefined && name !== fallback
        ? `named after the application "${hint.name}" that ${hint.votes} of ${sorted.length} servers report`
        : sorted.length === 1
          ? `named after it`
          : `named after ${centralName}, the most connected (${neighbours} neighbours)`;
    groups.push({
      name,
      source: 'inferred',
      servers: sorted,
      ...(likely === undefined ? {} : { likelyPartOf: likely }),
      evidence: evidenceOf(`${tie}; ${naming}`, edges),
    });
  }
  // Shared services nobody catalogued still cost money: keep them together as one group.
  const strayInfra = graph.infrastructure.filter((s) => !catalogued.has(s.serverId));
  if (strayInfra.length > 0) {
    const roles = new Map<string, number>();
    for (const s of strayInfra) roles.set(s.role, (roles.get(s.role) ?? 0) + 1);
    const summary = [...roles.entries()]
      .sort((a, b) => byText(a[0], b[0]))
      .map(([role, n]) => `${n} ${role}`)
      .join(', ');
    groups.push({
      name: 'shared infrastructure (detected)',
      source: 'inferred',
      servers: strayInfra.map((s) => s.serverId).sort(),
      evidence: {
        basis: `shared services found in the dependency data (${summary}); each server's evidence is under "infrastructure"`,
        connections: [],
        connectionsOmitted: 0,
      },
    });
  }
  return groups.sort((a, b) => byText(a.name, b.name));
}

/**
 * The server with the most distinct neighbours inside its component (ties: more observations, then
 * name). Degree rather than betweenness: components can hold thousands of servers and degree is
 * linear; in the tiered shapes applications have (web → app → database) the hub tier wins either way.
 */
function mostConnected(
  members: readonly string[],
  edges: readonly ServerEdge[],
  nameOf: (id: string) => string,
): { central: string; neighbours: number } {
  const neighbours = new Map<string, Set<string>>();
  const weight = new Map<string, number>();
  for (const e of edges)
    for (const [a, b] of [
      [e.from, e.to],
      [e.to, e.from],
    ] as const) {
      const set = neighbours.get(a);
      if (set === undefined) neighbours.set(a, new Set([b]));
      else set.add(b);
      weight.set(a, (weight.get(a) ?? 0) + e.observations);
    }
  let best = members[0] ?? '';
  for (const id of members) {
    const d = (neighbours.get(id)?.size ?? 0) - (neighbours.get(best)?.size ?? 0);
    const w = (weight.get(id) ?? 0) - (weight.get(best) ?? 0);
    if (d > 0 || (d === 0 && (w > 0 || (w === 0 && byText(nameOf(id), nameOf(best)) < 0)))) best = id;
  }
  return { central: best, neighbours: neighbours.get(best)?.size ?? 0 };
}

/** The application name more than half of the servers report, if any. */
function reportedApplication(
  members: readonly string[],
  hints: ReadonlyMap<string, string>,
): { name: string; votes: number } | undefined {
  const votes = new Map<string, number>();
  for (const id of members) {
    const hint = hints.get(id);
    if (hint !== undefined) votes.set(hint, (votes.get(hint) ?? 0) + 1);
  }
  const [top] = [...votes.entries()].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]));
  return top !== undefined && top[1] * 2 > members.length ? { name: top[0], votes: top[1] } : undefined;
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
