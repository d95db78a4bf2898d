/**
 * Optimize: the activities the optimization workflow calls to read what a migrated VM really uses
 * (Azure Monitor metrics) and to change its size or power state (Microsoft.Compute). Each is idempotent:
 * a repeated `resizeVm` to the size a VM already has changes nothing, a deallocate of a deallocated VM
 * returns at once.
 */

export interface MeasuredVmRef {
  name: string;
  /** ARM id of the migrated Azure VM. */
  vmId: string;
}

/** One VM's measured use over the observation period, at the assessment's percentile. */
export interface MeasuredUsage {
  name: string;
  vmId: string;
  /** Start and end of the samples read (ISO 8601). */
  from: string;
  to: string;
  percentile: number;
  /** Share of the period's expected samples present, 0…1, per counter. */
  coverage: { cpu: number; memory: number; disk: number; network: number };
  /** Undefined where the counter had no sample at all. */
  cpuPercent?: number;
  /** Memory in use, MiB (total minus the agent's `Available Memory Bytes`). */
  memoryUsedMiB?: number;
  diskIops?: number;
  diskMBps?: number;
  networkMbps?: number;
}

export interface VmComputeState {
  vmId: string;
  vmSize: string;
  /** `PowerState/running`, `PowerState/deallocated`, … as the instance view reports it. */
  powerState: string;
  provisioningState: string;
  /** Tags on the VM (the landing step's tags prove the factory migrated it). */
  tags: Record<string, string>;
}

export interface OptimizeActivities {
  readVmUsage(input: {
    vms: MeasuredVmRef[];
    from: string;
    to: string;
    percentile: number;
  }): Promise<MeasuredUsage[]>;
  readVmState(input: { vmId: string }): Promise<VmComputeState>;
  /** Deallocates, sets `hardwareProfile.vmSize`, starts; returns the size it had before. */
  resizeVm(input: { vmId: string; vmSize: string }): Promise<{ previousSize: string; vmSize: string }>;
  setVmPower(input: { vmId: string; power: 'start' | 'deallocate' }): Promise<VmComputeState>;
}
