/** `factory prices import <file>`: read a customer's price list and store it in the workspace. */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readPriceList } from '../../domain/assess/price-list.ts';
import { parseCsv } from './read-csv.ts';
import { pricingLabels } from '../../domain/assess/price-book.ts';
import { formatIssue } from '../../domain/inventory/issues.ts';
import { loadPrices, savePrices } from './prices-store.ts';

/** Filter the Retail Prices API by region and service rather than importing the whole of Azure. */
export const MAX_PRICE_LIST_BYTES = 256 * 1024 * 1024;

export interface PricesImportOptions {
  file: string;
  workspace: string;
  /** YYYY-MM-DD; the CLI passes today. */
  importedOn: string;
  json?: boolean;
  print: (line: string) => void;
}

export async function runPricesImport(options: PricesImportOptions): Promise<{ ok: boolean }> {
  const size = (await stat(options.file)).size;
  if (size > MAX_PRICE_LIST_BYTES) {
    options.print(
      `error: ${options.file}: ${size} bytes is over the ${MAX_PRICE_LIST_BYTES} byte limit; filter the Retail Prices API by armRegionName and serviceName`,
    );
    return { ok: false };
  }
  const result = readPriceList(
    options.file,
    await readFile(options.file, 'utf8'),
    options.importedOn,
    parseCsv,
  );
  if (!result.ok) {
    if (options.json === true) options.print(JSON.stringify({ ok: false, errors: result.errors }, null, 2));
    else {
      for (const issue of result.errors) options.print(formatIssue(issue));
      if (result.suppressed > 0) options.print(`… and ${result.suppressed} more errors`);
      options.print(
        `Nothing imported: ${result.errors.length + result.suppressed} errors in ${options.file}`,
      );
    }
    return { ok: false };
  }
  const previous = await loadPrices(options.workspace);
  const path = await savePrices(options.workspace, previous, {
    file: basename(options.file),
    format: result.summary.format,
    importedOn: options.importedOn,
    book: result.book,
  });
  if (options.json === true) {
    options.print(JSON.stringify({ ok: true, path, ...result.summary }, null, 2));
    return { ok: true };
  }
  options.print(`Imported ${options.file} (${result.summary.format}) into ${path}`);
  for (const r of result.summary.regions)
    options.print(
      `  ${r.region}: ${r.vmSizes} VM sizes, ${r.diskTiers} disk tiers, ${r.currency}; ${r.options.map((o) => pricingLabels[o]).join(', ') || 'no VM prices'}`,
    );
  const ignored = Object.entries(result.summary.ignored);
  if (ignored.length > 0) options.print(`  ignored: ${ignored.map(([why, n]) => `${n} ${why}`).join(', ')}`);
  if (result.summary.sizesOutsideCatalog > 0)
    options.print(
      `  ${result.summary.sizesOutsideCatalog} sizes are not in the sizing catalog (domain/data/azure-vm-skus.ts) and are never chosen`,
    );
  return { ok: true };
}
