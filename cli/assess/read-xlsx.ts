/**
 * Reads the worksheets of an xlsx workbook into Tables of strings (the edge; domain code sees text),
 * in bounded memory. The zip's central directory is checked first (total and per-part unzipped size,
 * compression ratio), then each sheet's XML is streamed through a SAX parser with limits on rows,
 * columns and cells. exceljs' `xlsx.load` is not used: it holds the whole workbook and builds every
 * row as wide as its rightmost cell, so one value in column XFD on 20,000 rows exhausts memory.
 */
import { posix } from 'node:path';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import type { Table, TableRow } from '../../domain/inventory/table.ts';

export interface XlsxLimits {
  /** Sum of the unzipped sizes of every part of the workbook. */
  maxUncompressedBytes: number;
  /** Unzipped size of any one part (a sheet's XML, the shared strings). */
  maxPartBytes: number;
  /** Unzipped / zipped size of a part larger than 1 MiB; XML rarely compresses beyond 100:1. */
  maxCompressionRatio: number;
  /** Rows holding a value, per sheet. */
  maxRowsPerSheet: number;
  /** Highest column a value may sit in (1,024 = column AMJ). */
  maxColumns: number;
  /** Cells kept for the whole workbook, counting each row as wide as its rightmost value. */
  maxCells: number;
}

/** A workbook that breaks a limit: the message names the limit; location says where it was hit. */
export class WorkbookRefused extends Error {
  constructor(
    readonly rule: string,
    readonly at: { sheet?: string; row?: number } = {},
  ) {
    super(rule);
  }
}

export interface ReadXlsxOptions {
  limits: XlsxLimits;
  /** Sheets known to carry nothing an importer reads are never unzipped. */
  skipSheet?: (name: string) => boolean;
}

