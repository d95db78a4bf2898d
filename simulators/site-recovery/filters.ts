/** OData-style `$filter` as ASR accepts it: `field eq 'value'` clauses joined by `and`. */
import { badRequest } from '../arm.ts';

export type FilterClauses = Map<string, string>;

export function parseFilter(filter: string | null, allowedFields: readonly string[]): FilterClauses {
  const clauses: FilterClauses = new Map();
  if (filter === null || filter.trim() === '') return clauses;
  for (const clause of filter.split(/\s+and\s+/i)) {
    const match = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    if (!match) {
      throw badRequest(
        'InvalidFilter',
        `The filter clause '${clause.trim()}' is not valid. Use field eq 'value', joined by 'and'.`,
      );
    }
    const field = allowedFields.find(
      (candidate) => candidate.toLowerCase() === (match[1] ?? '').toLowerCase(),
    );
    if (!field) {
      throw badRequest(
        'InvalidFilter',
        `'${match[1]}' is not a supported filter field. Supported fields: ${allowedFields.join(', ')}.`,
      );
    }
    clauses.set(field, (match[2] ?? '').replace(/''/g, "'"));
  }
  return clauses;
}

export const equalsIgnoreCase = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();
