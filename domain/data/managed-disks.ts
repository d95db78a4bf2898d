/**
 * Managed disk tiers (LRS) with their provisioned IOPS and throughput and a monthly price.
 *
 * Sizes, IOPS and MB/s: "Premium SSD size", "Standard SSD size" and "Standard HDD size" in
 * https://learn.microsoft.com/azure/virtual-machines/disks-types (Standard tiers are "up to" figures).
 * Prices: USD per month, East US, LRS, from https://azure.microsoft.com/pricing/details/managed-disks/
 * as transcribed on 2025-11-28 (indicative; Standard tiers also bill transactions, not modelled).
 * Refresh them from the Retail Prices API
 * (https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices).
 */

/** Where and when the shipped disk prices come from (printed in the assessment report). */
export const diskCatalogInfo = {
  specsUrl: 'https://learn.microsoft.com/azure/virtual-machines/disks-types',
  pricesUrl: 'https://azure.microsoft.com/pricing/details/managed-disks/',
  retrieved: '2025-11-28',
  currency: 'USD',
  regions: ['eastus'],
  redundancy: 'LRS',
} as const;

export type DiskType = 'Standard HDD' | 'Standard SSD' | 'Premium SSD';

export interface DiskTier {
  type: DiskType;
  tier: string;
  sizeGiB: number;
  iops: number;
  mbps: number;
  monthly: Record<string, number>;
}

type Row = [tier: string, sizeGiB: number, iops: number, mbps: number, eastus: number];

const premium: Row[] = [
  ['P4', 32, 120, 25, 5.28],
  ['P6', 64, 240, 50, 10.21],
  ['P10', 128, 500, 100, 19.71],
  ['P15', 256, 1100, 125, 38.01],
  ['P20', 512, 2300, 150, 73.22],
  ['P30', 1024, 5000, 200, 135.17],
  ['P40', 2048, 7500, 250, 259.05],
  ['P50', 4096, 7500, 250, 495.57],
  ['P60', 8192, 16000, 500, 946.08],
  ['P70', 16384, 18000, 750, 1802.67],
  ['P80', 32767, 20000, 900, 3604.29],
];
const standardSsd: Row[] = [
  ['E4', 32, 120, 25, 2.4],
  ['E6', 64, 240, 50, 4.8],
  ['E10', 128, 500, 60, 9.6],
  ['E15', 256, 500, 60, 19.2],
  ['E20', 512, 500, 60, 38.4],
  ['E30', 1024, 500, 60, 76.8],
  ['E40', 2048, 500, 60, 153.6],
  ['E50', 4096, 500, 60, 307.2],
  ['E60', 8192, 2000, 400, 614.4],
  ['E70', 16384, 4000, 600, 1228.8],
  ['E80', 32767, 6000, 750, 2457.6],
];
const standardHdd: Row[] = [
  ['S4', 32, 500, 60, 1.54],
  ['S6', 64, 500, 60, 3.01],
  ['S10', 128, 500, 60, 5.89],
  ['S15', 256, 500, 60, 11.33],
  ['S20', 512, 500, 60, 21.76],
  ['S30', 1024, 500, 60, 40.96],
  ['S40', 2048, 500, 60, 77.83],
  ['S50', 4096, 500, 60, 143.36],
  ['S60', 8192, 1300, 300, 262.14],
  ['S70', 16384, 2000, 500, 524.29],
  ['S80', 32767, 2000, 500, 1048.58],
];

const toTiers = (type: DiskType, list: Row[]): DiskTier[] =>
  list.map(([tier, sizeGiB, iops, mbps, eastus]) => ({
    type,
    tier,
    sizeGiB,
    iops,
    mbps,
    monthly: { eastus },
  }));

/** Cheapest first, so the first tier that fits is the one to buy. */
export const diskTiers: readonly DiskTier[] = [
  ...toTiers('Standard HDD', standardHdd),
  ...toTiers('Standard SSD', standardSsd),
  ...toTiers('Premium SSD', premium),
].sort((a, b) => (a.monthly.eastus ?? 0) - (b.monthly.eastus ?? 0));
