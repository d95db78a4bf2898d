/** CSV writing for the estate generator and the sample writer (reading is cli/assess/read-csv.ts). */

/** Quotes a cell when needed; used by the estate generator and the sample writer. */
export const csvCell = (value: string | number | boolean | undefined): string => {
  const text = value === undefined ? '' : String(value);
  return /[",;\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
};

export const csvLine = (cells: readonly (string | number | boolean | undefined)[]): string =>
  cells.map(csvCell).join(',');
