/**
 * Builds xlsx files byte by byte for the reader's limit tests: a minimal SpreadsheetML package
 * (ECMA-376 part 1: content types, package and workbook relationships, workbook, sheets) in a zip
 * written by hand, so a test can make sheets no spreadsheet program would write, such as one value
 * in column XFD on 20,000 rows, or a part that unzips to gigabytes from a file of a few megabytes.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

/** A zip part already deflated, with the size and CRC-32 of its unzipped bytes. */
export interface DeflatedPart {
  name: string;
  deflated: Buffer;
  size: number;
  crc: number;
}

export function deflatedPart(name: string, data: Buffer | string): DeflatedPart {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  return { name, deflated: deflateRawSync(bytes), size: bytes.length, crc: crc32(bytes) };
}

/**
 * A part of `prefix`, then `repeat` × `block`, then `suffix`, deflated without ever holding the
 * unzipped bytes: each block is compressed once and ends on a full flush (byte-aligned, no back
 * reference across it), so its compressed form can simply be repeated.
 */
export function repeatedPart(
  name: string,
  prefix: string,
  block: Buffer,
  repeat: number,
  suffix: string,
): DeflatedPart {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const head = Buffer.from(prefix, 'utf8');
  const tail = Buffer.from(suffix, 'utf8');
  const deflatedBlock = deflateRawSync(block, flush);
  let crc = crc32(head);
  for (let i = 0; i < repeat; i += 1) crc = crc32(block, crc);
  crc = crc32(tail, crc);
  return {
    name,
    deflated: Buffer.concat([
      deflateRawSync(head, flush),
      ...Array.from({ length: repeat }, () => deflatedBlock),
      deflateRawSync(tail),
    ]),
    size: head.length + block.length * repeat + tail.length,
    crc,
  };
}

/** A zip archive (PKWARE APPNOTE 4.3: local headers, central directory, end record), deflate only. */
export function zipOf(parts: readonly DeflatedPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0, 10); // DOS time and date: 1980-01-01
    local.writeUInt32LE(part.crc, 14);
    local.writeUInt32LE(part.deflated.length, 18);
    local.writeUInt32LE(part.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(part.crc, 16);
    central.writeUInt32LE(part.deflated.length, 20);
    central.writeUInt32LE(part.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, part.deflated);
    centrals.push(central, name);
    offset += local.length + name.length + part.deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';

export const sheetXml = (rows: string): string =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${MAIN}"><sheetData>${rows}</sheetData></worksheet>`;

/** An inline-string cell: no shared strings table needed. */
export const textCell = (reference: string, text: string): string =>
  `<c r="${reference}" t="inlineStr"><is><t>${text}</t></is></c>`;

/** A workbook whose sheets are the given parts, named in order; sheet XML can be a prebuilt part. */
export function workbookOf(sheets: readonly { name: string; xml: string | DeflatedPart }[]): Buffer {
  const sheetParts = sheets.map((sheet, i) =>
    typeof sheet.xml === 'string'
      ? deflatedPart(`xl/worksheets/sheet${i + 1}.xml`, sheet.xml)
      : { ...sheet.xml, name: `xl/worksheets/sheet${i + 1}.xml` },
  );
  const contentTypes =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    sheets
      .map(
        (_, i) =>
          `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
      )
      .join('') +
    '</Types>';
  const packageRels =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PACKAGE_RELS}">` +
    `<Relationship Id="rId1" Type="${RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const workbook =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${MAIN}" xmlns:r="${RELS}"><sheets>` +
    sheets.map((sheet, i) => `<sheet name="${sheet.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
    '</sheets></workbook>';
  const workbookRels =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PACKAGE_RELS}">` +
    sheets
      .map(
        (_, i) =>
          `<Relationship Id="rId${i + 1}" Type="${RELS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
      )
      .join('') +
    '</Relationships>';
  return zipOf([
    deflatedPart('[Content_Types].xml', contentTypes),
    deflatedPart('_rels/.rels', packageRels),
    deflatedPart('xl/workbook.xml', workbook),
    deflatedPart('xl/_rels/workbook.xml.rels', workbookRels),
    ...sheetParts,
  ]);
}
