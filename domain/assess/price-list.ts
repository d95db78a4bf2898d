/**
 * Reads a customer's price list into a price book. Three shapes are accepted:
 *
 * - the Azure Retail Prices API's JSON (https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices):
 *   one page `{ "Items": [...], "NextPageLink": … }`, several pages concatenated (as `curl >> file`
 *   leaves them) or in an array, or a bare array of items;
 * - the same items as CSV, one column per item field (armSkuName, armRegionName, retailPrice, …);
 * - a simple CSV: `SKU,Region,Unit price` with optional `OS`, `Unit`, `Pricing` and `Currency` columns.
 *
 * Retail items: `Virtual Machines` meters priced per "1 Hour" (productName ending in "Windows" = the
 * Windows meter, else Linux); Spot and Low Priority meters are left out; `Reservation` items carry the
 * price of the whole term (reservationTerm "1 Year" / "3 Years"), turned into an hourly equivalent;
 * a Consumption item's `savingsPlan` rates (API version 2023-01-01-preview) give the savings-plan rates.
 * Managed-disk meters (`Storage`, "… Managed Disks", meter "P10 LRS Disk", "1/Month") price disk tiers.
 * Other services are ignored and counted. When one meter appears with several effectiveStartDate values,
 * the latest wins. Every bad value is reported with file, row (item), column (field) and the rule;
 * a list with any error yields nothing.
 */
import { decimal, oneOf, text } from '../inventory/cells.ts';
import { column, readRecords, required } from '../inventory/columns.ts';
import { IssueLog, type ImportIssue } from '../inventory/issues.ts';
import { headerIndex, normalizeHeader, type Table } from '../inventory/table.ts';
import { diskTiers } from '../data/managed-disks.ts';
import { vmSkus } from '../data/azure-vm-skus.ts';
import {
  normaliseRegion,
  pricingOptions,
  type PriceBook,
  type PricingOption,
  type RegionPrices,
  type VmRate,
} from './price-book.ts';

export type PriceListFormat = 'retail-json' | 'retail-csv' | 'simple-csv';

export interface PriceListSummary {
  format: PriceListFormat;
  regions: {
    region: string;
    currency: string;
    vmSizes: number;
    diskTiers: number;
    options: PricingOption[];
  }[];
  /** Rows read but not used, by reason. */
  ignored: Record<string, number>;
  /** Sizes priced by the list that the sizing catalog does not describe (their specs are unknown). */
  sizesOutsideCatalog: number;
}

export type PriceListResult =
  | { ok: true; book: PriceBook; summary: PriceListSummary; warnings: ImportIssue[] }
  | { ok: false; errors: ImportIssue[]; suppressed: number };

interface PriceRow {
  where: { file: string; sheet?: string; row: number };
  region: string;
  currency: string;
  kind: 'vm' | 'disk';
  sku: string;
  /** Absent = the rate applies to Windows and Linux alike (simple CSV without an OS). */
  os?: 'windows' | 'linux';
  option: PricingOption;
  /** Hourly for VMs, monthly for disks. */
  price: number;
  effective?: string;
}

const HOURS_PER_YEAR = 8760;
const MAX_PRICE = 1e7;
const DISK_TIER = /^([PES]\d+)(?: LRS)?$/i;
const knownSizes = new Set(vmSkus.map((s) => s.name.toLowerCase()));
const canonicalSize = new Map(vmSkus.map((s) => [s.name.toLowerCase(), s.name]));
const knownTiers = new Map(diskTiers.map((t) => [t.tier.toLowerCase(), t.tier]));

/** How CSV text becomes a Table; the CSV parser lives at the edge (it is not sandbox code). */
export type CsvReader = (
  file: string,
  text: string,
) => { ok: true; table: Table } | { ok: false; row: number; rule: string };

/**
 * Parses a price list; `importedOn` (YYYY-MM-DD) is when the customer's figures entered the workspace.
 */
