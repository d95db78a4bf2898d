/**
 * `factory assess`: assess the workspace estate, write assessment.json, report.html and the per-VM table
 * (vms.csv, vms.xlsx) all or nothing, print a summary.
 */
import { join } from 'node:path';
import { assessEstate, defaultAssessOptions, type Assessment } from '../../domain/assess/assess-estate.ts';
import { compareReadiness, comparisonLines } from '../../domain/assess/compare-readiness.ts';
import {
  normaliseRegion,
  pricedRegions,
  shippedPrices,
  withImported,
} from '../../domain/assess/price-book.ts';
import type { SizingOptions } from '../../domain/assess/sizing.ts';
import { CliError, ExitCode } from '../operate/exit-codes.ts';
import { loadPrices } from './prices-store.ts';
import { renderReport } from './report-html.ts';
import { summaryLines, summaryObject } from './summary.ts';
import { vmTableRows } from './vm-table.ts';
import { vmTableCsv, vmTableXlsx } from './vm-table-files.ts';
import {
  ASSESSMENT_FILE,
  loadEstate,
  REPORT_FILE,
  VMS_CSV_FILE,
  VMS_XLSX_FILE,
  writeAllAtomically,
} from '../../workspace/files.ts';
import { contentSha256 } from '../../workspace/plan-files.ts';

export interface AssessCommandOptions {
  workspace: string;
  /** ISO date; defaults to today (the edge is where the clock is read). */
  asOf?: string;
  sizing?: Partial<SizingOptions>;
  infrastructureServers?: string[];
  json?: boolean;
  /** Also compare our readiness with Azure Migrate's own, machine by machine. */
  compare?: boolean;
  print: (line: string) => void;
}

export async function runAssess(options: AssessCommandOptions): Promise<Assessment> {
  const stored = await loadPrices(options.workspace);
  const prices = stored === undefined ? shippedPrices : withImported(shippedPrices, stored.regions);
  const defaults = defaultAssessOptions(options.asOf ?? new Date().toISOString().slice(0, 10));
  const sizing = { ...defaults.sizing, ...options.sizing };
  sizing.region = normaliseRegion(sizing.region);
  const regions = pricedRegions(prices);
  // A region without prices would cost every VM $0; refuse it before reading the estate.
  if (!regions.includes(sizing.region))
    throw new CliError(
      `--region ${options.sizing?.region ?? sizing.region} has no prices; regions with prices: ${regions.join(', ')}. Import a price list for it with "factory prices import <file> --workspace ${options.workspace}"`,
      ExitCode.usage,
    );
  const estate = await loadEstate(options.workspace);
  // The assessment names its estate, so plan refuses it once the estate is imported again.
  const estateSha256 = contentSha256(estate);
  const assessment = assessEstate(
    estate,
    {
      ...defaults,
      sizing,
      dependencies: { ...defaults.dependencies, infrastructureServers: options.infrastructureServers ?? [] },
    },
    prices,
  );
  const assessmentPath = join(options.workspace, ASSESSMENT_FILE);
  const reportPath = join(options.workspace, REPORT_FILE);
  const vmsCsvPath = join(options.workspace, VMS_CSV_FILE);
  const vmsXlsxPath = join(options.workspace, VMS_XLSX_FILE);
  const rows = vmTableRows(assessment);
  await writeAllAtomically([
    { path: assessmentPath, content: `${JSON.stringify({ estateSha256, ...assessment }, null, 1)}\n` },
    { path: reportPath, content: renderReport(assessment, rows) },
    { path: vmsCsvPath, content: vmTableCsv(rows) },
    { path: vmsXlsxPath, content: await vmTableXlsx(rows) },
  ]);
  const comparison = options.compare === true ? compareReadiness(assessment.vms) : undefined;
  if (options.json === true) {
    options.print(
      JSON.stringify(
        {
          ...summaryObject(assessment),
          assessmentPath,
          reportPath,
          vmsCsvPath,
          vmsXlsxPath,
          ...(comparison === undefined ? {} : { readinessComparison: comparison }),
        },
        null,
        2,
      ),
    );
  } else {
    for (const line of summaryLines(assessment)) options.print(line);
    if (comparison !== undefined) for (const line of comparisonLines(comparison)) options.print(line);
    options.print(`Wrote ${assessmentPath}, ${reportPath}, ${vmsCsvPath} and ${vmsXlsxPath}`);
  }
  return assessment;
}
