/**
 * RVTools tabs (xlsx sheets or RVTools_tab<name>.csv): vInfo, vDisk, vPartition, vNetwork, vHost.
 * Units are MiB, booleans "True"/"False", dates may be Excel serials. RVTools 3.x wrote "MB" where
 * 4.x writes "MiB"; both are accepted.
 *
 * Identity: "VM UUID" is the vCenter instance UUID (the Server ID Azure Migrate's appliance discovers,
 * vm.Config.InstanceUuid), "SMBIOS UUID" the BIOS UUID the guest sees; "VI SDK Server" the vCenter,
 * "Host" the ESXi host, vNetwork "Mac Address" the adapter's MAC. A VM is its VM UUID when present;
 * otherwise vCenter + name, told apart from a same-named VM by host, BIOS UUID or MACs (merge.ts). The
 * per-VM tabs carry the same columns, so their rows find their VM the same way.
 *
 * Templates (Template = True) are kept with `template: true`, their disks too: assessment flags them
 * as exclude candidates and planning never migrates them.
 */
import {
  boolean,
  date,
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
import type { IssueLog } from './issues.ts';
import { provenance, type Collected, type VmRef } from './observations.ts';
import type { Table } from './table.ts';

const MIB_PER_GIB = 1024;
const MAX_MIB = 1024 ** 3; // 1 PiB: anything larger is a broken cell, not a disk

/** Columns shared by every per-VM tab. */
const vmIdentity = {
  vm: required('VM', vmName),
  uuid: column('VM UUID', machineIdPart('VM UUID', 64)),
  biosUuid: column('SMBIOS UUID', text(64), { lenient: true }),
  vcenter: column('VI SDK Server', machineIdPart('vCenter', 255)),
  host: column('Host', text(255)),
  template: column('Template', boolean),
};

const vInfo = {
  ...vmIdentity,
  powerstate: column('Powerstate', oneOf(['poweredOn', 'poweredOff', 'suspended'])),
  cpus: required('CPUs', wholeNumber(1, 1024)),
  memoryMiB: required('Memory', wholeNumber(1, 64 * 1024 * 1024)),
  nics: column('NICs', wholeNumber(0, 64)),
  primaryIp: column('Primary IP Address', ipList),
  firmware: column('Firmware', oneOf(['bios', 'efi'])),
  osConfig: column('OS according to the configuration file', text()),
  osTools: column('OS according to the VMware Tools', text()),
  created: column('Creation date', date),
  inUseMiB: column('In Use MiB', decimal(0, MAX_MIB), { aliases: ['In Use MB'] }),
  datacenter: column('Datacenter', text(255)),
  cluster: column('Cluster', text(255)),
};

const vDisk = {
  ...vmIdentity,
  disk: required('Disk', text(255)),
  key: column('Disk Key', text(64)),
  capacityMiB: required('Capacity MiB', decimal(0, MAX_MIB), ['Capacity MB']),
  raw: column('Raw', boolean),
  sharing: column('Sharing mode', text(64)),
  sharedBus: column('Shared Bus', text(64)),
};

const vPartition = {
  ...vmIdentity,
  disk: required('Disk', text(255)),
  consumedMiB: required('Consumed MiB', decimal(0, MAX_MIB), ['Consumed MB']),
};

const vNetwork = {
  ...vmIdentity,
  ipv4: column('IPv4 Address', ipList),
  ipv6: column('IPv6 Address', ipList),
  macs: column('Mac Address', macList, { lenient: true }),
};

const vHost = {
  host: required('Host', text(255)),
  cluster: column('Cluster', text(255)),
  cores: column('# Cores', wholeNumber(1, 100_000)),
  memoryMiB: column('# Memory', decimal(0, MAX_MIB)),
  cpuUsagePct: column('CPU usage %', decimal(0, 100)),
  esxVersion: column('ESX Version', text()),
  vcenter: column('VI SDK Server', text(255)),
};

export const rvtoolsTabs = ['vInfo', 'vDisk', 'vPartition', 'vNetwork', 'vHost'] as const;
export type RvtoolsTab = (typeof rvtoolsTabs)[number];

const ref = (values: {
  vm: string;
  uuid?: string | undefined;
  biosUuid?: string | undefined;
  vcenter?: string | undefined;
  host?: string | undefined;
}): VmRef => ({
  name: values.vm,
  ...(values.uuid === undefined ? {} : { uuid: values.uuid }),
  ...(values.biosUuid === undefined ? {} : { biosUuid: values.biosUuid }),
  ...(values.vcenter === undefined ? {} : { vcenter: values.vcenter }),
  ...(values.host === undefined ? {} : { host: values.host }),
});

/** RVTools keeps the configured OS and the one VMware Tools reports; Tools is the live truth. */
const pickOs = (tools?: string, config?: string) => tools ?? config;

export function readRvtools(tab: RvtoolsTab, table: Table, log: IssueLog, into: Collected): number {
  const at = (line: number) => provenance(table.file, table.sheet, line);
  switch (tab) {
    case 'vInfo': {
      const records = readRecords(table, vInfo, log);
      for (const { line, values: v } of records) {
        const os = pickOs(v.osTools, v.osConfig);
        into.servers.push({
          ref: ref(v),
          source: 'rvtools',
          from: at(line),
          ...(v.template === undefined ? {} : { template: v.template }),
          ...(os === undefined ? {} : { os }),
          cpus: v.cpus,
          memoryMiB: v.memoryMiB,
          ...(v.firmware === undefined ? {} : { firmware: v.firmware === 'efi' ? 'UEFI' : 'BIOS' }),
          ...(v.powerstate === undefined ? {} : { poweredOn: v.powerstate === 'poweredOn' }),
          ...(v.nics === undefined ? {} : { nics: v.nics }),
          ...(v.primaryIp === undefined ? {} : { ips: v.primaryIp }),
          ...(v.datacenter === undefined ? {} : { datacenter: v.datacenter }),
          ...(v.cluster === undefined ? {} : { cluster: v.cluster }),
          ...(v.host === undefined ? {} : { host: v.host }),
          ...(v.created === undefined ? {} : { createdOn: v.created }),
          ...(v.inUseMiB === undefined ? {} : { totals: { usedGiB: v.inUseMiB / MIB_PER_GIB } }),
        });
      }
      return records.length;
    }
    case 'vDisk': {
      const records = readRecords(table, vDisk, log);
      for (const { line, values: v } of records) {
        const shared =
          (v.sharing !== undefined && /multi/i.test(v.sharing)) ||
          (v.sharedBus !== undefined && !/^(none|nosharing)$/i.test(v.sharedBus));
        into.disks.push({
          ref: ref(v),
          source: 'rvtools',
          from: at(line),
          disk: {
            id: v.key ?? v.disk,
            label: v.disk,
            sizeGiB: v.capacityMiB / MIB_PER_GIB,
            ...(v.raw === undefined ? {} : { raw: v.raw }),
            ...(shared ? { shared: true } : {}),
          },
        });
      }
      return records.length;
    }
    case 'vPartition': {
      const records = readRecords(table, vPartition, log);
      for (const { line, values: v } of records) {
        into.partitions.push({ ref: ref(v), from: at(line), consumedMiB: v.consumedMiB });
      }
      return records.length;
    }
    case 'vNetwork': {
      const records = readRecords(table, vNetwork, log);
      for (const { line, values: v } of records) {
        const ips = [...(v.ipv4 ?? []), ...(v.ipv6 ?? [])];
        const macs = v.macs ?? [];
        if (ips.length > 0 || macs.length > 0) into.nics.push({ ref: ref(v), from: at(line), ips, macs });
      }
      return records.length;
    }
    case 'vHost': {
      const records = readRecords(table, vHost, log);
      for (const { line, values: v } of records) {
        into.hosts.push({
          name: v.host,
          ...(v.vcenter === undefined ? {} : { vcenter: v.vcenter }),
          ...(v.cluster === undefined ? {} : { cluster: v.cluster }),
          ...(v.cores === undefined ? {} : { cores: v.cores }),
          ...(v.memoryMiB === undefined ? {} : { memoryMiB: v.memoryMiB }),
          ...(v.cpuUsagePct === undefined ? {} : { cpuUsagePct: v.cpuUsagePct }),
          ...(v.esxVersion === undefined ? {} : { esxVersion: v.esxVersion }),
          from: at(line),
        });
      }
      return records.length;
    }
  }
}

/** Header names that identify each tab when the file or sheet name does not. */
export const rvtoolsSignatures: Record<RvtoolsTab, readonly string[]> = {
  vInfo: ['vm', 'cpus'],
  vDisk: ['vm', 'disk', 'capacity mib'],
  vPartition: ['vm', 'disk', 'consumed mib'],
  vNetwork: ['vm', 'nic label'],
  vHost: ['host', '# cores'],
};
