/**
 * Zod schemas for single cells. Each takes the trimmed, non-empty cell text and either returns the
 * typed value or fails with a message phrased as the rule ("must be a whole number ≥ 1"), which the
 * importers copy into the error next to the file, sheet, row and column.
 */
import { z } from 'zod';
import { azureVmNameProblem, machineIdPartProblem } from '../azure-names.ts';

export type CellSchema<T> = z.ZodType<T, string>;

const fail = (ctx: z.RefinementCtx, message: string) => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

/** Accepts "1234", "1,234" (thousands separators as RVTools' locale-formatted CSVs write them) and "1234.0". */
const numberText = (text: string): number | undefined => {
  const plain = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text) ? text.replace(/,/g, '') : text;
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(plain)) return undefined;
  const value = Number(plain);
  return Number.isFinite(value) ? value : undefined;
};

export const wholeNumber = (min: number, max: number): CellSchema<number> =>
  z.string().transform((text, ctx) => {
    const value = numberText(text);
    if (value === undefined || !Number.isInteger(value) || value < min || value > max) {
      return fail(ctx, `must be a whole number from ${min} to ${max}`);
    }
    return value;
  });

export const decimal = (min: number, max: number): CellSchema<number> =>
  z.string().transform((text, ctx) => {
    const value = numberText(text.replace(/\s*%$/, ''));
    if (value === undefined || value < min || value > max)
      return fail(ctx, `must be a number from ${min} to ${max}`);
    return value;
  });

/** A money amount as exports write it: "123.45", "1,234.56", "$123.45" or "123.45 USD". */
export const amount = (max: number): CellSchema<number> =>
  z.string().transform((text, ctx) => {
    const value = numberText(text.replace(/^[$€£¥]\s*|\s*[A-Z]{3}$/g, ''));
    if (value === undefined || value < 0 || value > max)
      return fail(ctx, `must be an amount from 0 to ${max}`);
    return value;
  });

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

export const boolean: CellSchema<boolean> = z.string().transform((text, ctx) => {
  const key = text.toLowerCase();
  if (TRUE.has(key)) return true;
  if (FALSE.has(key)) return false;
  return fail(ctx, 'must be True or False (or Yes/No, Y/N)');
});

/** One of a fixed set of words, matched without regard to case; returns the canonical spelling. */
export const oneOf = <const T extends string>(
  values: readonly T[],
  aliases: Record<string, T> = {},
): CellSchema<T> =>
  z.string().transform((text, ctx) => {
    const key = text.toLowerCase();
    const found = values.find((v) => v.toLowerCase() === key) ?? aliases[key];
    return found ?? fail(ctx, `must be one of ${values.join(', ')}`);
  });

export const text = (maxLength = 1024): CellSchema<string> =>
  z
    .string()
    .transform((value, ctx) =>
      value.length > maxLength ? fail(ctx, `must be at most ${maxLength} characters`) : value,
    );

/** A list in one cell, separated by ';' or ','; blanks dropped, duplicates removed, order kept. */
export const list = (maxItems = 10_000): CellSchema<string[]> =>
  z.string().transform((value, ctx) => {
    const items = [
      ...new Set(
        value
          .split(/[;,]/)
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      ),
    ];
    return items.length > maxItems ? fail(ctx, `must list at most ${maxItems} items`) : items;
  });

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/** Hex groups and colons, an IPv4 tail ("::ffff:10.0.0.1") and a zone ("fe80::1%eth0") allowed. */
const looksLikeIpv6 = (s: string) => /^[0-9a-f:.]+(%[\w.-]+)?$/i.test(s) && s.includes(':');

/**
 * The items of an address-list cell. Besides ',' ';' and spaces, the Azure Migrate assessment export
 * wraps each machine's list in brackets and ends it with ';' (`[172.21.12.27,fe80::8c5e:aa9:c0d7:61e6];`,
 * several adapters as `[a,b];[c];`), so brackets are separators too.
 */
