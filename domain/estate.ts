/** Source-side facts about the VMware estate that the factory migrates. Pure data, no I/O. */

export type Tier = 'db' | 'app' | 'web';

export interface SourceDisk {
  /** vCenter disk key, stable per VM (e.g. "2000"). */
  id: string;
  sizeGiB: number;
  usedGiB: number;
}

export interface SourceVm {
  name: string;
  /** vCenter instance UUID: the identity Azure Migrate discovery keys machines by. */
  uuid: string;
  os: string;
  cpus: number;
  memoryMiB: number;
  disks: SourceDisk[];
  /** Average write churn in MiB per day; drives RPO and appliance load. */
  churnMiBPerDay: number;
  application: string;
  tier: Tier;
}

export interface ReplicationAppliance {
  name: string;
  /** Uplink share this appliance can push to Azure, in Mbit/s. */
  bandwidthMbps: number;
}

export interface SourceSite {
  vcenter: string;
  /** Azure Migrate VMware site name (Microsoft.OffAzure/VMwareSites/{name}). */
  vmwareSiteName: string;
  appliances: ReplicationAppliance[];
  /** Site uplink to Azure shared by all appliances, in Mbit/s. */
  uplinkMbps: number;
  vms: SourceVm[];
}

export const usedBytes = (vm: SourceVm): number =>
  vm.disks.reduce((sum, disk) => sum + disk.usedGiB * 1024 ** 3, 0);

/**
 * ARM id of the Azure Migrate discovered machine for a VM. Azure Migrate names machines
 * "<vcenter with dashes>_<instance uuid>"; Site Recovery's InMageRcm enable input refers to it.
 */
export function discoveredMachineId(
  subscriptionId: string,
  resourceGroup: string,
  site: Pick<SourceSite, 'vcenter' | 'vmwareSiteName'>,
  vm: Pick<SourceVm, 'uuid'>,
): string {
  const machine = `${site.vcenter.replace(/\./g, '-')}_${vm.uuid}`;
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.OffAzure/VMwareSites/${site.vmwareSiteName}/machines/${machine}`;
}
