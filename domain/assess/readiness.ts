/**
 * Per-VM readiness for VMware → Azure migration with Site Recovery: Ready, Conditionally ready, Not
 * ready or Unknown. The OS rules follow Azure Migrate's published Azure VM readiness (so our status
 * agrees with Azure Migrate's column); Site Recovery's stricter limits (replicable OSes, disk sizes,
 * churn, IOPS) come on top and say so in their `basis`, so every disagreement is explainable. Each
 * finding has a code, a reason and a remediation; the worst finding sets the status, and an Unknown
 * (missing data) only shows when nothing is Not ready. End of vendor support is a note, not a finding:
 * Azure Migrate rates end-of-support Windows Server 2008 and later Ready.
 */
import { siteRecoveryLimits as limits } from '../data/site-recovery-limits.ts';
import type { Server } from '../inventory/estate-schema.ts';
import { describeOs, recogniseOs, type OsFacts } from './operating-system.ts';
import { endOfSupportNotes, operatingSystemFindings, uefiFinding } from './os-readiness.ts';

/** Azure Migrate's own disk limit (Ultra disks); Site Recovery's managed-disk limit is lower. */
const azureMigrateMaxDiskGiB = 65_536;

export const readinessStates = ['Ready', 'Conditionally ready', 'Not ready', 'Unknown'] as const;
export type Readiness = (typeof readinessStates)[number];

/**
 * Why a rule applies: `azure-migrate` is Azure Migrate's published Azure VM readiness rule (we agree
 * with Azure Migrate); `site-recovery` and `azure-vm` are stricter rules of the replication path
 * (Site Recovery's support matrix) or of Azure VMs that Azure Migrate's readiness does not apply, so
 * a disagreement with Azure Migrate is expected; `inventory` means our data is missing.
 */
export type RuleBasis = 'azure-migrate' | 'site-recovery' | 'azure-vm' | 'inventory';

export interface Finding {
  check:
    'os' | 'end-of-support' | 'boot' | 'disk-size' | 'disk-count' | 'churn' | 'iops' | 'disk-type' | 'data';
  /** Stable, machine-readable: "os-32-bit", "linux-minor-version-unknown", "disk-churn-vm". */
  code: string;
  status: Exclude<Readiness, 'Ready'>;
  basis: RuleBasis;
  reason: string;
  remediation: string;
}

/** Worth knowing but does not lower readiness (Azure Migrate rates end-of-support Windows Ready). */
export interface ReadinessNote {
  check: 'end-of-support';
  code: string;
  reason: string;
  remediation: string;
}

export interface VmReadiness {
  serverId: string;
  status: Readiness;
  os: {
    text?: string;
    family: OsFacts['family'];
    architecture: OsFacts['architecture'];
    /** "Red Hat Enterprise Linux 7.9", "CentOS 4/5 or later". */
    name?: string;
    distribution?: string;
    release?: string;
    versionHint?: string;
    product?: string;
    endOfSupport?: string;
    source?: string;
  };
  findings: Finding[];
  notes: ReadinessNote[];
}

const severity: Record<Readiness, number> = {
  Ready: 0,
  'Conditionally ready': 1,
  Unknown: 2,
  'Not ready': 3,
};

export const worst = (statuses: readonly Readiness[]): Readiness =>
  statuses.reduce<Readiness>((a, b) => (severity[b] > severity[a] ? b : a), 'Ready');

function osSummary(os: OsFacts): VmReadiness['os'] {
  return {
    ...(os.text === undefined ? {} : { text: os.text }),
    family: os.family,
    architecture: os.architecture,
    ...(os.distribution === undefined ? {} : { name: describeOs(os), distribution: os.distribution.name }),
    ...(os.release === undefined ? {} : { release: os.release }),
    ...(os.versionHint === undefined ? {} : { versionHint: os.versionHint }),
    ...(os.entry === undefined ? {} : { product: os.entry.product }),
    ...(os.entry?.endOfSupport === undefined ? {} : { endOfSupport: os.entry.endOfSupport }),
    ...(os.entry?.source === undefined ? {} : { source: os.entry.source }),
  };
}