const addressItems = (value: string) => value.split(/[;,\s[\]]+/).filter((s) => s !== '');

/** IPv4/IPv6 addresses; RVTools and Azure Migrate separate several with ',' ';' spaces or brackets. */
export const ipList: CellSchema<string[]> = z.string().transform((value, ctx) => {
  const items = addressItems(value);
  const bad = items.find((s) => !IPV4.test(s) && !looksLikeIpv6(s));
  return bad === undefined ? [...new Set(items)] : fail(ctx, `must be IP addresses ("${bad}" is not one)`);
});

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

/**
 * MAC addresses as vCenter (`00:50:56:aa:00:01`) and Windows (`00-50-56-AA-00-01`) write them, in the
 * same list shapes as `ipList`; returned lower case with ':' so two sources compare equal.
 */
export const macList: CellSchema<string[]> = z.string().transform((value, ctx) => {
  const items = addressItems(value);
  const bad = items.find((s) => !MAC.test(s));
  if (bad !== undefined)
    return fail(
      ctx,
      `must be MAC addresses like 00:50:56:aa:00:01 or 00-50-56-AA-00-01 ("${bad}" is not one)`,
    );
  return [...new Set(items.map((s) => s.toLowerCase().replace(/-/g, ':')))];
});

export const ipAddress: CellSchema<string> = z
  .string()
  .transform((value, ctx) =>
    IPV4.test(value) || looksLikeIpv6(value) ? value : fail(ctx, 'must be an IPv4 or IPv6 address'),
  );

/** Excel stores dates as days since 1899-12-30 (the 1900 leap-year bug folded in). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

/**
 * Dates arrive as Excel serial numbers (re-saved sheets), ISO 8601, or US "M/D/YYYY h:mm[:ss] [AM|PM]"
 * as RVTools writes them. Returns an ISO 8601 UTC timestamp; local times are read as UTC because the
 * exports carry no zone.
 */
export const date: CellSchema<string> = z.string().transform((value, ctx) => {
  const rule = 'must be a date (ISO 8601, M/D/YYYY or an Excel serial number)';
  if (/^\d+(\.\d+)?$/.test(value)) {
    const serial = Number(value);
    if (serial < 1 || serial > 2_958_465) return fail(ctx, rule);
    return new Date(EXCEL_EPOCH_MS + Math.round(serial * DAY_MS)).toISOString();
  }
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i.exec(value);
  if (us !== null) {
    const [, m, d, y, hh = '0', mm = '0', ss = '0', ampm] = us;
    let hour = Number(hh);
    if (ampm !== undefined && hour === 12) hour = 0;
    if (ampm?.toUpperCase() === 'PM') hour += 12;
    const ms = Date.UTC(Number(y), Number(m) - 1, Number(d), hour, Number(mm), Number(ss));
    const check = new Date(ms);
    if (check.getUTCMonth() !== Number(m) - 1 || check.getUTCDate() !== Number(d)) return fail(ctx, rule);
    return check.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const iso = value.replace(' ', 'T');
    const parsed = new Date(
      iso.length === 10 ? `${iso}T00:00:00Z` : /Z|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`,
    );
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  return fail(ctx, rule);
});

/** A VM's name: it becomes the migrated VM's Azure resource name (see `domain/azure-names.ts`). */
export const vmName: CellSchema<string> = text(255).transform((value, ctx) => {
  const problem = azureVmNameProblem(value);
  return problem === undefined ? value : fail(ctx, problem);
});

/** The VM UUID or vCenter that names the Azure Migrate machine (and so its protected item). */
export const machineIdPart = (part: 'VM UUID' | 'vCenter', maxLength: number): CellSchema<string> =>
  text(maxLength).transform((value, ctx) => {
    const problem = machineIdPartProblem(value, part);
    return problem === undefined ? value : fail(ctx, problem);
  });
