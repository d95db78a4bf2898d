/**
 * Site Recovery (VMware/physical → Azure) limits used by the readiness checks. Sources:
 * https://learn.microsoft.com/azure/site-recovery/vmware-physical-azure-support-matrix (churn limits,
 * disk sizes and counts, the driver's share of guest RAM; several versions of the page agree) and
 * https://learn.microsoft.com/azure/site-recovery/site-recovery-vmware-deployment-planner-analyze-report
 * ("Incompatible VMs": source IOPS above 7,500 per disk or 80,000 per VM).
 */
export const siteRecoveryLimits = {
  maxOsDiskGiB: { BIOS: 2048, UEFI: 4096 },
  maxDataDiskGiB: 32_767,
  minDiskGiB: 1,
  maxDataDisks: 64,
  /** Average churn a Premium P20–P50 target disk absorbs (≥16 KB I/O); beyond it, not replicable. */
  maxDiskChurnMBps: 20,
  /** Average churn of Standard and Premium P10/P15 targets (≥32 KB I/O): above it, needs P20+. */
  smallDiskChurnMBps: 8,
  /** Peak churn across all disks of one VM. */
  maxVmPeakChurnMBps: 54,
  /** Average churn across all disks of one VM, as one version of the matrix lists it. */
  maxVmAverageChurnMBps: 25,
  maxDiskIops: 7_500,
  maxVmIops: 80_000,
  /** Site Recovery's driver uses about 6 % of guest RAM. */
  driverMemoryShare: 0.06,
  source: 'MicrosoftDocs/azure-docs articles/site-recovery/vmware-physical-azure-support-matrix.md',
} as const;
