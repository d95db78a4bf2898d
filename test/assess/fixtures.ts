/** Small hand-made estate objects for the pure assessment tests. */
import type { Connection, Disk, Server } from '../../domain/inventory/estate-schema.ts';

const from = { file: 'test.csv', row: 2 };

export function server(overrides: Partial<Server> & { name: string }): Server {
  return {
    id: overrides.id ?? overrides.name,
    ips: [],
    os: 'Microsoft Windows Server 2019 Datacenter',
    cpus: 4,
    memoryMiB: 16_384,
    firmware: 'BIOS',
    disks: [disk({ id: 'os', sizeGiB: 128 })],
    cpuUtilisation: [],
    memoryUtilisation: [],
    provenance: [from],
    conflicts: [],
    ...overrides,
  };
}

export const disk = (overrides: Partial<Disk> & { id: string; sizeGiB: number }): Disk => ({ ...overrides });

export const samples = (...values: number[]) =>
  values.map((value, row) => ({ value, from: { ...from, row: row + 2 } }));

export function connection(
  from: string,
  to: string,
  port: number,
  observations = 1,
  extra: Partial<Connection> = {},
): Connection {
  return {
    source: { serverId: from, name: from },
    destination: { serverId: to, name: to },
    port,
    observations,
    ...extra,
  };
}
