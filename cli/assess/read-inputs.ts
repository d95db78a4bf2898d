/**
 * Turns the paths given to `factory import` into Tables. Directories are expanded to the CSV/xlsx
 * files inside (the RVTools CSV-per-tab form is a folder). Nothing here throws for bad input: every
 * problem becomes an error naming the file, so one run reports all of them.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseCsv } from '../../domain/inventory/csv.ts';
import type { IssueLog } from '../../domain/inventory/issues.ts';
import type { Table } from '../../domain/inventory/table.ts';
import { readXlsx } from './read-xlsx.ts';

export interface InputLimits {
  /** Larger files are refused before reading: they cannot be an inventory and would exhaust memory. */
  maxFileBytes: number;
  /** xlsx is compressed about tenfold and exceljs holds the whole workbook, so its limit is lower. */
  maxXlsxBytes: number;
}

export const defaultLimits: InputLimits = { maxFileBytes: 256 * 1024 * 1024, maxXlsxBytes: 64 * 1024 * 1024 };

/**
 * Names used in messages and provenance: the file name, or parent/name when two inputs share a
 * name (two vCenters' RVTools folders both hold RVTools_tabvInfo.csv).
 */
function displayNames(paths: readonly string[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const path of paths) counts.set(basename(path), (counts.get(basename(path)) ?? 0) + 1);
  return new Map(
    paths.map((path) => [
      path,
      (counts.get(basename(path)) ?? 0) > 1 ? `${basename(dirname(path))}/${basename(path)}` : basename(path),
    ]),
  );
}

const ACCEPTED = new Set(['.csv', '.xlsx']);

export async function expandPaths(paths: readonly string[], log: IssueLog): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) log.error({ file: path }, 'file does not exist or cannot be read');
    else if (info.isDirectory()) {
      const entries = (await readdir(path)).sort();
      files.push(
        ...entries
          .filter((name) => ACCEPTED.has(extname(name).toLowerCase()))
          .map((name) => join(path, name)),
      );
    } else files.push(path);
  }
  return files;
}

export async function readInputs(
  paths: readonly string[],
  log: IssueLog,
  limits: InputLimits = defaultLimits,
): Promise<Table[]> {
  const tables: Table[] = [];
  const files = await expandPaths(paths, log);
  const names = displayNames(files);
  for (const path of files) {
    const name = names.get(path) ?? basename(path);
    const extension = extname(path).toLowerCase();
    if (!ACCEPTED.has(extension)) {
      log.error({ file: name }, 'must be a .csv or .xlsx file');
      continue;
    }
    const info = await stat(path);
    const limit =
      extension === '.xlsx' ? Math.min(limits.maxXlsxBytes, limits.maxFileBytes) : limits.maxFileBytes;
    if (info.size > limit) {
      log.error({ file: name }, `file is ${info.size} bytes; the limit is ${limit}`);
      continue;
    }
    const content = await readFile(path).catch(() => undefined);
    if (content === undefined) {
      log.error({ file: name }, 'file cannot be read');
      continue;
    }
    if (extension === '.xlsx') {
      try {
        tables.push(...(await readXlsx(name, content)));
      } catch (error) {
        log.error(
          { file: name },
          `is not a readable xlsx workbook (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      continue;
    }
    const text = decodeUtf8(content);
    if (text === undefined) {
      log.error({ file: name }, 'must be UTF-8 text (save the CSV as "CSV UTF-8")');
      continue;
    }
    const parsed = parseCsv(name, text);
    if (parsed.ok) tables.push(parsed.table);
    else log.error({ file: name, row: parsed.row }, parsed.rule);
  }
  return tables;
}

function decodeUtf8(content: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return undefined;
  }
}
