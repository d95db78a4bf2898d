/**
 * An Azure Migrate agentless dependency export built from the published column layout
 * (learn.microsoft.com/azure/migrate/how-to-create-group-machine-dependencies-agentless#dependency-information)
 * imported next to an Azure Migrate import CSV, then assessed: both sides' processes and
 * applications, time slots, the appliance's own traffic, directory/DNS by process, names and evidence.
 */
import { describe, expect, it } from 'vitest';
import { assessEstate, defaultAssessOptions } from '../../domain/assess/assess-estate.ts';
import { loadEstate } from '../../workspace/files.ts';
import { importInto, tempDir, writeInputs } from './helpers.ts';

const HEADER = [
  'Time slot',
  'Source server name',
  'Source IP',
  'Source application',
  'Source process',
  'Destination server name',
  'Destination IP',
  'Destination application',
  'Destination process',
  'Destination port',
].join(',');

const servers: [name: string, ip: string, os: string][] = [
  ['azmigrate01', '10.0.0.5', 'Microsoft Windows Server 2022 Datacenter'],
  ['dc01', '10.0.0.10', 'Microsoft Windows Server 2019 Datacenter'],
  ['web01', '10.0.1.11', 'Microsoft Windows Server 2019 Datacenter'],
  ['web02', '10.0.1.12', 'Microsoft Windows Server 2019 Datacenter'],
  ['app01', '10.0.1.21', 'Red Hat Enterprise Linux 8.6 (Ootpa)'],
  ['db01', '10.0.1.31', 'Microsoft Windows Server 2019 Datacenter'],
  ['batch01', '10.0.1.41', 'Microsoft Windows Server 2019 Datacenter'],
  ['hr-web01', '10.0.2.11', 'Microsoft Windows Server 2019 Datacenter'],
  ['hr-db01', '10.0.2.31', 'Microsoft Windows Server 2019 Datacenter'],
  ['file01', '10.0.3.11', 'Microsoft Windows Server 2019 Datacenter'],
  ['print01', '10.0.3.12', 'Microsoft Windows Server 2019 Datacenter'],
  ['test01', '10.0.3.13', 'Microsoft Windows Server 2019 Datacenter'],
];
const ipOf = (name: string) => servers.find(([n]) => n === name)?.[1] ?? '';

const inventory = [
  '*Server name,IP addresses,*Cores,*Memory (In MB),*OS name',
  ...servers.map(([name, ip, os]) => `${name},${ip},4,8192,${os}`),
].join('\n');

const SLOT1 = '1/15/2024 12:00 AM - 1/15/2024 6:00 AM';
const SLOT2 = '1/15/2024 6:00 AM - 1/15/2024 12:00 PM';
const SLOT3 = '2024-01-16T00:00Z - 2024-01-16T06:00Z';

type Side = [name: string, application: string, process: string];
const row = (slot: string, [from, fromApp, fromProc]: Side, [to, toApp, toProc]: Side, port: number) =>
  [slot, from, ipOf(from), fromApp, fromProc, to, ipOf(to), toApp, toProc, port].join(',');

const dependencyRows = [
  row(
    SLOT1,
    ['web01', 'Internet Information Services', 'w3wp.exe'],
    ['app01', 'Apache Tomcat', 'java'],
    8080,
  ),
  row(
    SLOT2,
    ['web01', 'Internet Information Services', 'w3wp.exe'],
    ['app01', 'Apache Tomcat', 'java'],
    8080,
  ),
  row(
    SLOT3,
    ['web01', 'Internet Information Services', 'w3wp.exe'],
    ['app01', 'Apache Tomcat', 'java'],
    8080,
  ),
  row(
    SLOT1,
    ['web02', 'Internet Information Services', 'w3wp.exe'],
    ['app01', 'Apache Tomcat', 'java'],
    8080,
  ),
  row(SLOT1, ['app01', 'Apache Tomcat', 'java'], ['db01', 'Microsoft SQL Server', 'sqlservr.exe'], 1433),
  // The destination process is empty; the source process must survive.
  row(SLOT2, ['batch01', '', 'batch.exe'], ['db01', '', ''], 1433),
  row(SLOT1, ['hr-web01', 'HR Suite', 'w3wp.exe'], ['hr-db01', 'HR Suite', 'sqlservr.exe'], 1433),
  // Directory and DNS, recognised by the processes that hold the ports.
  row(SLOT1, ['web01', '', 'lsass.exe'], ['dc01', '', 'lsass.exe'], 88),
  row(SLOT1, ['app01', '', 'sssd'], ['dc01', '', 'lsass.exe'], 389),
  row(SLOT1, ['db01', '', 'Unknown process'], ['dc01', '', 'dns.exe'], 53),
  // The appliance polls every server over WinRM (Windows) or SSH (Linux); it has no dependency
  // analysis itself, so its side shows only its IP.
  ...servers
    .filter(([name]) => name !== 'azmigrate01')
    .map(([name, ip, os]) =>
      [
        SLOT2,
        '',
        ipOf('azmigrate01'),
        '',
        'Unknown process',
        name,
        ip,
        '',
        os.startsWith('Red Hat') ? 'sshd' : 'System',
        os.startsWith('Red Hat') ? 22 : 5985,
      ].join(','),
    ),
];

