/**
 * `factory assess`: assess the workspace estate, write assessment.json, report.html and the per-VM table
 * (vms.csv, vms.xlsx) all or nothing, print a summary.
 */
import { join } from 'node:path';
import { assessEstate, defaultAssessOptions, type Assessment } from '../../domain/assess/assess-estate.ts';
import type { SizingOptions } from '../../domain/assess/sizing.ts';
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

export interface AssessCommandOptions {
  workspace: string;
  /** ISO date; defaults to today (the edge is where the clock is read). */
  asOf?: string;
  sizing?: Partial<SizingOptions>;
  infrastructureServers?: string[];
  json?: boolean;
  print: (line: string) => void;
}

export async function runAssess(options: AssessCommandOptions): Promise<Assessment> {
  const estate = await loadEstate(options.workspace);
  const defaults = defaultAssessOptions(options.asOf ?? new Date().toISOString().slice(0, 10));
  const assessment = assessEstate(estate, {
    ...defaults,
    sizing: { ...defaults.sizing, ...options.sizing },
    dependencies: { ...defaults.dependencies, infrastructureServers: options.infrastructureServers ?? [] },
  });
  const assessmentPath = join(options.workspace, ASSESSMENT_FILE);
  const reportPath = join(options.workspace, REPORT_FILE);
  const vmsCsvPath = join(options.workspace, VMS_CSV_FILE);
  const vmsXlsxPath = join(options.workspace, VMS_XLSX_FILE);
  const rows = vmTableRows(assessment);
  await writeAllAtomically([
    { path: assessmentPath, content: `${JSON.stringify(assessment, null, 1)}\n` },
    { path: reportPath, content: renderReport(assessment, rows) },
    { path: vmsCsvPath, content: vmTableCsv(rows) },
    { path: vmsXlsxPath, content: await vmTableXlsx(rows) },
  ]);
  if (options.json === true) {
    options.print(
      JSON.stringify(
        { ...summaryObject(assessment), assessmentPath, reportPath, vmsCsvPath, vmsXlsxPath },
        null,
        2,
      ),
    );
  } else {
    for (const line of summaryLines(assessment)) options.print(line);
    options.print(`Wrote ${assessmentPath}, ${reportPath}, ${vmsCsvPath} and ${vmsXlsxPath}`);
  }
  return assessment;
}
