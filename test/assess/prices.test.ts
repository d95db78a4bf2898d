/**
 * Prices you can trust: price lists in the Azure Retail Prices API's published shape
 * (https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices) and a simple
 * SKU/Region/Unit price CSV, reserved instances, savings plans, Azure Hybrid Benefit, and refusing a
 * region without prices.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAssess } from '../../cli/assess/assess-command.ts';
import { runPricesImport } from '../../cli/assess/prices-command.ts';
import { CliError, ExitCode } from '../../cli/operate/exit-codes.ts';
import { assessEstate, defaultAssessOptions } from '../../domain/assess/assess-estate.ts';
import { recogniseOs } from '../../domain/assess/operating-system.ts';
import { shippedPrices, withImported, type PriceBook } from '../../domain/assess/price-book.ts';
import { readPriceList as readPriceListWith } from '../../domain/assess/price-list.ts';
import { parseCsv } from '../../cli/assess/read-csv.ts';
import { defaultSizing, sizeVm, type SizingOptions } from '../../domain/assess/sizing.ts';
import { formatIssue } from '../../domain/inventory/issues.ts';
import type { Estate } from '../../domain/inventory/estate-schema.ts';
import { saveEstate } from '../../workspace/files.ts';
import { disk, server } from './fixtures.ts';
import { tempDir, writeInputs } from './helpers.ts';

const readPriceList = (file: string, content: string, importedOn: string) =>
  readPriceListWith(file, content, importedOn, parseCsv);

const windows = recogniseOs('Microsoft Windows Server 2019 Datacenter');
const linux = recogniseOs('Ubuntu 22.04.3 LTS');

/** A Retail Prices API item with the fields the API returns (values invented for the test). */
function item(fields: Record<string, unknown>) {
  return {
    currencyCode: 'USD',
    tierMinimumUnits: 0,
    armRegionName: 'westeurope',
    location: 'EU West',
    effectiveStartDate: '2025-10-01T00:00:00Z',
    serviceName: 'Virtual Machines',
    serviceFamily: 'Compute',
    unitOfMeasure: '1 Hour',
    type: 'Consumption',
    isPrimaryMeterRegion: true,
    ...fields,
  };
}

const vm = (sku: string, series: string, price: number, extra: Record<string, unknown> = {}) =>
  item({
    armSkuName: `Standard_${sku.replace(/ /g, '_')}`,
    skuName: sku,
    meterName: sku,
    productName: `Virtual Machines ${series} Series`,
    retailPrice: price,
    unitPrice: price,
    ...extra,
  });
const windowsVm = (sku: string, series: string, price: number) =>
  vm(sku, series, price, { productName: `Virtual Machines ${series} Series Windows` });
const reservation = (sku: string, series: string, term: string, total: number) =>
  vm(sku, series, total, { type: 'Reservation', reservationTerm: term });
const managedDisk = (tier: string, product: string, price: number) =>
  item({
    serviceName: 'Storage',
    serviceFamily: 'Storage',
    productName: product,
    skuName: `${tier} LRS`,
    meterName: `${tier} LRS Disk`,
    armSkuName: '',
    unitOfMeasure: '1/Month',
    retailPrice: price,
    unitPrice: price,
  });

const page1 = {
  BillingCurrency: 'USD',
  CustomerEntityId: 'Default',
  CustomerEntityType: 'Retail',
  Items: [
    vm('D2s v5', 'Dsv5', 0.11),
    windowsVm('D2s v5', 'Dsv5', 0.202),
    vm('D2s v5', 'Dsv5', 0.02, { meterName: 'D2s v5 Spot', skuName: 'D2s v5 Spot' }),
    vm('D2s v5', 'Dsv5', 0.03, { meterName: 'D2s v5 Low Priority', skuName: 'D2s v5 Low Priority' }),
    vm('D4s v5', 'Dsv5', 0.22, {
      savingsPlan: [
        { unitPrice: 0.16, retailPrice: 0.16, term: '1 Year' },
        { unitPrice: 0.11, retailPrice: 0.11, term: '3 Years' },
      ],
    }),
    // An older price of the same meter: the latest effectiveStartDate wins.
    vm('D4s v5', 'Dsv5', 0.3, { effectiveStartDate: '2024-01-01T00:00:00Z' }),
    windowsVm('D4s v5', 'Dsv5', 0.404),
    reservation('D4s v5', 'Dsv5', '1 Year', 1168),
    reservation('D4s v5', 'Dsv5', '3 Years', 2257),
  ],
  NextPageLink:
    "https://prices.azure.com:443/api/retail/prices?$filter=armRegionName%20eq%20'westeurope'&$skip=100",
  Count: 9,
};
const page2 = {
  BillingCurrency: 'USD',
  CustomerEntityId: 'Default',
  CustomerEntityType: 'Retail',
  Items: [
    vm('D8s v5', 'Dsv5', 0.44),
    windowsVm('D8s v5', 'Dsv5', 0.808),
    vm('E4s v5', 'Esv5', 0.288),
    windowsVm('E4s v5', 'Esv5', 0.472),
    managedDisk('P10', 'Premium SSD Managed Disks', 21.68),
    managedDisk('E10', 'Standard SSD Managed Disks', 10.56),
    managedDisk('S10', 'Standard HDD Managed Disks', 6.5),
    managedDisk('S30', 'Standard HDD Managed Disks', 45.06),
    item({
      serviceName: 'Storage',
      productName: 'Standard SSD Managed Disks',
      skuName: 'E10 LRS',
      meterName: 'E10 LRS Disk Operations',
      unitOfMeasure: '10K',
      retailPrice: 0.002,
    }),
  ],
  NextPageLink: null,
  Count: 9,
};
/** Two pages appended to one file, as `curl … >> prices.json` over NextPageLink leaves them. */
const retailJson = `${JSON.stringify(page1, null, 2)}\n${JSON.stringify(page2, null, 2)}\n`;