/** @param asOf ISO date the end-of-support check compares against (the assessment date). */
export function assessReadiness(server: Server, asOf: string): VmReadiness {
  const os = recogniseOs(server.os);
  const findings = operatingSystemFindings(os);
  const notes = endOfSupportNotes(os, asOf);
  const add = (finding: Finding) => findings.push(finding);
  const bootFinding = uefiFinding(os, server);
  if (bootFinding !== undefined) add(bootFinding);

  if (server.disks.length === 0) {
    add({
      check: 'data',
      code: 'disks-not-reported',
      status: 'Unknown',
      basis: 'inventory',
      reason: 'no disk inventory for this VM',
      remediation: 'Import the RVTools vDisk tab or Azure Migrate disk columns.',
    });
  }
  const [osDisk, ...dataDisks] = server.disks;
  const osLimit = limits.maxOsDiskGiB[server.firmware ?? 'BIOS'];
  if (osDisk !== undefined && osDisk.sizeGiB > osLimit) {
    add({
      check: 'disk-size',
      code: 'disk-os-size',
      status: 'Not ready',
      basis: 'site-recovery',
      reason: `OS disk ${Math.round(osDisk.sizeGiB)} GiB exceeds ${osLimit} GiB`,
      remediation:
        'Shrink the OS disk or move data to a data disk before replication (Site Recovery limit; Azure Migrate checks only the 64 TB disk limit).',
    });
  }
  for (const disk of server.disks) {
    const label = disk.label ?? disk.id;
    if (disk !== osDisk && disk.sizeGiB > limits.maxDataDiskGiB) {
      add({
        check: 'disk-size',
        code: 'disk-data-size',
        status: 'Not ready',
        basis: disk.sizeGiB > azureMigrateMaxDiskGiB ? 'azure-migrate' : 'site-recovery',
        reason: `${label} is ${Math.round(disk.sizeGiB)} GiB, above the ${limits.maxDataDiskGiB} GiB managed-disk limit`,
        remediation: 'Split the volume across several disks or move the data to Azure Files / Blob storage.',
      });
    }
    if (disk.sizeGiB < limits.minDiskGiB) {
      add({
        check: 'disk-size',
        code: 'disk-too-small',
        status: 'Not ready',
        basis: 'site-recovery',
        reason: `${label} is smaller than 1 GiB`,
        remediation: 'Exclude the disk from replication or grow it to 1 GiB.',
      });
    }
    if (disk.shared === true) {
      add({
        check: 'disk-type',
        code: 'disk-shared',
        status: 'Not ready',
        basis: 'site-recovery',
        reason: `${label} is a shared (multi-writer) disk`,
        remediation:
          'Shared cluster disks are not replicated: rebuild the cluster in Azure with Azure shared disks.',
      });
    }
    if (disk.raw === true) {
      add({
        check: 'disk-type',
        code: 'disk-raw-device-mapping',
        status: 'Conditionally ready',
        basis: 'site-recovery',
        reason: `${label} is a raw device mapping`,
        remediation:
          'Replicate with the Mobility agent (agentless replication excludes RDM disks) and validate after test failover.',
      });
    }
    const churn = disk.writeMBps ?? 0;
    if (churn > limits.maxDiskChurnMBps) {
      add({
        check: 'churn',
        code: 'disk-churn',
        status: 'Not ready',
        basis: 'site-recovery',
        reason: `${label} writes ${churn} MB/s, above the ${limits.maxDiskChurnMBps} MB/s a Premium disk replicates`,
        remediation:
          'Reduce write churn (move logs/temp data off the disk) or migrate the data with application-level replication.',
      });
    } else if (churn > limits.smallDiskChurnMBps) {
      add({
        check: 'churn',
        code: 'disk-churn-premium',
        status: 'Conditionally ready',
        basis: 'site-recovery',
        reason: `${label} writes ${churn} MB/s`,
        remediation: 'Target a Premium SSD of P20 or larger so Site Recovery keeps up with the churn.',
      });
    }
    const iops = (disk.readIops ?? 0) + (disk.writeIops ?? 0);
    if (iops > limits.maxDiskIops) {
      add({
        check: 'iops',
        code: 'disk-iops',
        status: 'Not ready',
        basis: 'site-recovery',
        reason: `${label} does ${Math.round(iops)} IOPS, above ${limits.maxDiskIops}`,
        remediation: 'Spread the load over more disks or use application-level replication.',
      });
    }
  }
  if (dataDisks.length > limits.maxDataDisks) {
    add({
      check: 'disk-count',
      code: 'disk-count',
      status: 'Not ready',
      basis: 'azure-migrate',
      reason: `${dataDisks.length} data disks, above ${limits.maxDataDisks}`,
      remediation: 'Consolidate volumes onto fewer, larger disks.',
    });
  }
  const vmChurn = server.disks.reduce((s, d) => s + (d.writeMBps ?? 0), 0) || (server.io?.writeMBps ?? 0);
  if (vmChurn > limits.maxVmPeakChurnMBps) {
    add({
      check: 'churn',
      code: 'vm-churn',
      status: 'Not ready',
      basis: 'site-recovery',
      reason: `VM writes ${vmChurn.toFixed(1)} MB/s in total, above ${limits.maxVmPeakChurnMBps} MB/s`,
      remediation: 'Exclude temp/page-file disks from replication or reduce churn before migrating.',
    });
  } else if (vmChurn > limits.maxVmAverageChurnMBps) {
    add({
      check: 'churn',
      code: 'vm-churn-sustained',
      status: 'Conditionally ready',
      basis: 'site-recovery',
      reason: `VM writes ${vmChurn.toFixed(1)} MB/s in total`,
      remediation: `Sustained churn above ${limits.maxVmAverageChurnMBps} MB/s risks RPO: give the VM a dedicated process server.`,
    });
  }
  const vmIops = server.disks.reduce((s, d) => s + (d.readIops ?? 0) + (d.writeIops ?? 0), 0);
  if (vmIops > limits.maxVmIops) {
    add({
      check: 'iops',
      code: 'vm-iops',
      status: 'Not ready',
      basis: 'site-recovery',
      reason: `VM does ${Math.round(vmIops)} IOPS, above ${limits.maxVmIops}`,
      remediation: 'Use application-level replication for this workload.',
    });
  }
  return {
    serverId: server.id,
    status: worst(findings.map((f) => f.status)),
    os: osSummary(os),
    findings,
    notes,
  };
}
