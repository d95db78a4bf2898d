/** Import problems. Errors block an import; warnings are reported beside a successful one. */

export interface Location {
  file: string;
  /** Worksheet name for xlsx inputs; absent for CSV. */
  sheet?: string;
  /** 1-based row as a spreadsheet shows it (the header is row 1 unless the file says otherwise). */
  row?: number;
  column?: string;
}

export interface ImportIssue extends Location {
  severity: 'error' | 'warning';
  /** The offending cell text (shortened), when one cell is at fault. */
  value?: string;
  /** The rule that was broken, phrased as the requirement ("must be a whole number ≥ 1"). */
  rule: string;
}

const MAX_VALUE_CHARS = 80;

export const shorten = (value: string): string =>
  value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}… (${value.length} chars)` : value;

export function formatIssue(issue: ImportIssue): string {
  const where = [
    issue.file,
    issue.sheet === undefined ? undefined : `sheet ${issue.sheet}`,
    issue.row === undefined ? undefined : `row ${issue.row}`,
    issue.column === undefined ? undefined : `column "${issue.column}"`,
  ].filter((part) => part !== undefined);
  const value = issue.value === undefined ? '' : ` value "${issue.value}":`;
  return `${issue.severity}: ${where.join(', ')}:${value} ${issue.rule}`;
}

/** Collects issues; caps the count so a wholly broken million-row file cannot exhaust memory. */
export class IssueLog {
  readonly errors: ImportIssue[] = [];
  readonly warnings: ImportIssue[] = [];
  private suppressedErrors = 0;
  private suppressedWarnings = 0;

  constructor(private readonly cap = 1000) {}

  error(at: Location, rule: string, value?: string): void {
    if (this.errors.length >= this.cap) this.suppressedErrors += 1;
    else this.errors.push(withValue({ severity: 'error', ...at, rule }, value));
  }

  warn(at: Location, rule: string, value?: string): void {
    if (this.warnings.length >= this.cap) this.suppressedWarnings += 1;
    else this.warnings.push(withValue({ severity: 'warning', ...at, rule }, value));
  }

  get hasErrors(): boolean {
    return this.errors.length > 0;
  }

  /** How many issues beyond the cap were counted but not kept. */
  get suppressed(): { errors: number; warnings: number } {
    return { errors: this.suppressedErrors, warnings: this.suppressedWarnings };
  }
}

function withValue(issue: ImportIssue, value: string | undefined): ImportIssue {
  return value === undefined ? issue : { ...issue, value: shorten(value) };
}