function importedBook(content = retailJson, file = 'westeurope.json'): PriceBook {
  const result = readPriceList(file, content, '2025-12-01');
  if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
  return withImported(shippedPrices, result.book);
}

const westEurope = (options: Partial<SizingOptions> = {}): SizingOptions => ({
  ...defaultSizing,
  mode: 'as-on-premises',
  region: 'westeurope',
  ...options,
});

const web = server({
  name: 'web',
  cpus: 4,
  memoryMiB: 16_384,
  disks: [disk({ id: 'os', sizeGiB: 100 })],
});
const big = server({
  name: 'big',
  os: 'Ubuntu 22.04.3 LTS',
  cpus: 8,
  memoryMiB: 32_768,
  disks: [disk({ id: 'os', sizeGiB: 100 })],
});
const monthly = (hourly: number) => Math.round(hourly * 730 * 100) / 100;

describe('Retail Prices API price list', () => {
  it('reads concatenated pages: Windows vs Linux by product, reservations per hour, savings plans, disks; no Spot', () => {
    const result = readPriceList('westeurope.json', retailJson, '2025-12-01');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const prices = result.book.westeurope;
    expect(prices?.vm.Standard_D2s_v5).toEqual({ linux: 0.11, windows: 0.202 });
    expect(prices?.vm.Standard_D4s_v5).toEqual({
      linux: 0.22,
      windows: 0.404,
      ri1: 1168 / 8760,
      ri3: 2257 / (3 * 8760),
      sp1: 0.16,
      sp3: 0.11,
    });
    expect(prices?.disk).toEqual({ P10: 21.68, E10: 10.56, S10: 6.5, S30: 45.06 });
    expect(prices).toMatchObject({
      currency: 'USD',
      source: 'westeurope.json',
      retrieved: '2025-12-01',
      effectiveFrom: '2025-10-01',
    });
    expect(result.summary.format).toBe('retail-json');
    expect(result.summary.ignored).toEqual({
      'Spot or Low Priority': 2,
      'not a VM or managed-disk meter (Storage)': 1,
    });
    expect(result.summary.regions).toEqual([
      {
        region: 'westeurope',
        currency: 'USD',
        vmSizes: 4,
        diskTiers: 4,
        options: ['payg', 'ri1', 'ri3', 'sp1', 'sp3'],
      },
    ]);
  });

  it('reads one page, and a bare array of items, the same way', () => {
    const single = readPriceList('one.json', JSON.stringify(page1), '2025-12-01');
    const bare = readPriceList('bare.json', JSON.stringify(page1.Items), '2025-12-01');
    expect(single.ok && bare.ok).toBe(true);
    if (!single.ok || !bare.ok) return;
    expect(bare.book.westeurope?.vm).toEqual(single.book.westeurope?.vm);
    expect(single.book.westeurope?.vm.Standard_D4s_v5?.ri3).toBe(2257 / 26_280);
  });

  it('reads the same items as CSV', () => {
    const fields = [
      'currencyCode',
      'tierMinimumUnits',
      'reservationTerm',
      'retailPrice',
      'unitPrice',
      'armRegionName',
      'location',
      'effectiveStartDate',
      'meterName',
      'productName',
      'skuName',
      'serviceName',
      'unitOfMeasure',
      'type',
      'armSkuName',
    ];
    const items: Record<string, unknown>[] = [...page1.Items, ...page2.Items];
    const csv = [
      fields.join(','),
      ...items.map((i) =>
        fields
          .map((f) => {
            const value = i[f];
            return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
          })
          .join(','),
      ),
    ].join('\n');
    const fromCsv = readPriceList('westeurope.csv', csv, '2025-12-01');
    const fromJson = readPriceList('westeurope.json', retailJson, '2025-12-01');
    expect(fromCsv.ok && fromJson.ok).toBe(true);
    if (!fromCsv.ok || !fromJson.ok) return;
    expect(fromCsv.summary.format).toBe('retail-csv');
    // The CSV shape has no nested savingsPlan rates; everything else matches.
    const { sp1: _sp1, sp3: _sp3, ...d4 } = fromJson.book.westeurope?.vm.Standard_D4s_v5 ?? {};
    expect(fromCsv.book.westeurope?.vm.Standard_D4s_v5).toEqual(d4);
    expect(fromCsv.book.westeurope?.disk).toEqual(fromJson.book.westeurope?.disk);
  });

  it('names the page, item and field of a bad item and imports nothing', () => {
    const broken = {
      ...page2,
      Items: [
        vm('D8s v5', 'Dsv5', 0.44),
        reservation('D8s v5', 'Dsv5', '5 Years', 9000),
        vm('D16s v5', 'Dsv5', 0.88, { retailPrice: 'n/a', unitPrice: 'n/a' }),
        vm('D16s v5', 'Dsv5', 0.88, { unitOfMeasure: '1/Month' }),
      ],
    };
    const result = readPriceList(
      'bad.json',
      `${JSON.stringify(page1)}${JSON.stringify(broken)}`,
      '2025-12-01',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatIssue)).toEqual([
      'error: bad.json, sheet page 2, row 2, column "reservationTerm": value "5 Years": must be "1 Year" or "3 Years"',
      'error: bad.json, sheet page 2, row 3, column "retailPrice": value "n/a": must be a number from 0 to 10000000',
      'error: bad.json, sheet page 2, row 4, column "unitOfMeasure": value "1/Month": must be "1 Hour" for a Virtual Machines meter',
    ]);
  });

  it('refuses a truncated download and a region priced in two currencies', () => {
    const truncated = readPriceList('cut.json', retailJson.slice(0, retailJson.length - 40), '2025-12-01');
    expect(truncated.ok).toBe(false);
    if (!truncated.ok) expect(truncated.errors[0]?.rule).toContain('ends inside a page');
    const mixed = readPriceList(
      'mixed.json',
      JSON.stringify({
        Items: [vm('D2s v5', 'Dsv5', 0.11), vm('D4s v5', 'Dsv5', 0.2, { currencyCode: 'EUR' })],
      }),
      '2025-12-01',
    );
    expect(mixed.ok).toBe(false);
    if (!mixed.ok)
      expect(formatIssue(mixed.errors[0]!)).toBe(
        'error: mixed.json, row 2, column "currencyCode": value "EUR": must be USD like the other prices of westeurope (one currency per region)',
      );
  });
});

