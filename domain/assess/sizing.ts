/**
 * Sizes a VM to the cheapest Azure size from the shipped catalog, Azure Migrate style:
 * performance-based = chosen percentile of utilisation × comfort factor; as-on-premises = allocated
 * cores and memory. Disks are sized from their IOPS/throughput in both modes.
 *
 * Missing data is missing, not zero: a counter with no samples, or one the source flagged as having no
 * data (`server.missingPerformance`), falls back for that machine and that dimension to as-on-premises
 * sizing (allocated cores, allocated memory, disks by capacity alone) with a note, and lowers the
 * machine's confidence rating. A machine without any data is sized exactly as as-on-premises sizing
 * would size it.
 */
import { diskTiers, type DiskTier, type DiskType } from '../data/managed-disks.ts';
import { vmSkus, type VmSku } from '../data/azure-vm-skus.ts';
import {
  HOURS_PER_MONTH,
  hourlyPrice,
  shippedPrices,
  type PriceBook,
  type PricingOption,
} from './price-book.ts';
import {
  performanceCounters,
  type Disk,
  type PerformanceCounter,
  type Server,
} from '../inventory/estate-schema.ts';
import type { OsFacts } from './operating-system.ts';
import { percentile } from './percentile.ts';

export interface SizingOptions {
  mode: 'performance' | 'as-on-premises';
  percentile: 50 | 90 | 95 | 99;
  comfortFactor: number;
  region: string;
  /** Burstable B-series only suit light, spiky load; off unless asked for. */
  allowBurstable: boolean;
  /** Pay-as-you-go, or 1-/3-year reserved instances or savings plans (when the price list has them). */
  pricing: PricingOption;
  /** Azure Hybrid Benefit: the customer's Windows Server licences, so Windows VMs pay compute only. */
  hybridBenefit: boolean;
}

export const defaultSizing: SizingOptions = {
  mode: 'performance',
  percentile: 95,
  comfortFactor: 1.3,
  region: 'eastus',
  allowBurstable: false,
  pricing: 'payg',
  hybridBenefit: false,
};

export interface DiskSizing {
  diskId: string;
  type?: DiskType;
  tier?: string;
  monthlyCost: number;
}

/** What the size rests on: measured utilisation, allocated resources, or some of each. */
export type SizingBasis = 'performance' | 'as-on-premises' | 'mixed';

