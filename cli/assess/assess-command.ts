/** `factory assess`: assess the workspace estate, write assessment.json and report.html, print a summary. */
import { join } from 'node:path';
import { assessEstate, defaultAssessOptions, type Assessment } from '../../domain/assess/assess-estate.ts';
import type { SizingOptions } from '../../domain/assess/sizing.ts';
import { renderReport } from './report-html.ts';
import { summaryLines, summaryObject } from './summary.ts';
import { ASSESSMENT_FILE, loadEstate, REPORT_FILE, writeAllAtomically } from '../../workspace/files.ts';
import { contentSha256 } from '../../workspace/plan-files.ts';

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
  // The assessment names its estate, so plan refuses it once the estate is imported again.
  const estateSha256 = contentSha256(estate);
  const defaults = defaultAssessOptions(options.asOf ?? new Date().toISOString().slice(0, 10));
  const assessment = assessEstate(estate, {
    ...defaults,
    sizing: { ...defaults.sizing, ...options.sizing },
    dependencies: { ...defaults.dependencies, infrastructureServers: options.infrastructureServers ?? [] },
  });
  const assessmentPath = join(options.workspace, ASSESSMENT_FILE);
  const reportPath = join(options.workspace, REPORT_FILE);
  await writeAllAtomically([
    { path: assessmentPath, content: `${JSON.stringify({ estateSha256, ...assessment }, null, 1)}\n` },
    { path: reportPath, content: renderReport(assessment) },
  ]);
  if (options.json === true) {
    options.print(JSON.stringify({ ...summaryObject(assessment), assessmentPath, reportPath }, null, 2));
  } else {
    for (const line of summaryLines(assessment)) options.print(line);
    options.print(`Wrote ${assessmentPath} and ${reportPath}`);
  }
  return assessment;
}
