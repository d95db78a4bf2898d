/**
 * Azure Migrate "import servers" CSV (Microsoft Learn, tutorial-discover-import): UTF-8 with BOM, '*'
 * marks the required headers, per-disk figures in "Disk N …" column blocks, N = 1…20.
 *
 * Platform: "Server type" is "Physical" or "Virtual", "Hypervisor" one of "VMware", "Hyper-V", "Xen",
 * "AWS", "GCP", "Other" (the template's published values). AWS/GCP machines are those clouds' VMs
 * whatever Server type says; otherwise Physical → physical, Hyper-V → hyper-v, VMware → vmware,
 * Xen/Other → other; a virtual server with no hypervisor stays unspecified (read as VMware).
 * Identity: "Virtual machine ID" (vCenter InstanceUuid, or the Hyper-V VM ID), "BIOS ID", "MAC address".
 * "Virtual machine manager ID" is the vCenter's InstanceUuid, not its host name, so it is not taken as
 * the vCenter (which names the Azure Migrate machine).
 */
import {
  boolean,
  decimal,
  ipList,
  machineIdPart,
  macList,
  oneOf,
  text,
  vmName,
  wholeNumber,
} from './cells.ts';
import { column, readRecords, required } from './columns.ts';
import type { Disk, Platform } from './estate-schema.ts';
import type { IssueLog } from './issues.ts';
import { provenance, type Collected } from './observations.ts';
import { headerIndex, locationOf, normalizeHeader, type Table } from './table.ts';

export const MAX_IMPORT_DISKS = 20;
const MAX_GB = 64 * 1024;
const MAX_OPS = 10_000_000;
const MAX_MBPS = 1_000_000;

const machine = {
  name: required('Server name', vmName),
  ips: column('IP addresses', ipList, { aliases: ['IP address'] }),
  cores: required('Cores', wholeNumber(1, 1024)),
  memoryMB: required('Memory (In MB)', wholeNumber(1, 64 * 1024 * 1024)),
  osName: required('OS name', text()),
  osVersion: column('OS version', text()),
  osArchitecture: column('OS architecture', oneOf(['x64', 'x86', 'amd64', '32-bit', '64-bit'])),
  serverType: column('Server type', oneOf(['Virtual', 'Physical'])),
  hypervisor: column(
    'Hypervisor',
    oneOf(['VMware', 'Hyper-V', 'Xen', 'AWS', 'GCP', 'Other'], {
      hyperv: 'Hyper-V',
      'microsoft hyper-v': 'Hyper-V',
    }),
  ),
  cpuPct: column('CPU utilization percentage', decimal(0, 100)),
  memoryPct: column('Memory utilization percentage', decimal(0, 100)),
  nics: column('Network adapters', wholeNumber(0, 64)),
  bootType: column('Boot type', oneOf(['BIOS', 'UEFI'], { efi: 'UEFI' })),
  firmware: column('Firmware type', oneOf(['BIOS', 'UEFI'], { efi: 'UEFI' })),
  diskCount: column('Number of disks', wholeNumber(0, 256)),
  storageInUseGB: column('Storage in use (In GB)', decimal(0, MAX_GB * 64)),
  readOps: column('Total disks read operations per second', decimal(0, MAX_OPS)),
  writeOps: column('Total disks write operations per second', decimal(0, MAX_OPS)),
  readMBps: column('Total disks read throughput (MB per second)', decimal(0, MAX_MBPS)),
  writeMBps: column('Total disks write throughput (MB per second)', decimal(0, MAX_MBPS)),
  vmId: column('Virtual machine ID', machineIdPart('VM UUID', 64), { aliases: ['Hypervisor VM ID'] }),
  biosId: column('BIOS ID', text(64), { lenient: true, aliases: ['BIOS GUID'] }),
  macs: column('MAC address', macList, { lenient: true, aliases: ['MAC addresses'] }),
  poweredOn: column('Powered on', boolean),
};

const diskColumns = (n: number) => ({
  sizeGB: column(`Disk ${n} size (In GB)`, decimal(0, MAX_GB)),
  readMBps: column(`Disk ${n} read throughput (MB per second)`, decimal(0, MAX_MBPS)),
  writeMBps: column(`Disk ${n} write throughput (MB per second)`, decimal(0, MAX_MBPS)),
  readOps: column(`Disk ${n} read ops (operations per second)`, decimal(0, MAX_OPS)),
  writeOps: column(`Disk ${n} write ops (operations per second)`, decimal(0, MAX_OPS)),
});

/** Disk numbers present in the header; a block past 20 is an error (the template stops at 20). */
function diskNumbers(table: Table, log: IssueLog): number[] {
  const numbers = new Set<number>();
  for (const header of table.header) {
    const match = /^disk (\d+) /.exec(normalizeHeader(header));
    if (match?.[1] === undefined) continue;
    const n = Number(match[1]);
    if (n < 1 || n > MAX_IMPORT_DISKS) {
      log.error(
        locationOf(table, table.headerLine, header.trim()),
        `disk column blocks must be numbered 1 to ${MAX_IMPORT_DISKS}`,
      );
    } else numbers.add(n);
  }
  return [...numbers].sort((a, b) => a - b);
}

