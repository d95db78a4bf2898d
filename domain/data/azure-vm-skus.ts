/**
 * Azure VM sizes the sizer chooses from, with pay-as-you-go prices for the regions included.
 *
 * Specs (vCPU, memory GiB, max data disks, max uncached disk IOPS and MB/s): the Microsoft Learn size
 * pages https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/bv1-series,
 * …/sizes/general-purpose/dsv5-series, …/sizes/memory-optimized/esv5-series,
 * …/sizes/compute-optimized/fsv2-series, …/sizes/memory-optimized/m-series and
 * …/sizes/memory-optimized/mv2-series.
 * Linux prices: https://azure.microsoft.com/pricing/details/virtual-machines/linux/, USD per hour, region
 * East US, pay-as-you-go, as transcribed on 2025-11-28. Windows prices are DERIVED as the Linux price
 * plus the Windows Server licence rate the same page shows for Dsv5 (USD 0.046 per vCPU-hour).
 * No reserved-instance or savings-plan prices are shipped: `--pricing ri1|ri3|sp1|sp3` needs an imported
 * price list (`factory prices import`), and any other region too.
 * These are indicative list prices: refresh them from the Retail Prices API
 * (https://prices.azure.com/api/retail/prices, documented at
 * https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices) before using
 * the totals as a budget.
 */

export interface VmSku {
  name: string;
  family: string;
  vcpus: number;
  memoryGiB: number;
  maxDataDisks: number;
  maxIops: number;
  maxMBps: number;
  burstable: boolean;
  /** USD per hour by region. */
  prices: Record<string, { linux: number; windows: number }>;
}

/**
 * Where and when the shipped prices come from; the assessment report prints it next to every total
 * priced from this catalog. Regions not listed here need an imported price list.
 */
export const skuCatalogInfo = {
  source:
    'Specs: learn.microsoft.com/azure/virtual-machines/sizes (Bsv1, Dsv5, Esv5, Fsv2, M). Linux prices: azure.microsoft.com/pricing/details/virtual-machines/linux (East US, pay-as-you-go). Windows = Linux + 0.046 USD per vCPU-hour (derived).',
  specsUrl: 'https://learn.microsoft.com/azure/virtual-machines/sizes/overview',
  pricesUrl: 'https://azure.microsoft.com/pricing/details/virtual-machines/linux/',
  retrieved: '2025-11-28',
  currency: 'USD',
  regions: ['eastus'],
  /** Pay-as-you-go only: no reservation or savings-plan prices are shipped. */
  pricing: ['payg'],
  hoursPerMonth: 730,
} as const;

const WINDOWS_LICENCE_PER_VCPU_HOUR = 0.046;

type Row = [
  name: string,
  family: string,
  vcpus: number,
  memoryGiB: number,
  maxDataDisks: number,
  maxIops: number,
  maxMBps: number,
  eastusLinux: number,
];

const rows: Row[] = [
  ['Standard_B1s', 'Bsv1', 1, 1, 2, 320, 10, 0.0104],
  ['Standard_B1ms', 'Bsv1', 1, 2, 2, 640, 10, 0.0207],
  ['Standard_B2s', 'Bsv1', 2, 4, 4, 1280, 15, 0.0416],
  ['Standard_B2ms', 'Bsv1', 2, 8, 4, 1920, 22.5, 0.0832],
  ['Standard_B4ms', 'Bsv1', 4, 16, 8, 2880, 35, 0.166],
  ['Standard_B8ms', 'Bsv1', 8, 32, 16, 4320, 50, 0.333],
  ['Standard_D2s_v5', 'Dsv5', 2, 8, 4, 3750, 85, 0.096],
  ['Standard_D4s_v5', 'Dsv5', 4, 16, 8, 6400, 145, 0.192],
  ['Standard_D8s_v5', 'Dsv5', 8, 32, 16, 12800, 290, 0.384],
  ['Standard_D16s_v5', 'Dsv5', 16, 64, 32, 25600, 600, 0.768],
  ['Standard_D32s_v5', 'Dsv5', 32, 128, 32, 51200, 865, 1.536],
  ['Standard_D48s_v5', 'Dsv5', 48, 192, 32, 76800, 1315, 2.304],
  ['Standard_D64s_v5', 'Dsv5', 64, 256, 32, 80000, 1735, 3.072],
  ['Standard_D96s_v5', 'Dsv5', 96, 384, 32, 80000, 2600, 4.608],
  ['Standard_E2s_v5', 'Esv5', 2, 16, 4, 3750, 85, 0.126],
  ['Standard_E4s_v5', 'Esv5', 4, 32, 8, 6400, 145, 0.252],
  ['Standard_E8s_v5', 'Esv5', 8, 64, 16, 12800, 290, 0.504],
  ['Standard_E16s_v5', 'Esv5', 16, 128, 32, 25600, 600, 1.008],
  ['Standard_E20s_v5', 'Esv5', 20, 160, 32, 32000, 750, 1.26],
  ['Standard_E32s_v5', 'Esv5', 32, 256, 32, 51200, 865, 2.016],
  ['Standard_E48s_v5', 'Esv5', 48, 384, 32, 76800, 1315, 3.024],
  ['Standard_E64s_v5', 'Esv5', 64, 512, 32, 80000, 1735, 4.032],
  ['Standard_E96s_v5', 'Esv5', 96, 672, 32, 80000, 2600, 6.048],
  ['Standard_F2s_v2', 'Fsv2', 2, 4, 4, 3200, 47, 0.0846],
  ['Standard_F4s_v2', 'Fsv2', 4, 8, 8, 6400, 95, 0.169],
  ['Standard_F8s_v2', 'Fsv2', 8, 16, 16, 12800, 190, 0.338],
  ['Standard_F16s_v2', 'Fsv2', 16, 32, 32, 25600, 380, 0.677],
  ['Standard_F32s_v2', 'Fsv2', 32, 64, 32, 51200, 750, 1.353],
  ['Standard_F48s_v2', 'Fsv2', 48, 96, 32, 76800, 1100, 2.03],
  ['Standard_F64s_v2', 'Fsv2', 64, 128, 32, 80000, 1100, 2.706],
  ['Standard_F72s_v2', 'Fsv2', 72, 144, 32, 80000, 1100, 3.045],
  ['Standard_M64s', 'M', 64, 1024, 64, 40000, 1000, 6.669],
  ['Standard_M128s', 'M', 128, 2048, 64, 80000, 2000, 13.338],
  ['Standard_M208ms_v2', 'Mv2', 208, 5700, 64, 80000, 2000, 26.688],
  ['Standard_M416ms_v2', 'Mv2', 416, 11400, 64, 80000, 2000, 109.21],
];

export const vmSkus: readonly VmSku[] = rows.map(
  ([name, family, vcpus, memoryGiB, maxDataDisks, maxIops, maxMBps, linux]) => ({
    name,
    family,
    vcpus,
    memoryGiB,
    maxDataDisks,
    maxIops,
    maxMBps,
    burstable: family.startsWith('B'),
    prices: {
      eastus: {
        linux,
        windows: Math.round((linux + vcpus * WINDOWS_LICENCE_PER_VCPU_HOUR) * 10_000) / 10_000,
      },
    },
  }),
);