/** Parts smaller than this are not ratio-checked: tiny XML parts have meaningless ratios. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

export async function readXlsx(file: string, content: Buffer, options: ReadXlsxOptions): Promise<Table[]> {
  const { limits } = options;
  const zip = await yauzl.fromBufferPromise(content, {
    lazyEntries: true,
    autoClose: false,
    validateEntrySizes: true,
  });
  try {
    const entries = new Map<string, yauzl.Entry>();
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      checkEntry(entry, limits);
      total += entry.uncompressedSize;
      entries.set(entry.fileName, entry);
    }
    if (total > limits.maxUncompressedBytes) {
      throw new WorkbookRefused(
        `workbook unzips to ${total} bytes; the limit is ${limits.maxUncompressedBytes} (maxXlsxUncompressedBytes)`,
      );
    }
    const part = (name: string) => entries.get(name);
    const workbookPath =
      (await readRelationships(zip, part('_rels/.rels'), '')).find((r) => r.type.endsWith('/officeDocument'))
        ?.target ?? 'xl/workbook.xml';
    const workbookEntry = part(workbookPath);
    if (workbookEntry === undefined) throw new Error(`the workbook part ${workbookPath} is missing`);
    const workbook = await readWorkbook(zip, workbookEntry);
    const relationships = await readRelationships(
      zip,
      part(posix.join(posix.dirname(workbookPath), '_rels', `${posix.basename(workbookPath)}.rels`)),
      posix.dirname(workbookPath),
    );
    const byId = new Map(relationships.map((r) => [r.id, r]));
    const sharedStringsPart = relationships.find((r) => r.type.endsWith('/sharedStrings'))?.target;
    const stylesPart = relationships.find((r) => r.type.endsWith('/styles'))?.target;
    const sharedStrings =
      sharedStringsPart === undefined ? [] : await readSharedStrings(zip, part(sharedStringsPart), limits);
    const dateStyles = stylesPart === undefined ? [] : await readDateStyles(zip, part(stylesPart));
    const budget = { cells: limits.maxCells };
    const tables: Table[] = [];
    for (const sheet of workbook.sheets) {
      const target = byId.get(sheet.relationshipId);
      if (target === undefined || !target.type.endsWith('/worksheet')) continue;
      if (options.skipSheet?.(sheet.name) === true) continue;
      const entry = part(target.target);
      if (entry === undefined) throw new Error(`sheet ${sheet.name}'s part ${target.target} is missing`);
      const table = await readSheet(zip, entry, {
        file,
        sheet: sheet.name,
        sharedStrings,
        dateStyles,
        date1904: workbook.date1904,
        limits,
        budget,
      });
      if (table !== undefined) tables.push(table);
    }
    return tables;
  } finally {
    zip.close();
  }
}

function checkEntry(entry: yauzl.Entry, limits: XlsxLimits): void {
  const name = entry.fileName;
  if (entry.uncompressedSize > limits.maxPartBytes) {
    throw new WorkbookRefused(
      `part ${name} unzips to ${entry.uncompressedSize} bytes; the limit is ${limits.maxPartBytes} (maxXlsxPartBytes)`,
    );
  }
  if (entry.uncompressedSize > RATIO_FLOOR_BYTES) {
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (ratio > limits.maxCompressionRatio) {
      throw new WorkbookRefused(
        `part ${name} is compressed ${Math.round(ratio)}:1; the limit is ${limits.maxCompressionRatio}:1 ` +
          '(maxXlsxCompressionRatio; a zip bomb?)',
      );
    }
  }
}

/** Feeds one zip part through a SAX parser; a handler that throws stops the stream and rejects. */
async function parsePart(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  handlers: (parser: SaxesParser) => void,
): Promise<void> {
  const stream = await zip.openReadStreamPromise(entry);
  const parser = new SaxesParser({ position: false });
  handlers(parser);
  stream.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: string) => {
      try {
        parser.write(chunk);
      } catch (error) {
        stream.destroy();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      try {
        parser.close();
        resolve();
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

/** Tag name without its namespace prefix: some writers emit `<x:row>`. */
const local = (name: string): string => {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
};

interface Relationship {
  id: string;
  type: string;
  /** Zip path of the target part. */
  target: string;
}

async function readRelationships(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry | undefined,
  baseDir: string,
): Promise<Relationship[]> {
  if (entry === undefined) return [];
  const relationships: Relationship[] = [];
  await parsePart(zip, entry, (parser) => {
    parser.on('opentag', (node: SaxesTagPlain) => {
      if (local(node.name) !== 'Relationship' || node.attributes.TargetMode === 'External') return;
      const target = node.attributes.Target ?? '';
      relationships.push({
        id: node.attributes.Id ?? '',
        type: node.attributes.Type ?? '',
        target: target.startsWith('/') ? target.slice(1) : posix.normalize(posix.join(baseDir, target)),
      });
    });
  });
  return relationships;
}

async function readWorkbook(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
): Promise<{ sheets: { name: string; relationshipId: string }[]; date1904: boolean }> {
  const sheets: { name: string; relationshipId: string }[] = [];
  let date1904 = false;
  await parsePart(zip, entry, (parser) => {
    parser.on('opentag', (node: SaxesTagPlain) => {
      const name = local(node.name);
      if (name === 'workbookPr') {
        const flag = node.attributes.date1904;
        date1904 = flag === '1' || flag === 'true';
      } else if (name === 'sheet') {
        const idAttribute = Object.keys(node.attributes).find((a) => a === 'id' || a.endsWith(':id'));
        sheets.push({
          name: node.attributes.name ?? '',
          relationshipId: idAttribute === undefined ? '' : (node.attributes[idAttribute] ?? ''),
        });
      }
    });
  });
  return { sheets, date1904 };
}

/** Excel escapes characters XML cannot hold as `_xHHHH_` inside strings. */
const decodeEscapes = (text: string): string =>
  text.includes('_x')
    ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : text;

/**
 * The shared strings table, rich text runs joined. Phonetic guides (`rPh`) are not displayed
 * text and are left out. More strings than the cell limit cannot all be used by kept cells.
 */
async function readSharedStrings(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry | undefined,
  limits: XlsxLimits,
): Promise<string[]> {
  if (entry === undefined) return [];
  const strings: string[] = [];
  let current: string[] | undefined;
  let inText = false;
  let phonetic = 0;
  await parsePart(zip, entry, (parser) => {
    parser.on('opentag', (node: SaxesTagPlain) => {
      const name = local(node.name);
      if (name === 'si') current = [];
      else if (name === 'rPh') phonetic += 1;
      else if (name === 't' && phonetic === 0 && !node.isSelfClosing) inText = true;
    });
    parser.on('text', (text: string) => {
      if (inText) current?.push(text);
    });
    parser.on('closetag', (node: SaxesTagPlain) => {
      const name = local(node.name);
      if (name === 't') inText = false;
      else if (name === 'rPh') phonetic -= 1;
      else if (name === 'si') {
        if (strings.length >= limits.maxCells) {
          throw new WorkbookRefused(
            `the shared strings table holds more than ${limits.maxCells} strings; the limit is ${limits.maxCells} (maxXlsxCells)`,
          );
        }
        strings.push(decodeEscapes((current ?? []).join('')));
        current = undefined;
      }
    });
  });
  return strings;
}

/** Built-in number formats that are dates or times (ECMA-376 §18.8.30), as exceljs reads them. */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** exceljs' rule: after removing [..] and "..." sections, any of y m d h s b marks a date format. */
const isDateFormat = (code: string): boolean =>
  /[ymdhMsb]/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));

/** For each cell style index (`s`), whether its number format shows the number as a date. */
async function readDateStyles(zip: yauzl.ZipFile, entry: yauzl.Entry | undefined): Promise<boolean[]> {
  if (entry === undefined) return [];
  const customFormats = new Map<number, boolean>();
  const styles: boolean[] = [];
  let parent = '';
  await parsePart(zip, entry, (parser) => {
    parser.on('opentag', (node: SaxesTagPlain) => {
      const name = local(node.name);
      if (name === 'numFmts' || name === 'cellXfs' || name === 'cellStyleXfs' || name === 'dxfs') {
        parent = name;
      } else if (name === 'numFmt' && parent === 'numFmts') {
        customFormats.set(Number(node.attributes.numFmtId), isDateFormat(node.attributes.formatCode ?? ''));
      } else if (name === 'xf' && parent === 'cellXfs') {
        const id = Number(node.attributes.numFmtId ?? 0);
        styles.push(customFormats.get(id) ?? BUILT_IN_DATE_FORMATS.has(id));
      }
    });
    parser.on('closetag', (node: SaxesTagPlain) => {
      if (local(node.name) === parent) parent = '';
    });
  });
  return styles;
}

/** Column number of a cell reference ("XFD20" → 16384), 0 when the reference has no letters. */
function columnOf(reference: string): number {
  let column = 0;
  for (let i = 0; i < reference.length; i += 1) {
    const code = reference.charCodeAt(i);
    if (code >= 65 && code <= 90) column = column * 26 + (code - 64);
    else if (code >= 97 && code <= 122) column = column * 26 + (code - 96);
    else break;
  }
  return column;
}

function columnLetters(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

const MS_PER_DAY = 24 * 3600 * 1000;
/** Excel serial day 25569 is 1970-01-01; the 1904 date system starts 1462 days later. */
function serialToIso(serial: number, date1904: boolean): string | undefined {
  const date = new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * MS_PER_DAY));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

interface SheetContext {
  file: string;
  sheet: string;
  sharedStrings: readonly string[];
  dateStyles: readonly boolean[];
  date1904: boolean;
  limits: XlsxLimits;
  /** Cells the workbook may still keep, shared by its sheets. */
  budget: { cells: number };
}

/**
 * Streams one sheet. Cells render as the importers expect: shared and inline strings (rich text
 * joined), numbers as JavaScript prints them, booleans True/False (as RVTools writes them), numbers
 * in a date format as ISO 8601, errors as their code, formulas as their cached result. Rows without
 * a value are skipped; the first row with one is the header.
 */
async function readSheet(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  context: SheetContext,
): Promise<Table | undefined> {
  const { limits, sharedStrings, dateStyles, date1904 } = context;
  let header: TableRow | undefined;
  const rows: TableRow[] = [];
  let rowNumber = 0;
  let rowColumns: number[] = [];
  let rowTexts: string[] = [];
  let column = 0;
  let reference = '';
  let type = '';
  let style = 0;
  let value = '';
  let inlineText = '';
  let capture: 'v' | 't' | undefined;
  let phonetic = 0;
  const at = (row: number) => ({ sheet: context.sheet, row });

  const endCell = () => {
    let text: string;
    switch (type) {
      case 's':
        text = value === '' ? '' : (sharedStrings[Number.parseInt(value, 10)] ?? '');
        break;
      case 'inlineStr':
        text = decodeEscapes(inlineText);
        break;
      case 'b':
        text = value === '' ? '' : Number.parseInt(value, 10) !== 0 ? 'True' : 'False';
        break;
      case 'str':
      case 'e':
      case 'd':
        text = value;
        break;
      default: {
        if (value === '') {
          text = '';
          break;
        }
        const number = Number.parseFloat(value);
        text = (dateStyles[style] === true ? serialToIso(number, date1904) : undefined) ?? String(number);
      }
    }
    text = text.trim();
    if (text === '') return;
    if (column > limits.maxColumns) {
      throw new WorkbookRefused(
        `cell ${reference === '' ? `${columnLetters(column)}${rowNumber}` : reference} is in column ${column}; ` +
          `the limit is column ${limits.maxColumns} (${columnLetters(limits.maxColumns)}, maxXlsxColumns)`,
        at(rowNumber),
      );
    }
    rowColumns.push(column);
    rowTexts.push(text);
  };

  const endRow = () => {
    if (rowTexts.length === 0) return;
    const width = Math.max(...rowColumns);
    context.budget.cells -= width;
    if (context.budget.cells < 0) {
      throw new WorkbookRefused(
        `the workbook holds more than ${limits.maxCells} cells (each row counted up to its last value); ` +
          `the limit is ${limits.maxCells} (maxXlsxCells)`,
        at(rowNumber),
      );
    }
    const cells = new Array<string>(width).fill('');
    for (let i = 0; i < rowColumns.length; i += 1) cells[(rowColumns[i] ?? 1) - 1] = rowTexts[i] ?? '';
    if (header === undefined) header = { line: rowNumber, cells };
    else {
      if (rows.length >= limits.maxRowsPerSheet) {
        throw new WorkbookRefused(
          `sheet has more than ${limits.maxRowsPerSheet} rows; the limit is ${limits.maxRowsPerSheet} (maxXlsxRowsPerSheet)`,
          at(rowNumber),
        );
      }
      rows.push({ line: rowNumber, cells });
    }
  };

  await parsePart(zip, entry, (parser) => {
    parser.on('opentag', (node: SaxesTagPlain) => {
      switch (local(node.name)) {
        case 'row': {
          const r = node.attributes.r;
          rowNumber = r === undefined ? rowNumber + 1 : Number.parseInt(r, 10);
          rowColumns = [];
          rowTexts = [];
          column = 0;
          break;
        }
        case 'c': {
          reference = node.attributes.r ?? '';
          const fromReference = reference === '' ? 0 : columnOf(reference);
          column = fromReference === 0 ? column + 1 : fromReference;
          type = node.attributes.t ?? 'n';
          style = node.attributes.s === undefined ? 0 : Number.parseInt(node.attributes.s, 10);
          value = '';
          inlineText = '';
          break;
        }
        case 'v':
          capture = 'v';
          break;
        case 'rPh':
          phonetic += 1;
          break;
        case 't':
          if (phonetic === 0) capture = 't';
          break;
        default:
      }
    });
    parser.on('text', (text: string) => {
      if (capture === 'v') value += text;
      else if (capture === 't') inlineText += text;
    });
    parser.on('closetag', (node: SaxesTagPlain) => {
      switch (local(node.name)) {
        case 'v':
        case 't':
          capture = undefined;
          break;
        case 'rPh':
          phonetic -= 1;
          break;
        case 'c':
          endCell();
          break;
        case 'row':
          endRow();
          break;
        default:
      }
    });
  });
  if (header === undefined) return undefined;
  return {
    file: context.file,
    sheet: context.sheet,
    source: 'xlsx',
    header: header.cells,
    headerLine: header.line,
    rows,
  };
}