describe('simple SKU,Region,Unit price list', () => {
  it('reads hourly VM rates per OS or for any OS, commitment rates and monthly disk tiers', () => {
    const csv = [
      'SKU,Region,Unit price,OS,Pricing,Currency',
      'Standard_D4s_v5,West Europe,0.25,Linux,,EUR',
      'standard_d4s_v5,westeurope,0.43,Windows,,EUR',
      'Standard_D4s_v5,westeurope,0.15,,ri1,EUR',
      'Standard_D8s_v5,westeurope,0.5,,,EUR',
      'P10 LRS,westeurope,20,,,EUR',
    ].join('\n');
    const result = readPriceList('negotiated.csv', csv, '2025-12-01');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.summary.format).toBe('simple-csv');
    expect(result.book.westeurope).toEqual({
      currency: 'EUR',
      source: 'negotiated.csv',
      retrieved: '2025-12-01',
      vm: {
        Standard_D4s_v5: { linux: 0.25, windows: 0.43, ri1: 0.15 },
        Standard_D8s_v5: { linux: 0.5, windows: 0.5 },
      },
      disk: { P10: 20 },
    });
  });

  it('names file, row, column, value and rule of each bad row', () => {
    const csv = [
      'SKU,Region,Unit price,Unit,OS',
      'Standard_D4s_v5,westeurope,abc,,',
      'P10,westeurope,20,1 Hour,',
      'Standard_D2s_v5,,0.1,,',
      'Standard_D2s_v5,westeurope,0.1,,Solaris',
    ].join('\n');
    const result = readPriceList('list.csv', csv, '2025-12-01');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatIssue)).toEqual([
      'error: list.csv, row 2, column "Unit price": value "abc": must be a number from 0 to 10000000',
      'error: list.csv, row 4, column "Region": required value is empty',
      'error: list.csv, row 5, column "OS": value "Solaris": must be one of Windows, Linux',
      'error: list.csv, row 3, column "Unit": value "1 Hour": must be "1/Month" for a managed-disk tier',
    ]);
  });

  it('refuses a CSV that is no price list', () => {
    const result = readPriceList('vms.csv', 'VM,Host\nweb01,esx1', '2025-12-01');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.rule).toContain('is not a price list');
  });
});

