/**
 * Sizes a VM to the cheapest Azure size from the shipped catalog, Azure Migrate style:
 * performance-based = chosen percentile of utilisation × comfort factor; as-on-premises = allocated
 * cores and memory. Disks are sized from their IOPS/throughput in both modes. Confidence (1-5 stars)
 * reflects how many of the expected metrics were present (performance-based only).
 */
import { diskTiers, type DiskTier, type DiskType } from '../data/managed-disks.ts';
import { skuCatalogInfo, vmSkus, type VmSku } from '../data/azure-vm-skus.ts';
import type { Disk, Server } from '../inventory/estate-schema.ts';
import type { OsFacts } from './operating-system.ts';
import { percentile } from './percentile.ts';

export interface SizingOptions {
  mode: 'performance' | 'as-on-premises';
  percentile: 50 | 90 | 95 | 99;
  comfortFactor: number;
  region: string;
  /** Burstable B-series only suit light, spiky load; off unless asked for. */
  allowBurstable: boolean;
}

export const defaultSizing: SizingOptions = {
  mode: 'performance',
  percentile: 95,
  comfortFactor: 1.3,
  region: 'eastus',
  allowBurstable: false,
};

export interface DiskSizing {
  diskId: string;
  type?: DiskType;
  tier?: string;
  monthlyCost: number;
}

export interface VmSizing {
  serverId: string;
  needed: { cores: number; memoryGiB: number; dataDisks: number; iops: number; mbps: number };
  vmSize?: string;
  monthlyCompute: number;
  monthlyStorage: number;
  disks: DiskSizing[];
  /** 1-5 stars; absent for as-on-premises sizing, as in Azure Migrate. */
  confidence?: number;
  notes: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Azure Migrate's bands: 0-20 % of data points → 1 star … 81-100 % → 5 stars. */
export const confidenceStars = (share: number): number =>
  share <= 0.2 ? 1 : share <= 0.4 ? 2 : share <= 0.6 ? 3 : share <= 0.8 ? 4 : 5;

export function sizeVm(server: Server, os: OsFacts, options: SizingOptions): VmSizing {
  const notes: string[] = [];
  const cf = options.mode === 'performance' ? options.comfortFactor : 1;
  const memoryGiB = server.memoryMiB / 1024;
  const cpuPct = percentile(
    server.cpuUtilisation.map((s) => s.value),
    options.percentile,
  );
  const memPct = percentile(
    server.memoryUtilisation.map((s) => s.value),
    options.percentile,
  );
  let cores = server.cpus;
  let memory = memoryGiB;
  if (options.mode === 'performance') {
    if (cpuPct === undefined) notes.push('no CPU utilisation: allocated cores used');
    else cores = Math.max(1, Math.ceil((server.cpus * cpuPct * cf) / 100));
    if (memPct === undefined) notes.push('no memory utilisation: allocated memory used');
    else memory = Math.max(0.5, (memoryGiB * memPct * cf) / 100);
  }
  const diskIops = server.disks.reduce((s, d) => s + (d.readIops ?? 0) + (d.writeIops ?? 0), 0);
  const diskMBps = server.disks.reduce((s, d) => s + (d.readMBps ?? 0) + (d.writeMBps ?? 0), 0);
  const iops = (diskIops || (server.io?.readIops ?? 0) + (server.io?.writeIops ?? 0)) * cf;
  const mbps = (diskMBps || (server.io?.readMBps ?? 0) + (server.io?.writeMBps ?? 0)) * cf;
  const dataDisks = Math.max(0, server.disks.length - 1);
  const needed = { cores, memoryGiB: round2(memory), dataDisks, iops: Math.round(iops), mbps: round2(mbps) };

  const priceOf = (sku: VmSku) => {
    const price = sku.prices[options.region];
    return price === undefined ? undefined : os.family === 'windows' ? price.windows : price.linux;
  };
  if (os.family === 'unknown') notes.push('OS unknown: priced as Linux');
  const candidates = vmSkus
    .filter((sku) => options.allowBurstable || !sku.burstable)
    .filter((sku) => priceOf(sku) !== undefined)
    .filter((sku) => sku.vcpus >= cores && sku.memoryGiB >= memory && sku.maxDataDisks >= dataDisks)
    .filter((sku) => sku.maxIops >= iops && sku.maxMBps >= mbps)
    .sort((a, b) => (priceOf(a) ?? 0) - (priceOf(b) ?? 0) || a.vcpus - b.vcpus);
  const chosen = candidates[0];
  if (chosen === undefined)
    notes.push(
      `no size in the catalog fits ${cores} cores / ${round2(memory)} GiB / ${dataDisks} data disks`,
    );

  const disks = server.disks.map((disk, i) => sizeDisk(disk, i === 0, cf, options.region));
  for (const d of disks) if (d.tier === undefined) notes.push(`no managed disk fits ${d.diskId}`);
  const expected = 4;
  const present =
    (cpuPct === undefined ? 0 : 1) +
    (memPct === undefined ? 0 : 1) +
    (diskIops > 0 || server.io?.readIops !== undefined ? 1 : 0) +
    (diskMBps > 0 || server.io?.readMBps !== undefined ? 1 : 0);
  return {
    serverId: server.id,
    needed,
    ...(chosen === undefined ? {} : { vmSize: chosen.name }),
    monthlyCompute: chosen === undefined ? 0 : round2((priceOf(chosen) ?? 0) * skuCatalogInfo.hoursPerMonth),
    monthlyStorage: round2(disks.reduce((s, d) => s + d.monthlyCost, 0)),
    disks,
    ...(options.mode === 'performance' ? { confidence: confidenceStars(present / expected) } : {}),
    notes,
  };
}

/** Cheapest tier that holds the disk and its load; OS disks stay on SSD (HDD boots too slowly). */
function sizeDisk(disk: Disk, isOsDisk: boolean, cf: number, region: string): DiskSizing {
  const iops = ((disk.readIops ?? 0) + (disk.writeIops ?? 0)) * cf;
  const mbps = ((disk.readMBps ?? 0) + (disk.writeMBps ?? 0)) * cf;
  const fits = (t: DiskTier) =>
    t.sizeGiB >= disk.sizeGiB &&
    t.iops >= iops &&
    t.mbps >= mbps &&
    t.monthly[region] !== undefined &&
    !(isOsDisk && t.type === 'Standard HDD');
  const tier = diskTiers.filter(fits).sort((a, b) => (a.monthly[region] ?? 0) - (b.monthly[region] ?? 0))[0];
  return tier === undefined
    ? { diskId: disk.id, monthlyCost: 0 }
    : { diskId: disk.id, type: tier.type, tier: tier.tier, monthlyCost: tier.monthly[region] ?? 0 };
}