const platformOf = (serverType?: 'Virtual' | 'Physical', hypervisor?: string): Platform | undefined => {
  if (hypervisor === 'AWS') return 'aws';
  if (hypervisor === 'GCP') return 'gcp';
  if (serverType === 'Physical') return 'physical';
  if (hypervisor === 'Hyper-V') return 'hyper-v';
  if (hypervisor === 'VMware') return 'vmware';
  if (hypervisor === 'Xen' || hypervisor === 'Other') return 'other';
  return undefined;
};

/**
 * The OS as one string. Templates often repeat the version in the name ("Red Hat Enterprise Linux 7.1"
 * with OS version "7.1"); the version is appended only when the name does not already hold it.
 */
export function osOf(name: string, version?: string): string {
  if (version === undefined) return name;
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s(])${escaped}($|[\\s)])`, 'i').test(name) ? name : `${name} ${version}`;
}

export function readAzureMigrateImport(table: Table, log: IssueLog, into: Collected): number {
  const numbers = diskNumbers(table, log);
  const index = headerIndex(table);
  for (const n of numbers) {
    if (!index.has(normalizeHeader(`Disk ${n} size (In GB)`))) {
      log.error(
        locationOf(table, table.headerLine, `Disk ${n} size (In GB)`),
        `disk ${n} block needs its size column`,
      );
    }
  }
  const records = readRecords(table, machine, log);
  const diskRecords = numbers.map((n) => ({
    n,
    records: readRecords(table, diskColumns(n), log, { checkWidth: false }),
  }));
  const disksByLine = new Map<number, Disk[]>();
  for (const { n, records: rows } of diskRecords) {
    for (const { line, values: d } of rows) {
      if (d.sizeGB === undefined) continue;
      const disks = disksByLine.get(line) ?? [];
      disks.push({
        id: `disk-${n}`,
        label: `Disk ${n}`,
        sizeGiB: d.sizeGB,
        ...(d.readOps === undefined ? {} : { readIops: d.readOps }),
        ...(d.writeOps === undefined ? {} : { writeIops: d.writeOps }),
        ...(d.readMBps === undefined ? {} : { readMBps: d.readMBps }),
        ...(d.writeMBps === undefined ? {} : { writeMBps: d.writeMBps }),
      });
      disksByLine.set(line, disks);
    }
  }
  for (const { line, values: v } of records) {
    const os = osOf(v.osName, v.osVersion);
    const platform = platformOf(v.serverType, v.hypervisor);
    const is32Bit = v.osArchitecture === 'x86' || v.osArchitecture === '32-bit';
    const firmware = v.firmware ?? v.bootType;
    const disks = disksByLine.get(line) ?? [];
    if (v.diskCount !== undefined && disks.length > 0 && v.diskCount !== disks.length) {
      log.warn(
        locationOf(table, line, 'Number of disks'),
        `says ${v.diskCount} disks but ${disks.length} disk blocks are filled; the blocks are used`,
        String(v.diskCount),
      );
    }
    into.servers.push({
      ref: {
        name: v.name,
        ...(v.vmId === undefined ? {} : { uuid: v.vmId }),
        ...(v.biosId === undefined ? {} : { biosUuid: v.biosId }),
        ...(v.macs === undefined || v.macs.length === 0 ? {} : { macs: v.macs }),
      },
      source: 'azure-migrate-import',
      from: provenance(table.file, table.sheet, line),
      ...(platform === undefined ? {} : { platform }),
      ...(v.macs === undefined || v.macs.length === 0 ? {} : { macs: v.macs }),
      os: is32Bit && !/32-bit|x86/i.test(os) ? `${os} (32-bit)` : os,
      cpus: v.cores,
      memoryMiB: v.memoryMB,
      ...(firmware === undefined ? {} : { firmware }),
      ...(v.poweredOn === undefined ? {} : { poweredOn: v.poweredOn }),
      ...(v.nics === undefined ? {} : { nics: v.nics }),
      ...(v.ips === undefined ? {} : { ips: v.ips }),
      ...(v.cpuPct === undefined ? {} : { cpuPct: v.cpuPct }),
      ...(v.memoryPct === undefined ? {} : { memoryPct: v.memoryPct }),
      ...(disks.length === 0 ? {} : { disks }),
      totals: {
        ...(v.readOps === undefined ? {} : { readIops: v.readOps }),
        ...(v.writeOps === undefined ? {} : { writeIops: v.writeOps }),
        ...(v.readMBps === undefined ? {} : { readMBps: v.readMBps }),
        ...(v.writeMBps === undefined ? {} : { writeMBps: v.writeMBps }),
        ...(v.storageInUseGB === undefined ? {} : { usedGiB: v.storageInUseGB }),
      },
    });
  }
  return records.length;
}
