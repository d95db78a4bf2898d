import { describe, expect, it } from 'vitest';
import { applicationEdges, groupApplications } from '../../domain/assess/application-groups.ts';
import { buildDependencyGraph, defaultDependencyOptions } from '../../domain/assess/dependency-graph.ts';
import type { Application } from '../../domain/inventory/estate-schema.ts';
import { IssueLog } from '../../domain/inventory/issues.ts';
import { mergeConnections } from '../../domain/inventory/merge-connections.ts';
import { emptyCollected } from '../../domain/inventory/observations.ts';
import { ServerIndex } from '../../domain/inventory/server-index.ts';
import { connection, server } from './fixtures.ts';

const app = (name: string, servers: string[]): Application => ({
  name,
  servers,
  unresolvedServers: [],
  databases: [],
  classification: {
    businessGroup: 'Sales',
    pocCandidate: false,
    technicalDebt: 'None',
    firewallImplications: false,
    securityIssues: false,
    migrationStrategy: 'Rehost',
    technicalComplexity: 2,
    businessCriticality: 2,
    migrationPriority: 1,
    migrationRisk: 2,
  },
  from: { file: 'catalog.csv', row: 2 },
});

const servers = ['web1', 'app1', 'db1', 'x1', 'x2', 'y1', 'dns1', 'lonely'].map((name) => server({ name }));

describe('dependency graph', () => {
  it('filters ephemeral ports, infrastructure ports and servers, unresolved endpoints and self-loops', () => {
    const graph = buildDependencyGraph(
      servers,
      [
        connection('web1', 'app1', 8080, 4),
        connection('web1', 'app1', 50_000),
        connection('app1', 'dns1', 53),
        connection('app1', 'dns1', 9999),
        connection('app1', 'app1', 8080),
        { ...connection('app1', 'x', 80), destination: { ip: '10.9.9.9' } },
      ],
      { ...defaultDependencyOptions, infrastructureServers: ['dns1'] },
    );
    expect(graph.edges).toEqual([{ from: 'web1', to: 'app1', ports: [8080], observations: 4 }]);
    expect(graph.filtered).toEqual({ ephemeral: 1, infrastructure: 2, unresolved: 1, selfLoops: 1 });
    expect(graph.infrastructure).toEqual([
      { serverId: 'dns1', name: 'dns1', role: 'hub', evidence: ['configured'] },
    ]);
  });

  it('treats a destination most of the estate talks to as shared infrastructure, and groups it apart', () => {
    const many = Array.from({ length: 30 }, (_, i) => server({ name: `s${i}` }));
    const hub = server({ name: 'hub' });
    const graph = buildDependencyGraph(
      [...many, hub],
      many.map((s) => connection(s.id, 'hub', 8443)),
      defaultDependencyOptions,
    );
    expect(graph.infrastructure).toEqual([
      {
        serverId: 'hub',
        name: 'hub',
        role: 'hub',
        evidence: ['called by 30 servers (more than 20, the fan-in limit)'],
      },
    ]);
    expect(graph.edges).toEqual([]);
    const groups = groupApplications([...many, hub], [], graph);
    const shared = groups.find((g) => g.servers.includes('hub'));
    expect(shared?.name).toBe('shared infrastructure (detected)');
    expect(shared?.evidence.basis).toBe(
      'shared services found in the dependency data (1 hub); each server\'s evidence is under "infrastructure"',
    );
  });
});

describe('application grouping', () => {
  const graph = buildDependencyGraph(
    servers,
    [
      connection('web1', 'app1', 8080, 10),
      connection('app1', 'db1', 1433, 5),
      connection('x1', 'x2', 443, 2),
      connection('x2', 'app1', 8080, 3),
      connection('y1', 'db1', 1433, 1),
    ],
    defaultDependencyOptions,
  );
  const groups = groupApplications(servers, [app('Shop', ['web1', 'app1']), app('Data', ['db1'])], graph);

  it('keeps catalogued applications and infers the rest from connected components', () => {
    expect(groups.map((g) => [g.name, g.source, g.servers])).toEqual([
      ['Data', 'catalog', ['db1']],
      ['inferred: x1 (+1)', 'inferred', ['x1', 'x2']],
      ['Shop', 'catalog', ['web1', 'app1']],
      ['standalone: dns1', 'inferred', ['dns1']],
      ['standalone: lonely', 'inferred', ['lonely']],
      ['standalone: y1', 'inferred', ['y1']],
    ]);
    expect(groups.find((g) => g.name === 'inferred: x1 (+1)')?.likelyPartOf).toBe('Shop');
  });

  it('derives application edges with strength', () => {
    expect(applicationEdges(groups, graph)).toEqual([
      {
        from: 'inferred: x1 (+1)',
        to: 'Shop',
        serverPairs: 1,
        observations: 3,
        ports: [8080],
        strength: 'medium',
      },
      { from: 'Shop', to: 'Data', serverPairs: 1, observations: 5, ports: [1433], strength: 'medium' },
      {
        from: 'standalone: y1',
        to: 'Data',
        serverPairs: 1,
        observations: 1,
        ports: [1433],
        strength: 'weak',
      },
    ]);
  });
});