describe('pricing options', () => {
  const book = importedBook();

  it('prices VMs and disks of an imported region (westeurope)', () => {
    const sizing = sizeVm(web, windows, westEurope(), book);
    expect(sizing.vmSize).toBe('Standard_D4s_v5');
    expect(sizing.monthlyCompute).toBe(monthly(0.404));
    // OS disks stay on SSD: E10 is the cheapest SSD tier that holds 100 GiB.
    expect(sizing.disks).toEqual([{ diskId: 'os', type: 'Standard SSD', tier: 'E10', monthlyCost: 10.56 }]);
    expect(sizing.pricing).toBe('payg');
  });

  it('reserved instances and savings plans discount compute; Windows keeps its licence unless Hybrid Benefit', () => {
    const licence = 0.404 - 0.22;
    const price = (options: Partial<SizingOptions>, os = windows) =>
      sizeVm(web, os, westEurope(options), book).monthlyCompute;
    expect(price({ pricing: 'ri1' })).toBe(monthly(1168 / 8760 + licence));
    expect(price({ pricing: 'ri3' }, linux)).toBe(monthly(2257 / 26_280));
    expect(price({ pricing: 'sp3' })).toBe(monthly(0.11 + licence));
    expect(price({ pricing: 'ri1', hybridBenefit: true })).toBe(monthly(1168 / 8760));
    expect(price({ hybridBenefit: true })).toBe(monthly(0.22));
    // Hybrid Benefit changes nothing for Linux.
    expect(price({ hybridBenefit: true }, linux)).toBe(monthly(0.22));
  });

  it('says per VM when the list has no reservation price for its size, and uses pay-as-you-go', () => {
    const sizing = sizeVm(big, linux, westEurope({ pricing: 'ri1' }), book);
    expect(sizing.vmSize).toBe('Standard_D8s_v5');
    expect(sizing.pricing).toBe('payg');
    expect(sizing.monthlyCompute).toBe(monthly(0.44));
    expect(sizing.notes).toContain(
      'no 1-year reserved instance price for Standard_D8s_v5: pay-as-you-go used',
    );
  });

  it('changes the assessment totals as expected', () => {
    const estate: Estate = {
      formatVersion: 1,
      sources: [],
      servers: [web, big],
      hosts: [],
      applications: [],
      databases: [],
      connections: [],
      warnings: [],
    };
    const defaults = defaultAssessOptions('2025-11-28');
    const totals = (options: Partial<SizingOptions>) => {
      const a = assessEstate(estate, { ...defaults, sizing: westEurope(options) }, book);
      return { compute: a.totals.monthlyCompute, storage: a.totals.monthlyStorage, pricing: a.pricing };
    };
    const payg = totals({});
    expect(payg.compute).toBe(Math.round((monthly(0.404) + monthly(0.44)) * 100) / 100);
    expect(payg.storage).toBe(21.12);
    const ri = totals({ pricing: 'ri1' });
    expect(ri.compute).toBe(Math.round((monthly(1168 / 8760 + 0.184) + monthly(0.44)) * 100) / 100);
    expect(ri.pricing).toMatchObject({ pricing: 'ri1', paygFallbacks: 1, storageUnpriced: 0 });
    const ahb = totals({ pricing: 'ri1', hybridBenefit: true });
    expect(ahb.compute).toBe(Math.round((monthly(1168 / 8760) + monthly(0.44)) * 100) / 100);
    expect(ahb.storage).toBe(payg.storage);
  });

  it('states where the shipped catalog prices come from', () => {
    const estate: Estate = {
      formatVersion: 1,
      sources: [],
      servers: [web],
      hosts: [],
      applications: [],
      databases: [],
      connections: [],
      warnings: [],
    };
    const assessment = assessEstate(estate, defaultAssessOptions('2025-11-28'));
    expect(assessment.pricing).toMatchObject({
      region: 'eastus',
      currency: 'USD',
      pricing: 'payg',
      retrieved: '2025-11-28',
    });
    expect(assessment.pricing.source).toContain(
      'https://azure.microsoft.com/pricing/details/virtual-machines/linux/',
    );
    // The shipped catalog has no reservation prices: every sized VM says so.
    const ri = assessEstate(estate, {
      ...defaultAssessOptions('2025-11-28'),
      sizing: { ...defaultSizing, pricing: 'ri3' },
    });
    expect(ri.pricing.paygFallbacks).toBe(1);
    expect(ri.vms[0]?.sizing?.notes).toContain(
      'no 3-year reserved instance price for Standard_D4s_v5: pay-as-you-go used',
    );
  });

  it('refuses a region without prices instead of costing $0', () => {
    const estate = {
      formatVersion: 1,
      sources: [],
      servers: [web],
      hosts: [],
      applications: [],
      databases: [],
      connections: [],
      warnings: [],
    } satisfies Estate;
    expect(() =>
      assessEstate(estate, {
        ...defaultAssessOptions('2025-11-28'),
        sizing: { ...defaultSizing, region: 'westeurope' },
      }),
    ).toThrow('region westeurope has no prices; regions with prices: eastus');
  });
});

