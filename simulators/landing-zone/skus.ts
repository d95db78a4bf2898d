/**
 * The VM sizes the simulator offers (`Microsoft.Compute/skus`) and the regional vCPU usage it reports
 * (`Microsoft.Compute/locations/{location}/usages`). Sizes come from the sizer's catalogue; each size's
 * quota family is the usage name Azure counts it under (the SKU's `family`).
 */
import { vmSkus, type VmSku } from '../../domain/data/azure-vm-skus.ts';
import type { Simulation } from '../simulation.ts';

/** The catalogue's series → Azure's quota family (the `family` of the resource SKU and the usage name). */
const quotaFamilies: Record<string, { family: string; label: string }> = {
  Bsv1: { family: 'standardBSFamily', label: 'Standard BS Family vCPUs' },
  Dsv5: { family: 'standardDSv5Family', label: 'Standard DSv5 Family vCPUs' },
  Esv5: { family: 'standardESv5Family', label: 'Standard ESv5 Family vCPUs' },
  Fsv2: { family: 'standardFSv2Family', label: 'Standard FSv2 Family vCPUs' },
  M: { family: 'standardMSFamily', label: 'Standard MS Family vCPUs' },
  Mv2: { family: 'standardMSv2Family', label: 'Standard MSv2 Family vCPUs' },
};

/** Regional totals Azure reports next to the families. */
export const regionalUsages = {
  cores: 'Total Regional vCPUs',
  virtualMachines: 'Virtual Machines',
} as const;

export const quotaFamilyOf = (sku: VmSku) =>
  quotaFamilies[sku.family] ?? {
    family: `standard${sku.family}Family`,
    label: `Standard ${sku.family} Family vCPUs`,
  };

/** Every usage name the simulator reports, with its display name. */
export function usageNames(): { name: string; label: string }[] {
  const families = new Map(vmSkus.map((sku) => [quotaFamilyOf(sku).family, quotaFamilyOf(sku).label]));
  return [
    ...Object.entries(regionalUsages).map(([name, label]) => ({ name, label })),
    ...[...families].map(([name, label]) => ({ name, label })),
  ];
}

const skuByName = new Map(vmSkus.map((sku) => [sku.name.toLowerCase(), sku]));

/** Current use per usage name in a region: the vCPUs (and count) of the VMs the simulator runs there. */
export function currentUsage(sim: Simulation, location: string): Record<string, number> {
  const used: Record<string, number> = {};
  const add = (name: string, n: number) => (used[name] = (used[name] ?? 0) + n);
  for (const vm of Object.values(sim.state.targetVms)) {
    if (vm.location.toLowerCase() !== location.toLowerCase()) continue;
    add('virtualMachines', 1);
    const sku = skuByName.get(vm.vmSize.toLowerCase());
    if (!sku) continue;
    add('cores', sku.vcpus);
    add(quotaFamilyOf(sku).family, sku.vcpus);
  }
  return used;
}

/** A `ResourceSku` as `Microsoft.Compute/skus` (2021-07-01) lists it for a region. */
export function resourceSku(sku: VmSku, location: string) {
  const name = sku.name;
  return {
    resourceType: 'virtualMachines',
    name,
    tier: 'Standard',
    size: name.replace(/^Standard_/, ''),
    family: quotaFamilyOf(sku).family,
    locations: [location],
    locationInfo: [{ location, zones: ['1', '2', '3'], zoneDetails: [] }],
    capabilities: [
      { name: 'vCPUs', value: String(sku.vcpus) },
      { name: 'vCPUsAvailable', value: String(sku.vcpus) },
      { name: 'MemoryGB', value: String(sku.memoryGiB) },
      { name: 'MaxDataDiskCount', value: String(sku.maxDataDisks) },
      { name: 'UncachedDiskIOPS', value: String(sku.maxIops) },
      { name: 'UncachedDiskBytesPerSecond', value: String(Math.round(sku.maxMBps * 1024 * 1024)) },
      { name: 'PremiumIO', value: 'True' },
      { name: 'HyperVGenerations', value: 'V1,V2' },
    ],
    restrictions: [],
  };
}

export const offeredSkus = (): readonly VmSku[] => vmSkus;