export function readPriceList(
  file: string,
  content: string,
  importedOn: string,
  parseCsv: CsvReader,
): PriceListResult {
  const log = new IssueLog();
  const ignored: Record<string, number> = {};
  const ignore = (reason: string) => (ignored[reason] = (ignored[reason] ?? 0) + 1);
  const body = content.replace(/^\uFEFF/, '');
  let format: PriceListFormat;
  let rows: PriceRow[];
  if (/^\s*[[{]/.test(body)) {
    format = 'retail-json';
    rows = retailJsonRows(file, body, log, ignore);
  } else {
    const parsed = parseCsv(file, body);
    if (!parsed.ok) {
      log.error({ file, row: parsed.row }, parsed.rule);
      return failed(log);
    }
    const headers = headerIndex(parsed.table);
    if (headers.has('armskuname') && headers.has('retailprice')) {
      format = 'retail-csv';
      rows = retailCsvRows(parsed.table, log, ignore);
    } else if (headers.has('sku') && headers.has('region')) {
      format = 'simple-csv';
      rows = simpleCsvRows(parsed.table, log);
    } else {
      log.error(
        { file, row: parsed.table.headerLine },
        'is not a price list: expected the Retail Prices API columns (armSkuName, armRegionName, retailPrice, …) or SKU, Region, Unit price',
        parsed.table.header.join(','),
      );
      return failed(log);
    }
  }
  const currencyOf = new Map<string, string>();
  for (const row of rows) {
    const first = currencyOf.get(row.region);
    if (first === undefined) currencyOf.set(row.region, row.currency);
    else if (first !== row.currency)
      log.error(
        { ...row.where, column: 'currencyCode' },
        `must be ${first} like the other prices of ${row.region} (one currency per region)`,
        row.currency,
      );
  }
  if (log.hasErrors) return failed(log);
  if (rows.length === 0) {
    log.error({ file }, 'holds no usable price: no Virtual Machines or managed-disk meter');
    return failed(log);
  }
  const book = aggregate(rows, file.split(/[\\/]/).pop() ?? file, importedOn);
  const outside = new Set(
    rows.filter((r) => r.kind === 'vm' && !knownSizes.has(r.sku.toLowerCase())).map((r) => r.sku),
  );
  return {
    ok: true,
    book,
    summary: {
      format,
      regions: Object.entries(book).map(([region, prices]) => ({
        region,
        currency: prices.currency,
        vmSizes: Object.keys(prices.vm).length,
        diskTiers: Object.keys(prices.disk).length,
        options: pricingOptions.filter((o) =>
          Object.values(prices.vm).some((rate) =>
            o === 'payg' ? rate.linux !== undefined || rate.windows !== undefined : rate[o] !== undefined,
          ),
        ),
      })),
      ignored,
      sizesOutsideCatalog: outside.size,
    },
    warnings: log.warnings,
  };
}

const failed = (log: IssueLog): PriceListResult => ({
  ok: false,
  errors: log.errors,
  suppressed: log.suppressed.errors,
});

function aggregate(rows: readonly PriceRow[], source: string, importedOn: string): PriceBook {
  const book: PriceBook = {};
  const effectiveOf = new Map<string, string>();
  for (const row of rows) {
    const region: RegionPrices = (book[row.region] ??= {
      currency: row.currency,
      source,
      retrieved: importedOn,
      vm: {},
      disk: {},
    });
    if (row.effective !== undefined && (region.effectiveFrom ?? '') < row.effective)
      region.effectiveFrom = row.effective;
    const key = [row.region, row.kind, row.sku, row.os ?? '*', row.option].join('|');
    const previous = effectiveOf.get(key);
    // The latest effective date wins; rows without a date replace each other in file order.
    if (previous !== undefined && row.effective !== undefined && row.effective < previous) continue;
    if (row.effective !== undefined) effectiveOf.set(key, row.effective);
    if (row.kind === 'disk') {
      region.disk[row.sku] = row.price;
      continue;
    }
    const rate: VmRate = (region.vm[row.sku] ??= {});
    if (row.option !== 'payg') rate[row.option] = row.price;
    else if (row.os === undefined) {
      rate.linux = row.price;
      rate.windows = row.price;
    } else rate[row.os] = row.price;
  }
  return book;
}

// ---------------------------------------------------------------------------------------------------
// Retail Prices API items (JSON or CSV)

interface RetailItem {
  where: PriceRow['where'];
  field: (name: string) => string | undefined;
  savingsPlan?: unknown;
}

function retailRows(
  items: Iterable<RetailItem>,
  log: IssueLog,
  ignore: (reason: string) => void,
): PriceRow[] {
  const rows: PriceRow[] = [];
  for (const item of items) {
    const f = item.field;
    const type = f('type') ?? '';
    const names = `${f('meterName') ?? ''} ${f('skuName') ?? ''} ${f('productName') ?? ''}`;
    if (type !== 'Consumption' && type !== 'Reservation') {
      ignore(`type ${type || '(none)'}`);
      continue;
    }
    if (/\b(spot|low priority)\b/i.test(names)) {
      ignore('Spot or Low Priority');
      continue;
    }
    const service = f('serviceName') ?? '';
    const product = f('productName') ?? '';
    const isVm = service === 'Virtual Machines';
    const diskMeter = /^([PES]\d+) LRS Disk$/.exec(f('meterName') ?? '');
    const isDisk =
      service === 'Storage' &&
      /^(Premium SSD|Standard SSD|Standard HDD) Managed Disks$/.test(product) &&
      diskMeter !== null &&
      type === 'Consumption';
    if (!isVm && !isDisk) {
      ignore(`not a VM or managed-disk meter (${service || 'no service'})`);
      continue;
    }
    const minimum = f('tierMinimumUnits');
    if (minimum !== undefined && Number(minimum) > 0) {
      ignore('tiered price (tierMinimumUnits > 0)');
      continue;
    }
    const need = (name: string): string | undefined => {
      const value = f(name);
      if (value === undefined || value === '')
        log.error({ ...item.where, column: name }, 'required value is empty');
      return value === '' ? undefined : value;
    };
    const region = need('armRegionName');
    const priceText = f('retailPrice') ?? f('unitPrice');
    const price = priceText === undefined ? undefined : Number(priceText);
    if (price === undefined || !Number.isFinite(price) || price < 0 || price > MAX_PRICE) {
      log.error(
        { ...item.where, column: 'retailPrice' },
        `must be a number from 0 to ${MAX_PRICE}`,
        priceText ?? '',
      );
      continue;
    }
    const unit = f('unitOfMeasure') ?? '';
    const currency = (f('currencyCode') ?? 'USD').toUpperCase();
    const effective = f('effectiveStartDate')?.slice(0, 10);
    const base = { where: item.where, currency, ...(effective ? { effective } : {}) };
    if (isDisk) {
      if (unit !== '1/Month') {
        log.error(
          { ...item.where, column: 'unitOfMeasure' },
          'must be "1/Month" for a managed-disk meter',
          unit,
        );
        continue;
      }
      if (region === undefined) continue;
      const tier = knownTiers.get((diskMeter?.[1] ?? '').toLowerCase());
      if (tier === undefined) {
        ignore('disk tier outside the catalog');
        continue;
      }
      rows.push({ ...base, region: normaliseRegion(region), kind: 'disk', sku: tier, option: 'payg', price });
      continue;
    }
    const sku = need('armSkuName');
    if (unit !== '1 Hour') {
      log.error(
        { ...item.where, column: 'unitOfMeasure' },
        'must be "1 Hour" for a Virtual Machines meter',
        unit,
      );
      continue;
    }
    if (region === undefined || sku === undefined) continue;
    const vm = {
      ...base,
      region: normaliseRegion(region),
      kind: 'vm' as const,
      sku: canonicalSize.get(sku.toLowerCase()) ?? sku,
    };
    if (type === 'Reservation') {
      const term = f('reservationTerm') ?? '';
      const years = term === '1 Year' ? 1 : term === '3 Years' ? 3 : undefined;
      if (years === undefined) {
        log.error({ ...item.where, column: 'reservationTerm' }, 'must be "1 Year" or "3 Years"', term);
        continue;
      }
      // A reservation item's price is for the whole term, not per hour.
      rows.push({ ...vm, option: years === 1 ? 'ri1' : 'ri3', price: price / (HOURS_PER_YEAR * years) });
      continue;
    }
    const windows = /\bWindows$/.test(product);
    rows.push({ ...vm, os: windows ? 'windows' : 'linux', option: 'payg', price });
    // Savings plans discount compute only; the Linux meter's rates are that compute rate.
    if (!windows && Array.isArray(item.savingsPlan))
      for (const [n, plan] of item.savingsPlan.entries()) {
        const { term, rate } = savingsPlanRate(plan);
        const option = term === '1 Year' ? 'sp1' : term === '3 Years' ? 'sp3' : undefined;
        if (option === undefined || rate === undefined || rate < 0) {
          log.error(
            { ...item.where, column: `savingsPlan[${n}]` },
            'must have term "1 Year" or "3 Years" and a retailPrice ≥ 0',
            JSON.stringify(plan),
          );
          continue;
        }
        rows.push({ ...vm, os: 'linux', option, price: rate });
      }
  }
  return rows;
}

function savingsPlanRate(plan: unknown): { term?: string; rate?: number } {
  if (typeof plan !== 'object' || plan === null) return {};
  const p = plan as Record<string, unknown>;
  const rate = typeof p.retailPrice === 'number' ? p.retailPrice : p.unitPrice;
  return {
    ...(typeof p.term === 'string' ? { term: p.term } : {}),
    ...(typeof rate === 'number' && Number.isFinite(rate) ? { rate } : {}),
  };
}

const scalar = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value.trim()
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;

function retailJsonRows(
  file: string,
  body: string,
  log: IssueLog,
  ignore: (reason: string) => void,
): PriceRow[] {
  const documents = jsonDocuments(body);
  if (!documents.ok) {
    log.error({ file }, documents.rule);
    return [];
  }
  // Pages: each document is a page, an array of pages, or a bare array of items.
  const pages: unknown[][] = [];
  for (const doc of documents.values) {
    const list = Array.isArray(doc) ? doc : [doc];
    const bareItems = list.every(
      (entry) => typeof entry === 'object' && entry !== null && !('Items' in entry),
    );
    if (Array.isArray(doc) && bareItems) {
      pages.push(doc);
      continue;
    }
    for (const page of list) {
      const items =
        typeof page === 'object' && page !== null ? (page as { Items?: unknown }).Items : undefined;
      if (!Array.isArray(items)) {
        log.error(
          { file, sheet: `page ${pages.length + 1}` },
          'must be an object with an "Items" array (a Retail Prices API page)',
        );
        continue;
      }
      pages.push(items);
    }
  }
  const several = pages.length > 1;
  function* items(): Generator<RetailItem> {
    for (const [p, page] of pages.entries())
      for (const [i, entry] of page.entries()) {
        const where = { file, ...(several ? { sheet: `page ${p + 1}` } : {}), row: i + 1 };
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
          log.error(where, 'must be a price item object');
          continue;
        }
        const record = entry as Record<string, unknown>;
        yield { where, field: (name) => scalar(record[name]), savingsPlan: record.savingsPlan };
      }
  }
  return retailRows(items(), log, ignore);
}

/** One JSON value, or several top-level values one after another (pages appended to one file). */
function jsonDocuments(body: string): { ok: true; values: unknown[] } | { ok: false; rule: string } {
  try {
    return { ok: true, values: [JSON.parse(body)] };
  } catch {
    // Fall through: maybe several pages concatenated.
  }
  const values: unknown[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < body.length; i += 1) {
    const ch = body[i] ?? '';
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (ch === '}' || ch === ']') {
      depth -= 1;
      if (depth < 0)
        return { ok: false, rule: `is not valid JSON: unexpected "${ch}" at character ${i + 1}` };
      if (depth === 0) {
        try {
          values.push(JSON.parse(body.slice(start, i + 1)));
        } catch (error) {
          return {
            ok: false,
            rule: `page ${values.length + 1} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
      }
    } else if (depth === 0 && !/[\s,]/.test(ch))
      return { ok: false, rule: `is not valid JSON: unexpected "${ch}" between pages at character ${i + 1}` };
  }
  if (depth !== 0)
    return { ok: false, rule: 'is not valid JSON: it ends inside a page (truncated download?)' };
  return values.length === 0 ? { ok: false, rule: 'holds no JSON page' } : { ok: true, values };
}

function retailCsvRows(table: Table, log: IssueLog, ignore: (reason: string) => void): PriceRow[] {
  const index = headerIndex(table);
  function* items(): Generator<RetailItem> {
    for (const row of table.rows) {
      if (row.cells.every((c) => c.trim() === '')) continue;
      const where = {
        file: table.file,
        ...(table.sheet === undefined ? {} : { sheet: table.sheet }),
        row: row.line,
      };
      yield {
        where,
        field: (name) => {
          const position = index.get(normalizeHeader(name));
          const value = position === undefined ? undefined : row.cells[position]?.trim();
          return value === '' ? undefined : value;
        },
      };
    }
  }
  return retailRows(items(), log, ignore);
}

// ---------------------------------------------------------------------------------------------------
// Simple SKU,Region,Unit price CSV

const simpleColumns = {
  sku: required('SKU', text(100), ['Size', 'armSkuName', 'VM size']),
  region: required('Region', text(100), ['armRegionName', 'Location']),
  price: required('Unit price', decimal(0, MAX_PRICE), ['Price', 'unitPrice', 'retailPrice']),
  os: column('OS', oneOf(['Windows', 'Linux'])),
  unit: column(
    'Unit',
    oneOf(['1 Hour', '1/Month'], { hour: '1 Hour', hourly: '1 Hour', month: '1/Month', monthly: '1/Month' }),
  ),
  pricing: column('Pricing', oneOf(pricingOptions)),
  currency: column('Currency', text(3)),
};

function simpleCsvRows(table: Table, log: IssueLog): PriceRow[] {
  const rows: PriceRow[] = [];
  for (const { line, values } of readRecords(table, simpleColumns, log)) {
    const where = {
      file: table.file,
      ...(table.sheet === undefined ? {} : { sheet: table.sheet }),
      row: line,
    };
    const diskTier = DISK_TIER.exec(values.sku);
    const kind = diskTier === null ? 'vm' : 'disk';
    const unit = values.unit ?? (kind === 'vm' ? '1 Hour' : '1/Month');
    if ((kind === 'vm') !== (unit === '1 Hour')) {
      log.error(
        { ...where, column: 'Unit' },
        kind === 'vm' ? 'must be "1 Hour" for a VM size' : 'must be "1/Month" for a managed-disk tier',
        unit,
      );
      continue;
    }
    const option = values.pricing ?? 'payg';
    if (kind === 'disk' && option !== 'payg') {
      log.error({ ...where, column: 'Pricing' }, 'must be payg for a managed-disk tier', option);
      continue;
    }
    const sku =
      kind === 'disk'
        ? (knownTiers.get((diskTier?.[1] ?? '').toLowerCase()) ?? values.sku)
        : (canonicalSize.get(values.sku.toLowerCase()) ?? values.sku);
    rows.push({
      where,
      region: normaliseRegion(values.region),
      currency: (values.currency ?? 'USD').toUpperCase(),
      kind,
      sku,
      ...(values.os === undefined || option !== 'payg'
        ? {}
        : { os: values.os === 'Windows' ? 'windows' : 'linux' }),
      option,
      price: values.price,
    });
  }
  return rows;
}