describe('factory prices import and assess --region', () => {
  const estate: Estate = {
    formatVersion: 1,
    sources: [],
    servers: [web, big],
    hosts: [],
    applications: [],
    databases: [],
    connections: [],
    warnings: [],
  };

  it('refuses an unknown region as a usage error naming the regions that have prices', async () => {
    const workspace = tempDir();
    await saveEstate(workspace, estate);
    const run = runAssess({
      workspace,
      asOf: '2025-11-28',
      sizing: { region: 'westeurope' },
      print: () => undefined,
    });
    const error: unknown = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.usage);
    expect((error as CliError).message).toContain(
      '--region westeurope has no prices; regions with prices: eastus.',
    );
  });

  it('imports a price list into the workspace and prices that region with it', async () => {
    const workspace = tempDir();
    await saveEstate(workspace, estate);
    const { paths } = writeInputs({ 'westeurope-prices.json': retailJson });
    const lines: string[] = [];
    const outcome = await runPricesImport({
      file: paths[0]!,
      workspace,
      importedOn: '2025-12-01',
      print: (l) => lines.push(l),
    });
    expect(outcome.ok).toBe(true);
    expect(lines[1]).toBe(
      '  westeurope: 4 VM sizes, 4 disk tiers, USD; pay-as-you-go, 1-year reserved instance, 3-year reserved instance, 1-year savings plan, 3-year savings plan',
    );
    const stored = JSON.parse(readFileSync(join(workspace, 'prices.json'), 'utf8')) as {
      imports: { file: string; importedOn: string; regions: string[] }[];
    };
    expect(stored.imports).toEqual([
      {
        file: 'westeurope-prices.json',
        format: 'retail-json',
        importedOn: '2025-12-01',
        regions: ['westeurope'],
      },
    ]);
    const printed: string[] = [];
    const assessment = await runAssess({
      workspace,
      asOf: '2025-11-28',
      sizing: { region: 'West Europe', mode: 'as-on-premises', pricing: 'ri1', hybridBenefit: true },
      print: (l) => printed.push(l),
    });
    expect(assessment.pricing).toMatchObject({ region: 'westeurope', source: 'westeurope-prices.json' });
    expect(assessment.vms.map((v) => [v.name, v.sizing?.vmSize, v.sizing?.monthlyCompute])).toEqual([
      ['web', 'Standard_D4s_v5', monthly(1168 / 8760)],
      ['big', 'Standard_D8s_v5', monthly(0.44)],
    ]);
    expect(printed).toContain(
      'Prices: westeurope, 1-year reserved instance with Azure Hybrid Benefit, from westeurope-prices.json (2025-12-01); 1 VMs at pay-as-you-go (no 1-year reserved instance price for their size)',
    );
  });

  it('leaves the workspace untouched when the list has errors', async () => {
    const workspace = tempDir();
    const { paths } = writeInputs({ 'bad.csv': 'SKU,Region,Unit price\nStandard_D4s_v5,westeurope,-1\n' });
    const lines: string[] = [];
    const outcome = await runPricesImport({
      file: paths[0]!,
      workspace,
      importedOn: '2025-12-01',
      print: (l) => lines.push(l),
    });
    expect(outcome.ok).toBe(false);
    expect(lines[0]).toContain('row 2, column "Unit price": value "-1": must be a number from 0 to 10000000');
    expect(() => readFileSync(join(workspace, 'prices.json'))).toThrow();
  });
});
