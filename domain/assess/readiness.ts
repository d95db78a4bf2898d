/**
 * Per-VM readiness for Site Recovery VMware → Azure migration: Ready, Conditionally ready, Not ready
 * or Unknown, each finding with its reason and remediation. The worst finding sets the status; an
 * Unknown (missing data) only shows when nothing is Not ready.
 */
import { siteRecoveryLimits as limits } from '../data/site-recovery-limits.ts';
import type { Server } from '../inventory/estate-schema.ts';
import { recogniseOs } from './operating-system.ts';

export const readinessStates = ['Ready', 'Conditionally ready', 'Not ready', 'Unknown'] as const;
export type Readiness = (typeof readinessStates)[number];

export interface Finding {
  check:
    'os' | 'end-of-support' | 'boot' | 'disk-size' | 'disk-count' | 'churn' | 'iops' | 'disk-type' | 'data';
  status: Exclude<Readiness, 'Ready'>;
  reason: string;
  remediation: string;
}

export interface VmReadiness {
  serverId: string;
  status: Readiness;
  os?: { product: string; endOfSupport: string; source: string };
  findings: Finding[];
}

const severity: Record<Readiness, number> = {
  Ready: 0,
  'Conditionally ready': 1,
  Unknown: 2,
  'Not ready': 3,
};

export const worst = (statuses: readonly Readiness[]): Readiness =>
  statuses.reduce<Readiness>((a, b) => (severity[b] > severity[a] ? b : a), 'Ready');