describe('naming and evidence of inferred applications', () => {
  const hub = ['zeta-app', 'alpha-web', 'beta-web', 'gamma-db', 'solo'].map((name) => server({ name }));

  it('names a component after its most connected server, not the first by name', () => {
    const graph = buildDependencyGraph(
      hub,
      [
        connection('alpha-web', 'zeta-app', 8080, 5),
        connection('beta-web', 'zeta-app', 8080, 2),
        connection('zeta-app', 'gamma-db', 1433, 9),
      ],
      defaultDependencyOptions,
    );
    const groups = groupApplications(hub, [], graph);
    const group = groups.find((g) => g.servers.includes('zeta-app'));
    expect(group?.name).toBe('inferred: zeta-app (+3)');
    expect(group?.evidence.basis).toBe(
      '4 servers tied by 3 server-to-server connections; named after zeta-app, the most connected (3 neighbours)',
    );
    expect(group?.evidence.connections.map((c) => [c.from, c.to, c.observations])).toEqual([
      ['zeta-app', 'gamma-db', 9],
      ['alpha-web', 'zeta-app', 5],
      ['beta-web', 'zeta-app', 2],
    ]);
    expect(groups.find((g) => g.servers.includes('solo'))?.evidence).toEqual({
      basis: 'a server with no dependency on another uncatalogued business server; named after it',
      connections: [],
      connectionsOmitted: 0,
    });
  });

  it('takes the application name most servers report, and never reuses a catalogued name', () => {
    const reported = (app: string) => ({ sourceApplications: [app], destinationApplications: [app] });
    const graph = buildDependencyGraph(
      hub,
      [
        connection('alpha-web', 'zeta-app', 8080, 5, reported('Shop')),
        connection('beta-web', 'zeta-app', 8080, 2, reported('Shop')),
        connection('zeta-app', 'gamma-db', 1433, 9, { destinationApplications: ['Microsoft SQL Server'] }),
      ],
      defaultDependencyOptions,
    );
    expect(groupApplications(hub, [], graph).map((g) => g.name)).toContain('Shop');
    const withCatalog = groupApplications(hub, [app('Shop', ['solo'])], graph);
    const inferred = withCatalog.find((g) => g.servers.includes('zeta-app'));
    expect(inferred?.name).toBe('Shop (zeta-app)');
    expect(inferred?.evidence.basis).toBe(
      '4 servers tied by 3 server-to-server connections; named after the application "Shop" that 3 of 4 servers report',
    );
  });

  it('lists at most ten connections as evidence, most observed first, and counts the rest', () => {
    const spokes = Array.from({ length: 12 }, (_, i) =>
      server({ name: `spoke${String(i).padStart(2, '0')}` }),
    );
    const centre = server({ name: 'centre' });
    const graph = buildDependencyGraph(
      [...spokes, centre],
      spokes.map((s, i) => connection(s.id, 'centre', 8443, i + 1)),
      defaultDependencyOptions,
    );
    const [group] = groupApplications([...spokes, centre], [], graph);
    expect(group?.name).toBe('inferred: centre (+12)');
    expect(group?.evidence.connections).toHaveLength(10);
    expect(group?.evidence.connections[0]).toEqual({
      from: 'spoke11',
      to: 'centre',
      ports: [8443],
      observations: 12,
    });
    expect(group?.evidence.connectionsOmitted).toBe(2);
  });
});

describe('merging export rows into connections', () => {
  it('keeps the eight most observed names per side and counts the distinct others', () => {
    const index = new ServerIndex();
    index.add('a', { name: 'a' });
    index.add('b', { name: 'b' });
    const collected = emptyCollected();
    const from = { file: 'deps.csv', row: 2 };
    const processes = ['p01', 'p02', 'p03', 'p04', 'p05', 'p06', 'p07', 'p08', 'p09', 'p10', 'p10', 'p09'];
    for (const [i, process] of processes.entries())
      collected.connections.push({
        sourceName: 'a',
        destinationName: 'b',
        sourceProcess: 'client',
        destinationProcess: process,
        port: 443,
        slot: {
          start: `2024-01-0${1 + (i % 3)}T00:00:00.000Z`,
          end: `2024-01-0${1 + (i % 3)}T06:00:00.000Z`,
        },
        from: { ...from, row: i + 2 },
      });
    const log = new IssueLog();
    const [merged] = mergeConnections(collected, index, log);
    expect(merged).toEqual({
      source: { serverId: 'a', name: 'a' },
      destination: { serverId: 'b', name: 'b' },
      port: 443,
      observations: 12,
      sourceProcesses: ['client'],
      destinationProcesses: ['p01', 'p02', 'p03', 'p04', 'p05', 'p06', 'p09', 'p10'],
      namesDropped: { destinationProcesses: 2 },
      firstSeen: '2024-01-01T00:00:00.000Z',
      lastSeen: '2024-01-03T06:00:00.000Z',
      timeSlots: 3,
    });
    expect(log.warnings).toEqual([]);
  });
});
