/**
 * The prices sizing buys with: per region, hourly VM rates (pay-as-you-go Linux and Windows, and the
 * hourly equivalent of 1- and 3-year reservations and savings plans) and monthly managed-disk prices.
 * The shipped catalog (East US list prices) is the default; a price list the customer imported with
 * `factory prices import` replaces it region by region. Every figure says where it came from.
 */
import { z } from 'zod';
import { skuCatalogInfo, vmSkus } from '../data/azure-vm-skus.ts';
import { diskCatalogInfo, diskTiers } from '../data/managed-disks.ts';

export const pricingOptions = ['payg', 'ri1', 'ri3', 'sp1', 'sp3'] as const;
export type PricingOption = (typeof pricingOptions)[number];
export type CommitmentOption = Exclude<PricingOption, 'payg'>;

export const pricingLabels: Record<PricingOption, string> = {
  payg: 'pay-as-you-go',
  ri1: '1-year reserved instance',
  ri3: '3-year reserved instance',
  sp1: '1-year savings plan',
  sp3: '3-year savings plan',
};

/** Hourly rates of one size in one region; any may be absent from a price list. */
export const vmRateSchema = z.object({
  /** Pay-as-you-go without an OS licence (the Linux meter). */
  linux: z.number().nonnegative().optional(),
  /** Pay-as-you-go including the Windows Server licence. */
  windows: z.number().nonnegative().optional(),
  /** Hourly equivalent of the commitment (a reservation's term price ÷ hours in the term). */
  ri1: z.number().nonnegative().optional(),
  ri3: z.number().nonnegative().optional(),
  sp1: z.number().nonnegative().optional(),
  sp3: z.number().nonnegative().optional(),
});
export type VmRate = z.infer<typeof vmRateSchema>;

export const regionPricesSchema = z.object({
  currency: z.string(),
  /** Where this region's prices come from: a URL for the shipped catalog, else the imported file. */
  source: z.string(),
  /** When they were retrieved (catalog) or imported (price list), YYYY-MM-DD. */
  retrieved: z.string(),
  /** Latest effectiveStartDate seen in a Retail Prices API list, when it had one. */
  effectiveFrom: z.string().optional(),
  vm: z.record(z.string(), vmRateSchema),
  /** Monthly price per managed-disk tier (P10, E10, S10 …, LRS). */
  disk: z.record(z.string(), z.number().nonnegative()),
});
export type RegionPrices = z.infer<typeof regionPricesSchema>;

/** Region name → its prices. Region names are ARM names: lower case, no spaces ("westeurope"). */
export type PriceBook = Record<string, RegionPrices>;

/** "West Europe", "westeurope", "WestEurope" → "westeurope". */
export const normaliseRegion = (region: string): string => region.toLowerCase().replace(/[\s_-]+/g, '');

/** Hours Azure's pricing pages and Azure Migrate bill a month by. */
export const HOURS_PER_MONTH = skuCatalogInfo.hoursPerMonth;

/** The shipped catalog as a price book: East US pay-as-you-go list prices, no commitment prices. */
export function shippedPriceBook(): PriceBook {
  const book: PriceBook = {};
  for (const region of skuCatalogInfo.regions) {
    const vm: Record<string, VmRate> = {};
    for (const sku of vmSkus) {
      const price = sku.prices[region];
      if (price !== undefined) vm[sku.name] = { linux: price.linux, windows: price.windows };
    }
    const disk: Record<string, number> = {};
    for (const tier of diskTiers) {
      const monthly = tier.monthly[region];
      if (monthly !== undefined) disk[tier.tier] = monthly;
    }
    book[region] = {
      currency: skuCatalogInfo.currency,
      source: `${skuCatalogInfo.pricesUrl} (VMs); ${diskCatalogInfo.pricesUrl} (disks)`,
      retrieved: skuCatalogInfo.retrieved,
      vm,
      disk,
    };
  }
  return book;
}

/** Imported regions replace the shipped catalog's for the same region; other regions stay. */
export const withImported = (base: PriceBook, imported: PriceBook): PriceBook => ({ ...base, ...imported });

/** Regions that can price VMs, sorted: the only values `--region` accepts. */
export const pricedRegions = (book: PriceBook): string[] =>
  Object.entries(book)
    .filter(([, prices]) => Object.keys(prices.vm).length > 0)
    .map(([region]) => region)
    .sort();

export interface PriceChoice {
  pricing: PricingOption;
  hybridBenefit: boolean;
}

export interface HourlyPrice {
  /** What one hour costs under the option actually applied. */
  hourly: number;
  /** The option applied: the one asked for, or pay-as-you-go when the list lacks it for this size. */
  applied: PricingOption;
  notes: string[];
}

/**
 * The hourly price of a size for an OS under the chosen option, or undefined when the region does not
 * price the size. Reservations and savings plans discount compute only: a Windows VM still pays the
 * Windows licence (Windows minus Linux pay-as-you-go) unless Azure Hybrid Benefit removes it.
 */
export function hourlyPrice(
  rate: VmRate | undefined,
  os: 'windows' | 'linux',
  choice: PriceChoice,
  sku: string,
): HourlyPrice | undefined {
  if (rate === undefined) return undefined;
  const notes: string[] = [];
  const payg = os === 'windows' ? (rate.windows ?? rate.linux) : (rate.linux ?? rate.windows);
  if (payg === undefined) return undefined;
  if (os === 'windows' && rate.windows === undefined)
    notes.push(`price list has no Windows rate for ${sku}: its Linux rate used`);
  if (os === 'linux' && rate.linux === undefined)
    notes.push(`price list has no Linux rate for ${sku}: its Windows rate used`);
  // Licence share of the Windows rate; unknown without both meters.
  const licence =
    os === 'windows' && rate.windows !== undefined && rate.linux !== undefined
      ? Math.max(0, rate.windows - rate.linux)
      : 0;
  let hourly = payg;
  let applied: PricingOption = 'payg';
  if (choice.pricing !== 'payg') {
    const committed = rate[choice.pricing];
    if (committed === undefined)
      notes.push(`no ${pricingLabels[choice.pricing]} price for ${sku}: pay-as-you-go used`);
    else {
      hourly = committed + licence;
      applied = choice.pricing;
    }
  }
  if (choice.hybridBenefit && os === 'windows') {
    if (rate.windows !== undefined && rate.linux !== undefined) hourly -= licence;
    else if (rate.windows !== undefined)
      notes.push(`no Linux rate for ${sku}: the Windows licence could not be removed (Hybrid Benefit)`);
  }
  return { hourly, applied, notes };
}

/** The shipped catalog's price book, built once. */
export const shippedPrices: PriceBook = shippedPriceBook();
