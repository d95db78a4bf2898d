/**
 * prices.json in the workspace: the customer's imported price lists, by region, with the file and date
 * each came from. `factory assess` prices any region it covers from it and the rest from the shipped
 * catalog. The file is validated on read, so a hand-broken one is reported instead of pricing at $0.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { regionPricesSchema, type PriceBook } from '../../domain/assess/price-book.ts';
import { readValidated, writeAtomically, ensureWorkspace } from '../../workspace/files.ts';
import { access } from 'node:fs/promises';

export const PRICES_FILE = 'prices.json';

export const storedPricesSchema = z.object({
  formatVersion: z.literal(1),
  imports: z.array(
    z.object({
      file: z.string(),
      format: z.enum(['retail-json', 'retail-csv', 'simple-csv']),
      importedOn: z.string(),
      regions: z.array(z.string()),
    }),
  ),
  regions: z.record(z.string(), regionPricesSchema),
});
export type StoredPrices = z.infer<typeof storedPricesSchema>;

export async function loadPrices(workspace: string): Promise<StoredPrices | undefined> {
  const path = join(workspace, PRICES_FILE);
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (!exists) return undefined;
  return readValidated(path, storedPricesSchema, `cannot read ${path}`);
}

/** Adds an import: its regions replace the same regions of earlier imports; other regions stay. */
export async function savePrices(
  workspace: string,
  previous: StoredPrices | undefined,
  added: {
    file: string;
    format: StoredPrices['imports'][number]['format'];
    importedOn: string;
    book: PriceBook;
  },
): Promise<string> {
  await ensureWorkspace(workspace);
  const regions = Object.keys(added.book);
  const next: StoredPrices = {
    formatVersion: 1,
    imports: [
      ...(previous?.imports ?? [])
        .map((i) => ({ ...i, regions: i.regions.filter((r) => !regions.includes(r)) }))
        .filter((i) => i.regions.length > 0),
      { file: added.file, format: added.format, importedOn: added.importedOn, regions },
    ],
    regions: { ...(previous?.regions ?? {}), ...added.book },
  };
  const path = join(workspace, PRICES_FILE);
  await writeAtomically(path, `${JSON.stringify(next, null, 1)}\n`);
  return path;
}