/** @param asOf ISO date the end-of-support check compares against (the assessment date). */
export function assessReadiness(server: Server, asOf: string): VmReadiness {
  const findings: Finding[] = [];
  const os = recogniseOs(server.os);
  const add = (finding: Finding) => findings.push(finding);

  if (os.is32Bit) {
    add({
      check: 'os',
      status: 'Not ready',
      reason: `32-bit guest OS (${server.os ?? ''})`,
      remediation: 'Site Recovery replicates 64-bit guests only: upgrade to a 64-bit OS or rebuild in Azure.',
    });
  }
  if (os.entry === undefined) {
    add({
      check: 'os',
      status: 'Unknown',
      reason: server.os === undefined ? 'guest OS not reported' : `guest OS "${server.os}" not recognised`,
      remediation:
        'Install or update VMware Tools, or add the OS name to the Azure Migrate import CSV, then re-import.',
    });
  } else if (!os.entry.siteRecoverySupported) {
    add({
      check: 'os',
      status: 'Not ready',
      reason: `${os.entry.product} is not supported by Site Recovery`,
      remediation: 'Upgrade the OS in place before migration, or rebuild the workload on a supported OS.',
    });
  } else if (os.entry.endOfSupport <= asOf) {
    const esu = os.entry.azureEsuUntil;
    add({
      check: 'end-of-support',
      status: 'Conditionally ready',
      reason: `${os.entry.product} support ended ${os.entry.endOfSupport}`,
      remediation:
        esu !== undefined && esu > asOf
          ? `Migrating to Azure gives free Extended Security Updates until ${esu}; plan the OS upgrade before then.`
          : 'Upgrade the OS (before or right after migration); it receives no security fixes.',
    });
  }
  if (
    server.firmware === 'UEFI' &&
    os.entry?.family === 'windows' &&
    /2008|windows 7/i.test(os.entry.product)
  ) {
    add({
      check: 'boot',
      status: 'Not ready',
      reason: `UEFI boot with ${os.entry.product}`,
      remediation:
        'Azure Generation 2 VMs need Windows Server 2012 or later: upgrade the OS or convert to BIOS boot.',
    });
  }

  if (server.disks.length === 0) {
    add({
      check: 'data',
      status: 'Unknown',
      reason: 'no disk inventory for this VM',
      remediation: 'Import the RVTools vDisk tab or Azure Migrate disk columns.',
    });
  }
  const [osDisk, ...dataDisks] = server.disks;
  const osLimit = limits.maxOsDiskGiB[server.firmware ?? 'BIOS'];
  if (osDisk !== undefined && osDisk.sizeGiB > osLimit) {
    add({
      check: 'disk-size',
      status: 'Not ready',
      reason: `OS disk ${Math.round(osDisk.sizeGiB)} GiB exceeds ${osLimit} GiB`,
      remediation: 'Shrink the OS disk or move data to a data disk before replication.',
    });
  }
  for (const disk of server.disks) {
    const label = disk.label ?? disk.id;
    if (disk !== osDisk && disk.sizeGiB > limits.maxDataDiskGiB) {
      add({
        check: 'disk-size',
        status: 'Not ready',
        reason: `${label} is ${Math.round(disk.sizeGiB)} GiB, above the ${limits.maxDataDiskGiB} GiB managed-disk limit`,
        remediation: 'Split the volume across several disks or move the data to Azure Files / Blob storage.',
      });
    }
    if (disk.sizeGiB < limits.minDiskGiB) {
      add({
        check: 'disk-size',
        status: 'Not ready',
        reason: `${label} is smaller than 1 GiB`,
        remediation: 'Exclude the disk from replication or grow it to 1 GiB.',
      });
    }
    if (disk.shared === true) {
      add({
        check: 'disk-type',
        status: 'Not ready',
        reason: `${label} is a shared (multi-writer) disk`,
        remediation:
          'Shared cluster disks are not replicated: rebuild the cluster in Azure with Azure shared disks.',
      });
    }
    if (disk.raw === true) {
      add({
        check: 'disk-type',
        status: 'Conditionally ready',
        reason: `${label} is a raw device mapping`,
        remediation:
          'Replicate with the Mobility agent (agentless replication excludes RDM disks) and validate after test failover.',
      });
    }
    const churn = disk.writeMBps ?? 0;
    if (churn > limits.maxDiskChurnMBps) {
      add({
        check: 'churn',
        status: 'Not ready',
        reason: `${label} writes ${churn} MB/s, above the ${limits.maxDiskChurnMBps} MB/s a Premium disk replicates`,
        remediation:
          'Reduce write churn (move logs/temp data off the disk) or migrate the data with application-level replication.',
      });
    } else if (churn > limits.smallDiskChurnMBps) {
      add({
        check: 'churn',
        status: 'Conditionally ready',
        reason: `${label} writes ${churn} MB/s`,
        remediation: 'Target a Premium SSD of P20 or larger so Site Recovery keeps up with the churn.',
      });
    }
    const iops = (disk.readIops ?? 0) + (disk.writeIops ?? 0);
    if (iops > limits.maxDiskIops) {
      add({
        check: 'iops',
        status: 'Not ready',
        reason: `${label} does ${Math.round(iops)} IOPS, above ${limits.maxDiskIops}`,
        remediation: 'Spread the load over more disks or use application-level replication.',
      });
    }
  }
  if (dataDisks.length > limits.maxDataDisks) {
    add({
      check: 'disk-count',
      status: 'Not ready',
      reason: `${dataDisks.length} data disks, above ${limits.maxDataDisks}`,
      remediation: 'Consolidate volumes onto fewer, larger disks.',
    });
  }
  const vmChurn = server.disks.reduce((s, d) => s + (d.writeMBps ?? 0), 0) || (server.io?.writeMBps ?? 0);
  if (vmChurn > limits.maxVmPeakChurnMBps) {
    add({
      check: 'churn',
      status: 'Not ready',
      reason: `VM writes ${vmChurn.toFixed(1)} MB/s in total, above ${limits.maxVmPeakChurnMBps} MB/s`,
      remediation: 'Exclude temp/page-file disks from replication or reduce churn before migrating.',
    });
  } else if (vmChurn > limits.maxVmAverageChurnMBps) {
    add({
      check: 'churn',
      status: 'Conditionally ready',
      reason: `VM writes ${vmChurn.toFixed(1)} MB/s in total`,
      remediation: `Sustained churn above ${limits.maxVmAverageChurnMBps} MB/s risks RPO: give the VM a dedicated process server.`,
    });
  }
  const vmIops = server.disks.reduce((s, d) => s + (d.readIops ?? 0) + (d.writeIops ?? 0), 0);
  if (vmIops > limits.maxVmIops) {
    add({
      check: 'iops',
      status: 'Not ready',
      reason: `VM does ${Math.round(vmIops)} IOPS, above ${limits.maxVmIops}`,
      remediation: 'Use application-level replication for this workload.',
    });
  }
  return {
    serverId: server.id,
    status: worst(findings.map((f) => f.status)),
    ...(os.entry === undefined
      ? {}
      : { os: { product: os.entry.product, endOfSupport: os.entry.endOfSupport, source: os.entry.source } }),
    findings,
  };
}
