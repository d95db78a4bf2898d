import { describe, expect, it } from 'vitest';
import { defaultDependencyOptions } from '../../domain/assess/dependency-graph.ts';
import { detectInfrastructure } from '../../domain/assess/infrastructure.ts';
import type { Connection } from '../../domain/inventory/estate-schema.ts';
import { connection, server } from './fixtures.ts';

const estate = (count: number, vcenter?: string) =>
  Array.from({ length: count }, (_, i) =>
    server({ name: `srv${String(i).padStart(2, '0')}`, ...(vcenter === undefined ? {} : { vcenter }) }),
  );
const detect = (servers: ReturnType<typeof estate>, connections: Connection[], configured: string[] = []) =>
  detectInfrastructure(servers, connections, {
    ...defaultDependencyOptions,
    infrastructureServers: configured,
  });
const roleOf = (found: ReturnType<typeof detect>, id: string) => found.find((f) => f.serverId === id)?.role;

describe('infrastructure detection', () => {
  it('recognises the appliance by its WinRM/SSH fan-out and its session with vCenter', () => {
    const servers = [...estate(40, 'vc01.contoso.local'), server({ name: 'azmig' })];
    const polls = servers.slice(0, 12).map((s, i) => connection('azmig', s.id, i % 2 === 0 ? 5985 : 22));
    const toVcenter: Connection = {
      source: { serverId: 'azmig', name: 'azmig' },
      destination: { name: 'vc01', ip: '10.0.0.2' },
      port: 443,
      observations: 4,
    };
    const found = detect(servers, [...polls, toVcenter]);
    expect(found).toEqual([
      {
        serverId: 'azmig',
        name: 'azmig',
        role: 'migration-appliance',
        evidence: [
          'connects to 12 servers on management ports 22, 5985 and to vCenter vc01.contoso.local on 443',
        ],
      },
    ]);
  });

  it('recognises the appliance by its services even from one connection', () => {
    const servers = [...estate(3), server({ name: 'azmig' })];
    const found = detect(servers, [
      connection('azmig', 'srv00', 44368, 1, { sourceProcesses: ['C:\\Program Files\\asrgwy.exe'] }),
    ]);
    expect(found).toEqual([
      {
        serverId: 'azmig',
        name: 'azmig',
        role: 'migration-appliance',
        evidence: ['Azure Migrate appliance: runs C:\\Program Files\\asrgwy.exe'],
      },
    ]);
  });

  it('calls a server administering a minority of the estate a hub, and a 443-only fan-out nothing', () => {
    const servers = [...estate(40), server({ name: 'jump01' }), server({ name: 'proxy01' })];
    const admin = servers.slice(0, 10).map((s) => connection('jump01', s.id, 5985));
    const proxied = servers.slice(0, 30).map((s) => connection('proxy01', s.id, 443));
    const others = servers.slice(10, 30).map((s) => connection(s.id, 'srv39', 8080));
    const found = detect(servers, [...admin, ...proxied, ...others]);
    expect(found.map((f) => [f.serverId, f.role, f.evidence])).toEqual([
      ['jump01', 'hub', ['connects to 10 servers on management ports 5985 (administers others)']],
    ]);
  });

  it('finds DNS and directory servers by their ports from several clients or by their processes', () => {
    const servers = estate(10);
    const found = detect(servers, [
      connection('srv01', 'srv00', 53),
      connection('srv02', 'srv00', 53),
      connection('srv03', 'srv00', 53),
      // Two clients are not enough for the port alone.
      connection('srv01', 'srv05', 53),
      connection('srv02', 'srv05', 53),
      connection('srv01', 'srv06', 389, 1, { destinationProcesses: ['lsass.exe'] }),
      // lsass answers RPC on ephemeral ports on every Windows server: no evidence there.
      connection('srv01', 'srv07', 49_668, 1, { destinationProcesses: ['lsass.exe'] }),
      connection('srv01', 'srv08', 53, 1, { destinationProcesses: ['named'] }),
    ]);
    expect(found).toEqual([
      {
        serverId: 'srv00',
        name: 'srv00',
        role: 'dns',
        evidence: ['DNS: called on port 53 by 3 servers'],
      },
      {
        serverId: 'srv06',
        name: 'srv06',
        role: 'directory',
        evidence: ['Active Directory / LDAP: serves lsass.exe'],
      },
      { serverId: 'srv08', name: 'srv08', role: 'dns', evidence: ['DNS: serves named'] },
    ]);
  });

  it('finds backup and monitoring servers on the side of the connection they sit', () => {
    const servers = [...estate(10), server({ name: 'veeam01' }), server({ name: 'zabbix01' })];
    const found = detect(servers, [
      ...['srv00', 'srv01', 'srv02'].map((id) => connection('veeam01', id, 6162)),
      ...['srv03', 'srv04', 'srv05'].map((id) => connection(id, 'zabbix01', 10051)),
    ]);
    expect(found.map((f) => [f.serverId, f.role, f.evidence])).toEqual([
      ['veeam01', 'backup', ['backup server: calls 3 servers on port 6162']],
      ['zabbix01', 'monitoring', ['monitoring server: called on port 10051 by 3 servers']],
    ]);
  });

  it('lets a named service outrank a traffic pattern and keeps configured servers first', () => {
    const servers = [...estate(12), server({ name: 'veeam01' })];
    const guestProcessing = servers
      .slice(0, 12)
      .map((s) => connection('veeam01', s.id, 5985, 1, { sourceProcesses: ['Veeam.Backup.Manager.exe'] }));
    const found = detect(servers, guestProcessing, ['VEEAM01', 'srv11']);
    expect(found.find((f) => f.serverId === 'veeam01')).toEqual({
      serverId: 'veeam01',
      name: 'veeam01',
      role: 'backup',
      evidence: [
        'configured',
        'backup server: runs Veeam.Backup.Manager.exe',
        'connects to 12 servers on management ports 5985: 100 % of the servers in the dependency data',
      ],
    });
    expect(found.find((f) => f.serverId === 'srv11')).toEqual({
      serverId: 'srv11',
      name: 'srv11',
      role: 'hub',
      evidence: ['configured'],
    });
    expect(roleOf(found, 'srv00')).toBeUndefined();
  });
});
