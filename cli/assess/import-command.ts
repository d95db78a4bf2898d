/** `factory import <files…>`: read, validate and merge the inputs, then write the workspace estate. */
import { relative } from 'node:path';
import { buildEstate } from '../../domain/inventory/build-estate.ts';
import { formatIssue, IssueLog, type ImportIssue } from '../../domain/inventory/issues.ts';
import { defaultLimits, readInputs, type InputLimits } from './read-inputs.ts';
import { saveEstate } from '../../workspace/files.ts';

export interface ImportOptions {
  paths: string[];
  workspace: string;
  json?: boolean;
  limits?: InputLimits;
  print: (line: string) => void;
}

export interface ImportOutcome {
  ok: boolean;
  errors: ImportIssue[];
  warnings: ImportIssue[];
  estatePath?: string;
  counts?: Record<string, number>;
  /** Issues counted beyond the issue log's cap but not kept: `errors`/`warnings` are never silently short. */
  omitted: { errors: number; warnings: number };
}

const MAX_PRINTED = 50;

export async function runImport(options: ImportOptions): Promise<ImportOutcome> {
  const log = new IssueLog();
  const tables = await readInputs(options.paths, log, options.limits ?? defaultLimits);
  const result = buildEstate(tables, log);
  const outcome: ImportOutcome = result.ok
    ? {
        ok: true,
        errors: [],
        warnings: result.warnings,
        omitted: result.suppressed,
        estatePath: await saveEstate(options.workspace, result.estate),
        counts: {
          servers: result.estate.servers.length,
          hosts: result.estate.hosts.length,
          applications: result.estate.applications.length,
          databases: result.estate.databases.length,
          connections: result.estate.connections.length,
          sources: result.estate.sources.length,
        },
      }
    : { ok: false, errors: result.errors, warnings: result.warnings, omitted: result.suppressed };

  if (options.json === true) {
    options.print(JSON.stringify(outcome, null, 2));
    return outcome;
  }
  const printIssues = (issues: ImportIssue[], suppressed: number) => {
    for (const issue of issues.slice(0, MAX_PRINTED)) options.print(`  ${formatIssue(issue)}`);
    const more = issues.length - MAX_PRINTED + suppressed;
    if (more > 0)
      options.print(
        suppressed > 0
          ? `  … and ${more} more (--json lists the first ${issues.length} and counts the ${suppressed} not kept)`
          : `  … and ${more} more (use --json for the full list)`,
      );
  };
  if (!outcome.ok) {
    options.print(
      `Import failed with ${outcome.errors.length + result.suppressed.errors} errors; the workspace is unchanged.`,
    );
    printIssues(outcome.errors, result.suppressed.errors);
  } else {
    const c = outcome.counts ?? {};
    options.print(
      `Imported ${c.servers} servers, ${c.hosts} hosts, ${c.applications} applications, ${c.databases} databases, ` +
        `${c.connections} connections from ${c.sources} sheets into ${relative(process.cwd(), outcome.estatePath ?? '') || '.'}`,
    );
  }
  if (outcome.warnings.length > 0) {
    options.print(`${outcome.warnings.length + result.suppressed.warnings} warnings:`);
    printIssues(outcome.warnings, result.suppressed.warnings);
  }
  return outcome;
}