async function importedEstate() {
  const { paths } = writeInputs({
    'azure-migrate-import.csv': `${inventory}\n`,
    'azure-migrate-dependencies.csv': `${HEADER}\n${dependencyRows.join('\n')}\n`,
  });
  const workspace = tempDir();
  const { outcome, lines } = await importInto(workspace, paths);
  expect(outcome.errors, lines.join('\n')).toEqual([]);
  return loadEstate(workspace);
}

describe('Azure Migrate dependency export', () => {
  it('keeps both sides, applications, first/last seen and time slots per connection', async () => {
    const estate = await importedEstate();
    const id = (name: string) => estate.servers.find((s) => s.name === name)?.id;
    const web = estate.connections.find((c) => c.source.serverId === id('web01') && c.port === 8080);
    expect(web).toMatchObject({
      observations: 3,
      sourceProcesses: ['w3wp.exe'],
      destinationProcesses: ['java'],
      sourceApplications: ['Internet Information Services'],
      destinationApplications: ['Apache Tomcat'],
      firstSeen: '2024-01-15T00:00:00.000Z',
      lastSeen: '2024-01-16T06:00:00.000Z',
      timeSlots: 3,
    });
    expect(web?.namesDropped).toBeUndefined();
    const batch = estate.connections.find((c) => c.source.serverId === id('batch01'));
    expect(batch?.sourceProcesses).toEqual(['batch.exe']);
    expect(batch?.destinationProcesses).toBeUndefined();
    expect(batch?.sourceApplications).toBeUndefined();
    // The appliance's rows name no source server: its IP resolves it.
    const polls = estate.connections.filter((c) => c.source.serverId === id('azmigrate01'));
    expect(polls).toHaveLength(11);
    expect(polls.every((c) => c.timeSlots === 1 && c.firstSeen === '2024-01-15T06:00:00.000Z')).toBe(true);
    // "Unknown process" is the export's placeholder, not a process; the other side stays.
    expect(polls.some((c) => c.sourceProcesses !== undefined)).toBe(false);
    expect(polls.find((c) => c.destination.serverId === id('app01'))?.destinationProcesses).toEqual(['sshd']);
  });

  it('detects the appliance and the domain controller unasked and names applications after their own servers', async () => {
    const estate = await importedEstate();
    const assessment = assessEstate(estate, defaultAssessOptions('2025-01-01'));
    const byName = new Map(assessment.infrastructure.map((i) => [i.name, i]));
    expect(byName.get('azmigrate01')).toMatchObject({
      role: 'migration-appliance',
      evidence: [
        'connects to 11 servers on management ports 22, 5985: 100 % of the servers in the dependency data',
      ],
    });
    expect(byName.get('dc01')?.role).toBe('directory');
    expect(byName.get('dc01')?.evidence).toEqual([
      'Active Directory / LDAP: serves lsass.exe',
      'DNS: serves dns.exe',
    ]);
    expect([...byName.keys()].sort()).toEqual(['azmigrate01', 'dc01']);

    const names = assessment.applications.map((a) => a.name);
    expect(names.some((n) => n.includes('azmigrate01'))).toBe(false);
    expect(names).toEqual(
      expect.arrayContaining([
        'inferred: app01 (+4)',
        'HR Suite',
        'standalone: file01',
        'shared infrastructure (detected)',
      ]),
    );
    const orders = assessment.applications.find((a) => a.name === 'inferred: app01 (+4)');
    expect(orders?.servers.map((s) => estate.servers.find((x) => x.id === s)?.name)).toEqual([
      'app01',
      'batch01',
      'db01',
      'web01',
      'web02',
    ]);
    expect(orders?.evidence.basis).toBe(
      '5 servers tied by 4 server-to-server connections; named after app01, the most connected (3 neighbours)',
    );
    expect(orders?.evidence.connections[0]).toEqual({
      from: 'web01',
      to: 'app01',
      ports: [8080],
      observations: 3,
      sourceProcesses: ['w3wp.exe'],
      destinationProcesses: ['java'],
      firstSeen: '2024-01-15T00:00:00.000Z',
      lastSeen: '2024-01-16T06:00:00.000Z',
    });
    expect(orders?.evidence.connections).toHaveLength(4);
    expect(orders?.evidence.connectionsOmitted).toBe(0);
    const hr = assessment.applications.find((a) => a.name === 'HR Suite');
    expect(hr?.source).toBe('inferred');
    expect(hr?.evidence.basis).toBe(
      '2 servers tied by 1 server-to-server connection; named after the application "HR Suite" that 2 of 2 servers report',
    );
    const shared = assessment.applications.find((a) => a.name === 'shared infrastructure (detected)');
    expect(shared?.servers.length).toBe(2);
  });
});
