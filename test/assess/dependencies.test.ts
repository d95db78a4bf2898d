import { describe, expect, it } from 'vitest';
import { applicationEdges, groupApplications } from '../../domain/assess/application-groups.ts';
import { buildDependencyGraph, defaultDependencyOptions } from '../../domain/assess/dependency-graph.ts';
import type { Application } from '../../domain/inventory/estate-schema.ts';
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