export interface VmSizing {
  serverId: string;
  needed: { cores: number; memoryGiB: number; dataDisks: number; iops: number; mbps: number };
  vmSize?: string;
  monthlyCompute: number;
  monthlyStorage: number;
  disks: DiskSizing[];
  /** 1-5 stars; absent for as-on-premises sizing, as in Azure Migrate. */
  confidence?: number;
  /** 'as-on-premises' in that mode, or in performance mode when no counter sizing uses had data. */
  basis: SizingBasis;
  /** Counters with no data for this machine (sized from allocated resources instead). */
  missingData: PerformanceCounter[];
  /** The pricing option the compute cost was computed with (pay-as-you-go when the list lacked the asked one). */
  pricing: PricingOption;
  /** False when the region's price list has no managed-disk prices: storage is then not costed. */
  storagePriced: boolean;
  notes: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Azure Migrate's performance-coverage bands over the share of data points available:
 * 0-20 % → 1 star, 21-40 % → 2, 41-60 % → 3, 61-80 % → 4, 81-100 % → 5
 * (https://learn.microsoft.com/azure/migrate/confidence-ratings).
 */
export const confidenceStars = (share: number): number =>
  share <= 0.2 ? 1 : share <= 0.4 ? 2 : share <= 0.6 ? 3 : share <= 0.8 ? 4 : 5;

const hasAny = (values: readonly (number | undefined)[]) => values.some((v) => v !== undefined);

/** Which data the sources really gave for a server, honouring the counters they flagged as missing. */
export function performanceData(server: Server) {
  const flagged = new Set(server.missingPerformance ?? []);
  const cpu = flagged.has('cpu') ? [] : server.cpuUtilisation.map((s) => s.value);
  const memory = flagged.has('memory') ? [] : server.memoryUtilisation.map((s) => s.value);
  const io = flagged.has('disk') ? undefined : server.io;
  const disks = server.disks.map((d) =>
    flagged.has('disk')
      ? { iops: false, mbps: false }
      : {
          iops: hasAny([d.readIops, d.writeIops, io?.readIops, io?.writeIops]),
          mbps: hasAny([d.readMBps, d.writeMBps, io?.readMBps, io?.writeMBps]),
        },
  );
  const serverIo = {
    iops: hasAny([io?.readIops, io?.writeIops]),
    mbps: hasAny([io?.readMBps, io?.writeMBps]),
  };
  const disk = serverIo.iops || serverIo.mbps || disks.some((d) => d.iops || d.mbps);
  const missing = performanceCounters.filter(
    (counter) =>
      (counter === 'cpu' && cpu.length === 0) ||
      (counter === 'memory' && memory.length === 0) ||
      (counter === 'disk' && !disk) ||
      // Sizing does not use network I/O; it is reported when a source says it had none.
      (counter === 'network' && flagged.has('network')),
  );
  // Data points Azure Migrate needs: CPU, memory, and IOPS and throughput of every disk. Our sources
  // give one figure per counter, so a point is "available" when its counter has a figure; network I/O
  // is left out because no source we import measures it and sizing does not use it.
  const diskPoints = disks.length > 0 ? disks : [serverIo];
  const points = [cpu.length > 0, memory.length > 0, ...diskPoints.flatMap((d) => [d.iops, d.mbps])];
  return {
    cpu,
    memory,
    disk,
    missing,
    coverage: points.filter(Boolean).length / points.length,
  };
}

export function sizeVm(
  server: Server,
  os: OsFacts,
  options: SizingOptions,
  prices: PriceBook = shippedPrices,
): VmSizing {
  const notes: string[] = [];
  const data = performanceData(server);
  const performance = options.mode === 'performance';
  const cf = performance ? options.comfortFactor : 1;
  const memoryGiB = server.memoryMiB / 1024;
  const cpuPct = percentile(data.cpu, options.percentile);
  const memPct = percentile(data.memory, options.percentile);
  let cores = server.cpus;
  let memory = memoryGiB;
  if (performance) {
    if (cpuPct === undefined) notes.push('no CPU utilisation: allocated cores used');
    else cores = Math.max(1, Math.ceil((server.cpus * cpuPct * cf) / 100));
    if (memPct === undefined) notes.push('no memory utilisation: allocated memory used');
    else memory = Math.max(0.5, (memoryGiB * memPct * cf) / 100);
  }
  if (!data.disk) notes.push('no disk performance data: disks sized by capacity only');
  // Without disk data no load is assumed, never a "measured" zero: the figures are simply not used.
  const load = (d: Disk) =>
    data.disk
      ? {
          iops: (d.readIops ?? 0) + (d.writeIops ?? 0),
          mbps: (d.readMBps ?? 0) + (d.writeMBps ?? 0),
        }
      : { iops: 0, mbps: 0 };
  const diskIops = server.disks.reduce((s, d) => s + load(d).iops, 0);
  const diskMBps = server.disks.reduce((s, d) => s + load(d).mbps, 0);
  const io = data.disk ? server.io : undefined;
  const iops = (diskIops || (io?.readIops ?? 0) + (io?.writeIops ?? 0)) * cf;
  const mbps = (diskMBps || (io?.readMBps ?? 0) + (io?.writeMBps ?? 0)) * cf;
  const dataDisks = Math.max(0, server.disks.length - 1);
  const needed = { cores, memoryGiB: round2(memory), dataDisks, iops: Math.round(iops), mbps: round2(mbps) };

  const region = prices[options.region];
  const family = os.family === 'windows' ? 'windows' : 'linux';
  if (os.family === 'unknown') notes.push('OS unknown: priced as Linux');
  const priced = vmSkus
    .filter((sku) => options.allowBurstable || !sku.burstable)
    .filter((sku) => sku.vcpus >= cores && sku.memoryGiB >= memory && sku.maxDataDisks >= dataDisks)
    .filter((sku) => sku.maxIops >= iops && sku.maxMBps >= mbps)
    .flatMap((sku: VmSku) => {
      const price = hourlyPrice(region?.vm[sku.name], family, options, sku.name);
      return price === undefined ? [] : [{ sku, price }];
    })
    .sort((a, b) => a.price.hourly - b.price.hourly || a.sku.vcpus - b.sku.vcpus);
  const chosen = priced[0];
  if (chosen === undefined)
    notes.push(
      `no size in the catalog fits ${cores} cores / ${round2(memory)} GiB / ${dataDisks} data disks`,
    );
  else notes.push(...chosen.price.notes);

  const diskPrices = region?.disk ?? {};
  const storagePriced = Object.keys(diskPrices).length > 0;
  if (!storagePriced) notes.push(`no managed-disk prices for ${options.region}: storage not costed`);
  const disks = server.disks.map((disk, i) =>
    sizeDisk(disk, load(disk), i === 0, cf, storagePriced ? diskPrices : undefined),
  );
  for (const d of disks) if (d.tier === undefined) notes.push(`no managed disk fits ${d.diskId}`);

  const missingData = data.missing;
  const used = missingData.filter((c) => c !== 'network').length;
  const basis: SizingBasis =
    !performance || used === 3 ? 'as-on-premises' : used === 0 ? 'performance' : 'mixed';
  return {
    serverId: server.id,
    needed,
    ...(chosen === undefined ? {} : { vmSize: chosen.sku.name }),
    monthlyCompute: chosen === undefined ? 0 : round2(chosen.price.hourly * HOURS_PER_MONTH),
    monthlyStorage: round2(disks.reduce((s, d) => s + d.monthlyCost, 0)),
    disks,
    ...(performance ? { confidence: confidenceStars(data.coverage) } : {}),
    basis,
    missingData,
    pricing: chosen?.price.applied ?? options.pricing,
    storagePriced,
    notes,
  };
}

/**
 * Cheapest tier that holds the disk and its load; OS disks stay on SSD (HDD boots too slowly). Without
 * disk prices for the region the tier is still chosen, by the shipped catalog's price order, at no cost.
 */
function sizeDisk(
  disk: Disk,
  load: { iops: number; mbps: number },
  isOsDisk: boolean,
  cf: number,
  prices: Record<string, number> | undefined,
): DiskSizing {
  const iops = load.iops * cf;
  const mbps = load.mbps * cf;
  const fits = (t: DiskTier) =>
    t.sizeGiB >= disk.sizeGiB &&
    t.iops >= iops &&
    t.mbps >= mbps &&
    (prices === undefined || prices[t.tier] !== undefined) &&
    !(isOsDisk && t.type === 'Standard HDD');
  const cost = (t: DiskTier) => (prices === undefined ? 0 : (prices[t.tier] ?? 0));
  const tier = diskTiers
    .filter(fits)
    .sort((a, b) => cost(a) - cost(b) || (a.monthly.eastus ?? 0) - (b.monthly.eastus ?? 0))[0];
  return tier === undefined
    ? { diskId: disk.id, monthlyCost: 0 }
    : { diskId: disk.id, type: tier.type, tier: tier.tier, monthlyCost: cost(tier) };
}
