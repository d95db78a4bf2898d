/**
 * Azure Migrate assessment export (xlsx): sheets All_Assessed_Machines and All_Assessed_Disks.
 * Only source facts are taken (OS, cores, memory, utilisation, disks); Azure Migrate's own
 * readiness and size recommendation are re-derived by `factory assess`.
 */
import { decimal, ipList, oneOf, text, wholeNumber } from './cells.ts';
import { column, readRecords, required } from './columns.ts';
import type { IssueLog } from './issues.ts';
import { provenance, type Collected } from './observations.ts';
import type { Table } from './table.ts';

const MAX_OPS = 10_000_000;

const machines = {
  machine: required('Machine', text(255)),
  os: column('Operating system', text()),
  bootType: column('Boot type', oneOf(['BIOS', 'UEFI'], { efi: 'UEFI' })),
  cores: required('Cores', wholeNumber(1, 1024)),
  memoryMB: required('Memory(MB)', wholeNumber(1, 64 * 1024 * 1024), ['Memory (MB)']),
  cpuPct: column('CPU usage(%)', decimal(0, 100), { aliases: ['CPU usage (%)'] }),
  memoryPct: column('Memory usage(%)', decimal(0, 100), { aliases: ['Memory usage (%)'] }),
  storageGB: column('Storage(GB)', decimal(0, 1e9), { aliases: ['Storage (GB)'] }),
  nics: column('Network adapters', wholeNumber(0, 64)),
  ips: column('IP address', ipList),
};

const disks = {
  machine: required('Machine', text(255)),
  disk: required('Disk name', text(255)),
  sizeGB: required('Source disk size(GB)', decimal(0, 64 * 1024), ['Source disk size (GB)']),
  readOps: column('Disk read(ops/sec)', decimal(0, MAX_OPS), { aliases: ['Disk read (ops/sec)'] }),
  writeOps: column('Disk write(ops/sec)', decimal(0, MAX_OPS), { aliases: ['Disk write (ops/sec)'] }),
  readMBps: column('Disk read(MBPS)', decimal(0, 1e6), { aliases: ['Disk read (MBPS)'] }),
  writeMBps: column('Disk write(MBPS)', decimal(0, 1e6), { aliases: ['Disk write (MBPS)'] }),
};

export function readAssessedMachines(table: Table, log: IssueLog, into: Collected): number {
  const records = readRecords(table, machines, log);
  for (const { line, values: v } of records) {
    into.servers.push({
      ref: { name: v.machine },
      source: 'azure-migrate-assessment',
      from: provenance(table.file, table.sheet, line),
      ...(v.os === undefined ? {} : { os: v.os }),
      cpus: v.cores,
      memoryMiB: v.memoryMB,
      ...(v.bootType === undefined ? {} : { firmware: v.bootType }),
      ...(v.cpuPct === undefined ? {} : { cpuPct: v.cpuPct }),
      ...(v.memoryPct === undefined ? {} : { memoryPct: v.memoryPct }),
      ...(v.nics === undefined ? {} : { nics: v.nics }),
      ...(v.ips === undefined ? {} : { ips: v.ips }),
      ...(v.storageGB === undefined ? {} : { totals: { usedGiB: v.storageGB } }),
    });
  }
  return records.length;
}

export function readAssessedDisks(table: Table, log: IssueLog, into: Collected): number {
  const records = readRecords(table, disks, log);
  for (const { line, values: v } of records) {
    into.disks.push({
      ref: { name: v.machine },
      source: 'azure-migrate-assessment',
      from: provenance(table.file, table.sheet, line),
      disk: {
        id: v.disk,
        label: v.disk,
        sizeGiB: v.sizeGB,
        ...(v.readOps === undefined ? {} : { readIops: v.readOps }),
        ...(v.writeOps === undefined ? {} : { writeIops: v.writeOps }),
        ...(v.readMBps === undefined ? {} : { readMBps: v.readMBps }),
        ...(v.writeMBps === undefined ? {} : { writeMBps: v.writeMBps }),
      },
    });
  }
  return records.length;
}
