/**
 * Turns the paths given to `factory import` into Tables. Directories are expanded to the CSV/xlsx
 * files inside (the RVTools CSV-per-tab form is a folder). Nothing here throws for bad input: every
 * problem becomes an error naming the file, so one run reports all of them.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { isIgnoredSheet } from '../../domain/inventory/formats.ts';
import type { IssueLog } from '../../domain/inventory/issues.ts';
import type { Table } from '../../domain/inventory/table.ts';
import { parseCsv } from './read-csv.ts';
import { displayNames } from '../../workspace/inputs.ts';
import { readXlsx, WorkbookRefused, type XlsxLimits } from './read-xlsx.ts';

export interface InputLimits {
  /** Larger files are refused before reading: they cannot be an inventory and would exhaust memory. */
  maxFileBytes: number;
  /** An xlsx is held in memory while its parts are streamed, so its limit is lower. */
  maxXlsxBytes: number;
  /** Sum of the unzipped sizes of all parts of a workbook, read from the zip directory before unzipping. */
  maxXlsxUncompressedBytes: number;
  /** Unzipped size of any one part (one sheet's XML, the shared strings). */
  maxXlsxPartBytes: number;
  /** Unzipped / zipped size of any part over 1 MiB; sheet XML compresses about 5-20:1, zip bombs 1000:1. */
  maxXlsxCompressionRatio: number;
  /** Rows with a value per sheet. */
  maxXlsxRowsPerSheet: number;
  /** The rightmost column a value may sit in. */
  maxXlsxColumns: number;
  /** Cells kept per workbook, each row counted up to its last value (memory grows with this). */
  maxXlsxCells: number;
}

/**
 * Sized for a 10,000-VM RVTools export with room to spare: vDisk and vPartition hold about 40,000
 * rows, vInfo about 90 columns, and the five sheets read hold about 3.5 million cells; all 27 sheets
 * unzip to a few hundred MB.
 */
export const defaultLimits: InputLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  maxXlsxBytes: 64 * 1024 * 1024,
  maxXlsxUncompressedBytes: 1024 * 1024 * 1024,
  maxXlsxPartBytes: 512 * 1024 * 1024,
  maxXlsxCompressionRatio: 200,
  maxXlsxRowsPerSheet: 250_000,
  maxXlsxColumns: 1024,
  maxXlsxCells: 10_000_000,
};

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
        tables.push(
          ...(await readXlsx(name, content, { limits: xlsxLimits(limits), skipSheet: isIgnoredSheet })),
        );
      } catch (error) {
        if (error instanceof WorkbookRefused) log.error({ file: name, ...error.at }, error.rule);
        else {
          log.error(
            { file: name },
            `is not a readable xlsx workbook (${error instanceof Error ? error.message : String(error)})`,
          );
        }
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
    else {
      log.error(
        { file: name, row: parsed.row, ...(parsed.column === undefined ? {} : { column: parsed.column }) },
        parsed.rule,
      );
    }
  }
  return tables;
}

const xlsxLimits = (limits: InputLimits): XlsxLimits => ({
  maxUncompressedBytes: limits.maxXlsxUncompressedBytes,
  maxPartBytes: limits.maxXlsxPartBytes,
  maxCompressionRatio: limits.maxXlsxCompressionRatio,
  maxRowsPerSheet: limits.maxXlsxRowsPerSheet,
  maxColumns: limits.maxXlsxColumns,
  maxCells: limits.maxXlsxCells,
});

function decodeUtf8(content: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return undefined;
  }
}
